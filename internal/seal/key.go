package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// ParseKey decodes a key given as 64 hex characters or as standard or
// URL-safe base64 (padded or not) of 32 bytes. Surrounding whitespace is
// ignored.
func ParseKey(s string) ([]byte, error) {
	key, err := parseKey(s)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return key, nil
}

func parseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*KeySize {
		if key, err := hex.DecodeString(s); err == nil {
			return key, nil
		}
	}
	encodings := []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	}
	for _, enc := range encodings {
		if key, err := enc.Strict().DecodeString(s); err == nil && len(key) == KeySize {
			return key, nil
		}
	}
	return nil, fmt.Errorf("%w: want %d hex characters or base64 of %d bytes (make one with: openssl rand -hex %d)",
		ErrInvalidKey, 2*KeySize, KeySize, KeySize)
}

// LoadOrCreateKeyFile returns the key in the file at path, creating the file
// with a new random key (as hex and a newline, mode 0600) if it does not
// exist. The directory must exist. Of processes that start at once, exactly
// one creates the file and the others read its key.
func LoadOrCreateKeyFile(path string) ([]byte, error) {
	key, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key = make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("seal: new key: %w", err)
	}
	err = createKeyFile(path, key)
	if errors.Is(err, fs.ErrExist) { // another process won the race
		return readKeyFile(path)
	}
	if err != nil {
		return nil, err
	}
	return key, nil
}

// createKeyFile writes key to a new file at path, failing with fs.ErrExist
// if path exists. A partly written file is removed.
func createKeyFile(path string, key []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) // #nosec G304 -- the operator's --secret-key-file (or roster.key beside the database)
	if err != nil {
		return fmt.Errorf("seal: create key file: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if closeErr := f.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		_ = os.Remove(path)
		return fmt.Errorf("seal: write key file %s: %w", path, err)
	}
	return nil
}

// Reading a file that another process has just created may find it still
// empty; readKeyFile waits up to emptyFileWait for its content.
const (
	emptyFileWait  = 2 * time.Second
	emptyFilePause = 20 * time.Millisecond
)

func readKeyFile(path string) ([]byte, error) {
	deadline := time.Now().Add(emptyFileWait)
	for {
		data, err := os.ReadFile(path) // #nosec G304 -- the operator's --secret-key-file (or roster.key beside the database)
		if err != nil {
			return nil, fmt.Errorf("seal: read key file: %w", err)
		}
		if len(bytes.TrimSpace(data)) > 0 || time.Now().After(deadline) {
			key, err := parseKey(string(data))
			if err != nil {
				return nil, fmt.Errorf("seal: key file %s: %w", path, err)
			}
			return key, nil
		}
		time.Sleep(emptyFilePause)
	}
}
