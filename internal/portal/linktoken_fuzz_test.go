package portal

import (
	"crypto/rand"
	"encoding/base64"
	"net/http/httptest"
	"testing"
)

// FuzzLinkToken: an emailed link's {token} reaches a page only when it has
// the shape of the tokens the service issues (43 characters of unpadded
// base64url holding 32 bytes); every token the service can issue passes.
func FuzzLinkToken(f *testing.F) {
	for range 3 {
		var b [32]byte
		_, _ = rand.Read(b[:])
		f.Add(base64.RawURLEncoding.EncodeToString(b[:]))
	}
	for _, s := range []string{"", "..%2F..%2Fetc", "abc", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "<script>", "A\nB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		r := httptest.NewRequest("GET", "/invite/x", nil)
		r.SetPathValue("token", token)
		got, ok := linkToken(r)
		if got != token {
			t.Fatalf("linkToken changed %q into %q", token, got)
		}
		b, err := base64.RawURLEncoding.DecodeString(token)
		if ok && (err != nil || len(b) != 32 || len(token) != 43) {
			t.Fatalf("%q reaches a page but has not the shape of a token (%d bytes, %v)", token, len(b), err)
		}
		if err == nil && len(b) == 32 && base64.RawURLEncoding.EncodeToString(b) == token && !ok {
			t.Fatalf("issuable token %q refused", token)
		}
	})
}
