package seal

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestParseKey(t *testing.T) {
	key := make([]byte, KeySize)
	for i := range key {
		key[i] = byte(i*7 + 250) // includes bytes that base64 encodes as + / - _
	}
	hexKey := hex.EncodeToString(key)
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"hex", hexKey, false},
		{"hex upper case", strings.ToUpper(hexKey), false},
		{"hex with newline", hexKey + "\n", false},
		{"hex with spaces", "  " + hexKey + " \t", false},
		{"base64 std", base64.StdEncoding.EncodeToString(key), false},
		{"base64 std raw", base64.RawStdEncoding.EncodeToString(key), false},
		{"base64 url", base64.URLEncoding.EncodeToString(key), false},
		{"base64 url raw", base64.RawURLEncoding.EncodeToString(key) + "\r\n", false},
		{"empty", "", true},
		{"whitespace", " \n", true},
		{"hex too short", hexKey[:62], true},
		{"hex too long", hexKey + "00", true},
		{"hex not hex", "zz" + hexKey[2:], true},
		{"base64 of 31 bytes", base64.StdEncoding.EncodeToString(key[:31]), true},
		{"base64 of 33 bytes", base64.StdEncoding.EncodeToString(append(key, 0)), true},
		{"base64 of 16 bytes", base64.StdEncoding.EncodeToString(key[:16]), true},
		{"passphrase", "correct horse battery staple", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKey(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidKey) {
					t.Errorf("got err %v, want %v", err, ErrInvalidKey)
				}
				return
			}
			if err != nil {
				t.Fatalf("got err %v, want nil", err)
			}
			if !bytes.Equal(got, key) {
				t.Errorf("got %x, want %x", got, key)
			}
		})
	}
}

func TestParseKeyErrorIsClear(t *testing.T) {
	_, err := ParseKey("nope")
	if err == nil || !strings.Contains(err.Error(), "64 hex characters") {
		t.Errorf("got %v, want a message that names the accepted formats", err)
	}
}

func TestLoadOrCreateKeyFileCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seal.key")
	key, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != KeySize || bytes.Equal(key, make([]byte, KeySize)) {
		t.Errorf("got key %x, want %d random bytes", key, KeySize)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("got mode %o, want 600", got)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), hex.EncodeToString(key)+"\n"; got != want {
		t.Errorf("got file %q, want %q", got, want)
	}

	again, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, key) {
		t.Errorf("second load got %x, want %x", again, key)
	}
}

func TestLoadOrCreateKeyFileReadsExisting(t *testing.T) {
	key := bytes.Repeat([]byte{0xab}, KeySize)
	tests := []struct {
		name, content string
	}{
		{"hex", hex.EncodeToString(key) + "\n"},
		{"base64", base64.StdEncoding.EncodeToString(key)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seal.key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := LoadOrCreateKeyFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, key) {
				t.Errorf("got %x, want %x", got, key)
			}
		})
	}
}

func TestLoadOrCreateKeyFileErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.key")
	if err := os.WriteFile(bad, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		want       error
	}{
		{"malformed content", bad, ErrInvalidKey},
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "seal.key"), fs.ErrNotExist},
		{"a directory", dir, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := LoadOrCreateKeyFile(tt.path)
			if err == nil || key != nil {
				t.Fatalf("got %x, %v; want an error", key, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.path) {
				t.Errorf("got %q, want the path in the message", err)
			}
		})
	}
	if data, _ := os.ReadFile(bad); string(data) != "not a key\n" {
		t.Errorf("malformed key file was changed to %q", data)
	}
}

// Processes starting at once all end up with the one key that was written.
func TestLoadOrCreateKeyFileConcurrent(t *testing.T) {
	for range 20 {
		path := filepath.Join(t.TempDir(), "seal.key")
		const n = 8
		keys := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { keys[i], errs[i] = LoadOrCreateKeyFile(path) })
		}
		wg.Wait()
		onDisk, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("caller %d: %v", i, errs[i])
			}
			if got, want := hex.EncodeToString(keys[i])+"\n", string(onDisk); got != want {
				t.Fatalf("caller %d got %q, want the key on disk %q", i, got, want)
			}
		}
	}
}

func TestReadKeyFileWaitsForContent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seal.key")
	if err := os.WriteFile(path, nil, 0o600); err != nil { // created, not yet written
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{7}, KeySize)
	done := make(chan error, 1)
	go func() {
		k, err := LoadOrCreateKeyFile(path)
		if err == nil && !bytes.Equal(k, key) {
			err = errors.New("wrong key")
		}
		done <- err
	}()
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}
