package server_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/apitest"
	"github.com/roster-dev/roster/internal/server"
)

// docs/security.md item 29, generated from the route table: every route, called
// signed out and as an organization's owner, answers with nosniff, a
// Content-Security-Policy with frame-ancestors 'none', no-referrer and
// no-store, and a body's Content-Type names its charset; a method the path
// does not serve is 405 method_not_allowed with the same headers.
func TestSecurityHeadersEveryRoute(t *testing.T) {
	onBothStores(t, func(t *testing.T, newDB func(*testing.T) string) {
		headersSweep(t, apitest.NewOn(t, "practice", newDB(t)))
	})
}

func headersSweep(t *testing.T, e *apitest.Env) {
	a := e.Signup("owner@example.com", "Org")
	want := map[string]string{
		"X-Content-Type-Options":  "nosniff",
		"Content-Security-Policy": "frame-ancestors 'none'",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	}
	check := func(what string, r *apitest.Resp) {
		t.Helper()
		for h, v := range want {
			if !strings.Contains(r.Header.Get(h), v) {
				t.Errorf("%s: %s = %q, want it to hold %q", what, h, r.Header.Get(h), v)
			}
		}
		if len(r.Body) > 0 && !strings.Contains(r.Header.Get("Content-Type"), "charset=") {
			t.Errorf("%s: Content-Type %q names no charset", what, r.Header.Get("Content-Type"))
		}
		if r.Status >= 500 {
			t.Errorf("%s: got %d %s", what, r.Status, r.Body)
		}
	}
	served := map[string][]string{} // path → methods
	routes := http.NewServeMux()    // the table's patterns, to tell which method+path some route serves
	for _, rt := range server.RouteTableForTest() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		served[path] = append(served[path], method)
		routes.HandleFunc(rt.Pattern, func(http.ResponseWriter, *http.Request) {})
	}
	for _, rt := range server.RouteTableForTest() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if rt.Pattern == "DELETE /api/v1/sessions/current" {
			continue // would end the owner's session mid-sweep
		}
		p := strings.ReplaceAll(path, "{org}", a.OrgID)
		p = pathParam.ReplaceAllString(p, "none")
		var body any
		if method != "GET" && method != "DELETE" {
			body = "{}"
		}
		for _, tok := range []string{"", a.Token} {
			check(method+" "+p, e.Do(method, p, tok, body))
		}
	}
	for path, methods := range served {
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			p := pathParam.ReplaceAllString(strings.ReplaceAll(path, "{org}", a.OrgID), "none")
			if _, pattern := routes.Handler(httptest.NewRequest(m, p, nil)); pattern != "" {
				continue // another route serves it (GET /invitations/{token} serves GET /invitations/accept)
			}
			r := e.Do(m, p, a.Token, nil)
			check(m+" "+p, r)
			if r.Status != http.StatusMethodNotAllowed || r.ErrorCode() != "method_not_allowed" {
				t.Errorf("%s %s (served: %v): got %d %s, want 405 method_not_allowed", m, p, methods, r.Status, r.Body)
			}
		}
	}
}
