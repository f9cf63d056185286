package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/roster"
)

// docs/security.md item 2: deny by default. A route table holding one route
// that declares no requirement is refused as a whole, so New fails and the
// node never starts; and every route of the real table declares one.
func TestRouteWithoutRequirementRefused(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) error { w.WriteHeader(http.StatusTeapot); return nil }
	table := []route{
		{"GET /api/v1/fine", roster.RequireMember, ok},
		{"POST /api/v1/orgs/{org}/forgotten", 0, ok}, // no requirement
	}
	s := &Server{mux: http.NewServeMux()}
	err := s.register(table)
	if err == nil || !strings.Contains(err.Error(), "POST /api/v1/orgs/{org}/forgotten") {
		t.Fatalf("register with a route lacking a requirement: got %v, want an error naming it", err)
	}
	// Nothing of the refused table is served.
	for _, path := range []string{"/api/v1/fine", "/api/v1/orgs/o/forgotten"} {
		if _, pattern := s.mux.Handler(httptest.NewRequest("GET", path, nil)); pattern != "" {
			t.Errorf("%s is mounted (%s) although the table was refused", path, pattern)
		}
	}

	for _, rt := range (&Server{}).routeTable() {
		if rt.need == 0 {
			t.Errorf("route %s declares no requirement", rt.pattern)
		}
	}
}
