package password

import (
	"context"
	"errors"
	"testing"
)

func TestVerifyMalformed(t *testing.T) {
	const good = "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"
	tests := []struct {
		name, encoded string
	}{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", "$argon2i$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"no leading dollar", "argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"old version", "$argon2id$v=16$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"no version", "$argon2id$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"params out of order", "$argon2id$v=19$t=2,m=64,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"leading zero", "$argon2id$v=19$m=064,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"plus sign", "$argon2id$v=19$m=+64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"negative", "$argon2id$v=19$m=-64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"extra param", "$argon2id$v=19$m=64,t=2,p=1,k=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"zero time", "$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"zero threads", "$argon2id$v=19$m=64,t=2,p=0$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"threads overflow", "$argon2id$v=19$m=64,t=2,p=256$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"memory below 8p", "$argon2id$v=19$m=7,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"memory too big", "$argon2id$v=19$m=4294967295,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"time too big", "$argon2id$v=19$m=64,t=1000000,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"padded salt", "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA==$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"url base64", "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N_nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"short salt", "$argon2id$v=19$m=64,t=2,p=1$c2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
		{"short hash", "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWC"},
		{"empty hash", "$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$"},
		{"trailing field", good + "$x"},
		{"trailing newline", good + "\n"},
	}
	h := NewHasher(TestParams(), 0)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), "correct horse battery staple", tt.encoded)
			if !errors.Is(err, ErrMalformedHash) {
				t.Errorf("got err %v, want %v", err, ErrMalformedHash)
			}
			if ok || rehash {
				t.Errorf("got ok=%v rehash=%v, want false false", ok, rehash)
			}
		})
	}
	if _, err := parsePHC(good); err != nil {
		t.Errorf("control: got %v, want nil", err)
	}
}

// FuzzParsePHC checks that parsing never panics and that whatever parses
// is in canonical form.
func FuzzParsePHC(f *testing.F) {
	for _, r := range referenceHashes {
		f.Add(r.encoded)
	}
	f.Add(productionReference)
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$")
	f.Fuzz(func(t *testing.T, encoded string) {
		parsed, err := parsePHC(encoded)
		if err != nil {
			return
		}
		if got := parsed.String(); got != encoded {
			t.Errorf("got %q after a round trip, want %q", got, encoded)
		}
	})
}
