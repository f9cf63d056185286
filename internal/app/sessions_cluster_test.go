package app_test

import (
	"encoding/base32"
	"net/http"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/totp"
)

// TestClusterSessionsEndOnEveryNode is docs/security.md R10 for sessions
// and memberships: what node A ends, node B refuses at the very next
// request (sessions and memberships are read from the shared database):
// a logout, the other sessions ended by turning 2FA on, and a revoked
// membership.
func TestClusterSessionsEndOnEveryNode(t *testing.T) {
	_, nodes := cluster(t, 2)
	a, b := nodes[0], nodes[1]
	owner := a.Signup("owner@example.com", "Org")
	status := func(token, path string) int { return b.Do("GET", path, token, nil).Status }

	second := a.Login("owner@example.com")
	third := a.Login("owner@example.com")
	for _, tok := range []string{owner.Token, second, third} {
		if s := status(tok, "/api/v1/me"); s != http.StatusOK {
			t.Fatalf("a session made on A, on B: %d", s)
		}
	}
	a.Must(http.StatusNoContent, "DELETE", "/api/v1/sessions/current", second, nil)
	if s := status(second, "/api/v1/me"); s != http.StatusUnauthorized {
		t.Fatalf("a session logged out on A, on B at once: %d, want 401", s)
	}

	en := a.Must(http.StatusOK, "POST", "/api/v1/me/totp", owner.Token, nil).M(t)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(en["secret"].(string)))
	if err != nil {
		t.Fatal(err)
	}
	a.Must(http.StatusOK, "POST", "/api/v1/me/totp/confirm", owner.Token, map[string]any{"code": totp.Code(secret, a.Clock.Now())})
	if s := status(third, "/api/v1/me"); s != http.StatusUnauthorized {
		t.Fatalf("another session after 2FA was turned on at A, on B at once: %d, want 401", s)
	}
	if s := status(owner.Token, "/api/v1/me"); s != http.StatusOK {
		t.Fatalf("the session that turned 2FA on, on B: %d, want 200", s)
	}

	_, memberID := member(t, a, owner, "bookkeeper", "bk@example.com")
	bk := a.Login("bk@example.com")
	org := "/api/v1/orgs/" + owner.OrgID
	if s := status(bk, org); s != http.StatusOK {
		t.Fatalf("a member on B: %d", s)
	}
	a.Must(http.StatusOK, "POST", org+"/members/"+memberID+"/revoke", owner.Token, nil)
	if s := status(bk, org); s != http.StatusNotFound {
		t.Fatalf("a member revoked on A, on B at once: %d, want 404", s)
	}
}
