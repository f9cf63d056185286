// Package seal encrypts small secrets at rest, such as TOTP seeds, with
// AES-256-GCM. A sealed value is a random 12-byte nonce followed by the
// ciphertext and its 16-byte tag. Callers pass additional data that binds a
// value to its place (a user id, say), so that a sealed value copied to
// another row does not open.
//
// The key lives outside the database: in a file made by
// LoadOrCreateKeyFile, or in configuration read by ParseKey.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

var (
	// ErrDecrypt means a sealed value did not open: it was altered, cut
	// short, sealed under another key or with other additional data.
	ErrDecrypt = errors.New("seal: cannot open sealed value")
	// ErrInvalidKey means a key has the wrong length or encoding.
	ErrInvalidKey = errors.New("invalid key")
)

// Box seals and opens values under one key. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
}

// New returns a Box for key, which must be KeySize bytes.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: %w: got %d bytes, want %d", ErrInvalidKey, len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext and authenticates it with additionalData, which
// Open must be given again. It returns nonce||ciphertext.
func (b *Box) Seal(plaintext, additionalData []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal: nonce: %w", err)
	}
	return b.aead.Seal(nonce, nonce, plaintext, additionalData), nil
}

// Open decrypts a value from Seal. Any failure is ErrDecrypt.
func (b *Box) Open(sealed, additionalData []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(sealed) < n+b.aead.Overhead() {
		return nil, ErrDecrypt
	}
	plaintext, err := b.aead.Open(nil, sealed[:n], sealed[n:], additionalData)
	if err != nil {
		return nil, ErrDecrypt
	}
	return plaintext, nil
}
