package server_test

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/apitest"
)

// FuzzUnknownTokensRefused: a token the node never issued, whatever its
// bytes, is refused wherever a token is read — as a session bearer token
// (401 unauthenticated), in an invitation link (no 2xx), to verify an
// address or accept an invitation (404 or 422) — never with a 5xx, and
// the database is left as it was. The requests go straight to the node's
// handler, so bytes an HTTP client would refuse to send still reach it.
func FuzzUnknownTokensRefused(f *testing.F) {
	for _, s := range []string{
		"", "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "..", "../../admin", "%00", "tok\r\nX-Evil: 1",
		"Bearer abc", strings.Repeat("z", 5000), "ses_0123", "\xff\xfe", "' OR 1=1 --",
	} {
		f.Add(s)
	}
	e := apitest.New(f, "practice")
	owner := e.Signup("owner@example.com", "Org")
	e.Must(200, "POST", "/api/v1/orgs/"+owner.OrgID+"/invitations", owner.Token, map[string]any{"emails": []string{"pending@example.com"}})
	before := e.TableCounts()
	serve := func(method, target, auth string, body any) (int, string) {
		var rd *bytes.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		} else {
			rd = bytes.NewReader(nil)
		}
		r := httptest.NewRequest(method, "http://roster.test/", rd)
		r.URL = &url.URL{Path: target, RawPath: ""}
		r.RequestURI = ""
		if p, err := url.PathUnescape(target); err == nil {
			r.URL.Path = p
			r.URL.RawPath = target
		}
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
		if auth != "" {
			r.Header["Authorization"] = []string{auth}
		}
		w := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	f.Fuzz(func(t *testing.T, token string) {
		e.T = t // the Env's helpers report to this input's test (*testing.F's may not be used here)
		if strings.TrimSpace(token) == apitest.OperatorToken || strings.Contains(token, owner.Token) {
			return
		}
		if code, body := serve("GET", "/api/v1/me", "Bearer "+token, nil); code != 401 || !strings.Contains(body, `"unauthenticated"`) {
			t.Fatalf("bearer %q: got %d %s, want 401 unauthenticated", token, code, body)
		}
		if code, body := serve("GET", "/api/v1/invitations/"+url.PathEscape(token), "", nil); code < 300 || code >= 500 {
			t.Fatalf("invitation link %q: got %d %s, want a refusal", token, code, body)
		}
		if code, body := serve("POST", "/api/v1/verify-email", "", map[string]any{"token": token}); code != 404 && code != 422 {
			t.Fatalf("verify %q: got %d %s, want 404 or 422", token, code, body)
		}
		accept := map[string]any{"token": token, "password": apitest.Password, "first_name": "A", "last_name": "B"}
		if code, body := serve("POST", "/api/v1/invitations/accept", "", accept); code != 404 && code != 422 {
			t.Fatalf("accept %q: got %d %s, want 404 or 422", token, code, body)
		}
		if after := e.TableCounts(); after != before {
			t.Fatalf("token %q changed the database:\nbefore %s\nafter  %s", token, before, after)
		}
	})
}
