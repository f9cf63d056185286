package seal

import (
	"bytes"
	"errors"
	"testing"
)

func newBox(t *testing.T, fill byte) *Box {
	t.Helper()
	b, err := New(bytes.Repeat([]byte{fill}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNewKeyLength(t *testing.T) {
	tests := []struct {
		size    int
		wantErr error
	}{
		{32, nil},
		{0, ErrInvalidKey},
		{16, ErrInvalidKey},
		{24, ErrInvalidKey},
		{31, ErrInvalidKey},
		{33, ErrInvalidKey},
		{64, ErrInvalidKey},
	}
	for _, tt := range tests {
		_, err := New(make([]byte, tt.size))
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("New(%d bytes) got %v, want %v", tt.size, err, tt.wantErr)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	b := newBox(t, 1)
	tests := []struct {
		name          string
		plaintext, ad []byte
	}{
		{"totp seed", []byte("12345678901234567890"), []byte("user-1")},
		{"empty plaintext", []byte{}, []byte("user-1")},
		{"nil additional data", []byte("seed"), nil},
		{"large", bytes.Repeat([]byte("x"), 1<<16), []byte("ad")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := b.Seal(tt.plaintext, tt.ad)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(sealed), 12+len(tt.plaintext)+16; got != want {
				t.Errorf("sealed length: got %d, want %d", got, want)
			}
			if len(tt.plaintext) >= 8 && bytes.Contains(sealed, tt.plaintext) {
				t.Error("sealed value contains the plaintext")
			}
			got, err := b.Open(sealed, tt.ad)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if !bytes.Equal(got, tt.plaintext) {
				t.Errorf("got %q, want %q", got, tt.plaintext)
			}
		})
	}
}

func TestSealUsesFreshNonce(t *testing.T) {
	b := newBox(t, 1)
	x, errX := b.Seal([]byte("same"), nil)
	y, errY := b.Seal([]byte("same"), nil)
	if errX != nil || errY != nil {
		t.Fatal(errX, errY)
	}
	if bytes.Equal(x[:12], y[:12]) || bytes.Equal(x, y) {
		t.Error("got the same nonce twice, want a fresh one per Seal")
	}
}

func TestOpenRefuses(t *testing.T) {
	b := newBox(t, 1)
	ad := []byte("user-1")
	sealed, err := b.Seal([]byte("12345678901234567890"), ad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		return c
	}
	tests := []struct {
		name   string
		box    *Box
		sealed []byte
		ad     []byte
	}{
		{"nonce altered", b, flip(0), ad},
		{"ciphertext altered", b, flip(12), ad},
		{"tag altered", b, flip(len(sealed) - 1), ad},
		{"truncated", b, sealed[:len(sealed)-1], ad},
		{"tag only", b, sealed[:12+16], ad},
		{"shorter than nonce and tag", b, sealed[:27], ad},
		{"empty", b, nil, ad},
		{"extended", b, append(bytes.Clone(sealed), 0), ad},
		{"other additional data", b, sealed, []byte("user-2")},
		{"missing additional data", b, sealed, nil},
		{"other key", newBox(t, 2), sealed, ad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.box.Open(tt.sealed, tt.ad)
			if !errors.Is(err, ErrDecrypt) {
				t.Errorf("got err %v, want %v", err, ErrDecrypt)
			}
			if got != nil {
				t.Errorf("got plaintext %q, want nil", got)
			}
		})
	}
}

func TestConcurrentUse(t *testing.T) {
	b := newBox(t, 1)
	errs := make(chan error, 8)
	for range cap(errs) {
		go func() {
			for range 100 {
				s, err := b.Seal([]byte("seed"), []byte("ad"))
				if err == nil {
					_, err = b.Open(s, []byte("ad"))
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
