package server

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/roster-dev/roster/internal/codestest"
	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

type dbOutage struct{}

func (dbOutage) Error() string     { return "database unreachable" }
func (dbOutage) Unavailable() bool { return true }

// The API answers every code with httpkit's status, in the contract's JSON
// shape; a database outage is 503 unavailable with Retry-After.
func TestWriteErrorUsesTheSharedTable(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler)}
	for _, c := range codestest.RosterCodes(t) {
		w := httptest.NewRecorder()
		s.writeError(w, httptest.NewRequest("GET", "/api/v1/me", nil), &roster.Error{Code: c, Message: "m"})
		var body errorBody
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != httpkit.Status(c) || body.Error.Code != c {
			t.Errorf("code %s: got %d %s, want %d", c, w.Code, w.Body, httpkit.Status(c))
		}
	}
	w := httptest.NewRecorder()
	s.writeError(w, httptest.NewRequest("GET", "/api/v1/me", nil), fmt.Errorf("get user: %w", dbOutage{}))
	if w.Code != 503 || w.Header().Get("Retry-After") != "1" {
		t.Errorf("a database outage: got %d (Retry-After %q) %s, want 503 with Retry-After 1", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
}

// A path of the API or a service route asked with a method it does not
// serve is 405 method_not_allowed with Allow naming the methods it serves
// (the API's 405s had no Allow header).
func TestMethodNotAllowedNamesAllow(t *testing.T) {
	s, err := New(Config{Service: &roster.Service{}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ method, path, allow string }{
		{"PUT", "/api/v1/me", "GET, HEAD, PATCH"},
		{"GET", "/api/v1/sessions", "POST"},
		{"POST", "/healthz", "GET, HEAD"},
		{"DELETE", "/metrics", "GET, HEAD"},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(c.method, c.path, nil))
		var body errorBody
		_ = json.Unmarshal(w.Body.Bytes(), &body)
		if w.Code != 405 || body.Error.Code != httpkit.CodeMethodNotAllowed || w.Header().Get("Allow") != c.allow {
			t.Errorf("%s %s: got %d %s, Allow %q; want 405 method_not_allowed, Allow %q", c.method, c.path, w.Code, body.Error.Code, w.Header().Get("Allow"), c.allow)
		}
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/nothing", nil))
	if w.Code != 404 || w.Header().Get("Allow") != "" {
		t.Errorf("an unknown API path: got %d, Allow %q; want 404 without Allow", w.Code, w.Header().Get("Allow"))
	}
}
