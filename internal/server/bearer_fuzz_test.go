package server

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzBearer: the session token is read from "Authorization: Bearer <t>"
// only; what bearer returns is non-empty, carries no surrounding space and
// appears in the header as sent; a well-formed header gives back exactly
// its token.
func FuzzBearer(f *testing.F) {
	for _, s := range []string{"Bearer abc", "bearer  abc ", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "BEARER\tx", "Token x", ""} {
		f.Add(s, "tok_"+s)
	}
	f.Fuzz(func(t *testing.T, header, token string) {
		r := httptest.NewRequest("GET", "/api/v1/me", nil)
		r.Header.Set("Authorization", header)
		got, ok := bearer(r)
		if ok {
			scheme, _, cut := strings.Cut(header, " ")
			if !cut || !strings.EqualFold(scheme, "Bearer") {
				t.Fatalf("header %q: accepted %q without the Bearer scheme", header, got)
			}
			if got == "" || got != strings.TrimSpace(got) || !strings.Contains(header, got) {
				t.Fatalf("header %q: token %q", header, got)
			}
		} else if got != "" {
			t.Fatalf("header %q: refused but returned %q", header, got)
		}
		if token == "" || token != strings.TrimSpace(token) {
			return
		}
		r.Header.Set("Authorization", "Bearer "+token)
		if got, ok := bearer(r); !ok || got != token {
			t.Fatalf("Bearer %q: got %q, %v", token, got, ok)
		}
	})
}
