package portal

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/codestest"
	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

type dbOutage struct{}

func (dbOutage) Error() string     { return "database unreachable" }
func (dbOutage) Unavailable() bool { return true }

// The portal's error pages and re-shown forms answer every code with the
// API's status (httpkit's table). It used to keep its own, which answered
// a database outage with 500 where the API answers 503.
func TestErrorPagesUseTheSharedTable(t *testing.T) {
	pg, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	p := &Portal{pages: pg, model: &roster.Model{}, log: slog.New(slog.DiscardHandler), csrfKey: []byte("k"), now: time.Now}
	for _, c := range codestest.RosterCodes(t) {
		w := httptest.NewRecorder()
		err := &roster.Error{Code: c, Message: "m", RetryAfter: 3 * time.Second}
		p.fail(w, httptest.NewRequest("GET", "/", nil), err)
		if w.Code != httpkit.Status(c) {
			t.Errorf("code %s: error page %d, want %d", c, w.Code, httpkit.Status(c))
		}
		if got := formStatus(httptest.NewRecorder(), err); got != httpkit.Status(c) {
			t.Errorf("code %s: form status %d, want %d", c, got, httpkit.Status(c))
		}
		if (c == roster.CodeRateLimited || c == roster.CodeUnavailable) != (w.Header().Get("Retry-After") == "3") {
			t.Errorf("code %s: Retry-After %q", c, w.Header().Get("Retry-After"))
		}
	}
	w := httptest.NewRecorder()
	p.fail(w, httptest.NewRequest("GET", "/", nil), fmt.Errorf("list members: %w", dbOutage{}))
	if w.Code != 503 || w.Header().Get("Retry-After") != "1" || !strings.Contains(w.Body.String(), "temporarily unavailable") {
		t.Errorf("a database outage: got %d (Retry-After %q), want 503 with Retry-After 1 and the message", w.Code, w.Header().Get("Retry-After"))
	}
	w = httptest.NewRecorder()
	p.fail(w, httptest.NewRequest("GET", "/", nil), errors.New("boom"))
	if w.Code != 500 {
		t.Errorf("an internal error: got %d, want 500", w.Code)
	}
}

// A page asked with a method it does not answer is 405 with Allow naming
// every method it answers (it used to name only the first found).
func TestMethodNotAllowedNamesAllow(t *testing.T) {
	pg, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	p := &Portal{pages: pg, model: &roster.Model{}, log: slog.New(slog.DiscardHandler), csrfKey: []byte("k"), now: time.Now, mux: http.NewServeMux()}
	p.routes()
	cases := []struct{ method, path, allow string }{
		{"GET", "/logout", "POST"},
		{"PUT", "/login", "GET, HEAD, POST"},
		{"DELETE", "/o/org_1/users", "GET, HEAD"},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		p.mux.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		if w.Code != 405 || w.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: got %d, Allow %q; want 405, Allow %q", c.method, c.path, w.Code, w.Header().Get("Allow"), c.allow)
		}
	}
}
