package httpkit

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/codestest"
	"github.com/roster-dev/roster/internal/roster"
)

// Every error code of the domain, and every code of the HTTP layer, has
// one status in the table that the API and the portal both answer with.
func TestEveryCodeHasOneStatus(t *testing.T) {
	codes := append(codestest.RosterCodes(t), CodeMethodNotAllowed, CodeBodyTooLarge, CodeUnsupportedMediaType, CodeInternal)
	for _, c := range codes {
		s := Status(c)
		if s < 400 || s > 599 {
			t.Errorf("code %s: status %d, want a 4xx or 5xx", c, s)
		}
	}
	if len(statuses) != len(codes) {
		t.Errorf("the table has %d codes, the domain and this package declare %d", len(statuses), len(codes))
	}
	want := map[roster.Code]int{
		roster.CodeUnavailable: 503, roster.CodeRateLimited: 429, roster.CodeValidationFailed: 422,
		roster.CodeNotFound: 404, roster.CodeForbidden: 403, roster.CodeUnauthenticated: 401, roster.CodeEmailTaken: 409,
	}
	for c, s := range want {
		if Status(c) != s {
			t.Errorf("code %s: status %d, want %d", c, Status(c), s)
		}
	}
}

type outage struct{}

func (outage) Error() string     { return "database unreachable" }
func (outage) Unavailable() bool { return true }

func TestClassify(t *testing.T) {
	limited := &roster.Error{Code: roster.CodeRateLimited, Message: "slow down", RetryAfter: 1500 * time.Millisecond}
	cases := []struct {
		name   string
		err    error
		code   roster.Code
		status int
	}{
		{"a refusal", limited, roster.CodeRateLimited, 429},
		{"a wrapped refusal", fmt.Errorf("invite: %w", limited), roster.CodeRateLimited, 429},
		{"a database outage", fmt.Errorf("load: %w", outage{}), roster.CodeUnavailable, 503},
		{"an unknown code", &roster.Error{Code: "no_such_code"}, "", 500},
		{"anything else", errors.New("boom"), "", 500},
	}
	for _, c := range cases {
		e, status := Classify(c.err)
		var code roster.Code
		if e != nil {
			code = e.Code
		}
		if code != c.code || status != c.status {
			t.Errorf("%s: got %q %d, want %q %d", c.name, code, status, c.code, c.status)
		}
	}
	h := http.Header{}
	SetRetryAfter(h, limited)
	if h.Get("Retry-After") != "2" {
		t.Errorf("Retry-After %q for 1.5 s, want 2", h.Get("Retry-After"))
	}
	h = http.Header{}
	SetRetryAfter(h, &roster.Error{Code: roster.CodeUnavailable})
	if h.Get("Retry-After") != "1" {
		t.Errorf("Retry-After %q for an unavailable without a wait, want 1", h.Get("Retry-After"))
	}
	h = http.Header{}
	SetRetryAfter(h, &roster.Error{Code: roster.CodeForbidden})
	if _, ok := h["Retry-After"]; ok {
		t.Error("Retry-After on a 403")
	}
}

func TestAllowed(t *testing.T) {
	mux := http.NewServeMux()
	ok := func(http.ResponseWriter, *http.Request) {}
	mux.HandleFunc("GET /a", ok)
	mux.HandleFunc("POST /a", ok)
	mux.HandleFunc("POST /b", ok)
	mux.HandleFunc("/", ok) // a catch-all names no method
	cases := []struct{ method, path, want string }{
		{"DELETE", "/a", "[GET HEAD POST]"},
		{"GET", "/b", "[POST]"},
		{"PUT", "/b", "[POST]"},
		{"GET", "/c", "[]"},
	}
	for _, c := range cases {
		if got := fmt.Sprint(Allowed(mux, httptest.NewRequest(c.method, c.path, nil))); got != c.want {
			t.Errorf("%s %s: allowed %s, want %s", c.method, c.path, got, c.want)
		}
	}
}
