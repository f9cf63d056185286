package apitest

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"

	"github.com/roster-dev/roster/client"
)

var auditRows = regexp.MustCompile(`\baudit_events=(\d+) `)

// auditCount is the number of rows of the audit table.
func auditCount(t *testing.T, e *Env) int {
	t.Helper()
	m := auditRows.FindStringSubmatch(e.TableCounts())
	if m == nil {
		t.Fatalf("no audit_events table in %s", e.TableCounts())
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// docs/security.md item 30: every change writes its audit records in its
// own transaction, one per changed thing, and a refused request writes
// none.
func TestEveryChangeWritesItsAuditRecords(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	o := org(a.OrgID)
	var clientID, bkMember, cmMember string
	steps := []struct {
		name string
		want int
		do   func()
	}{
		{"create a client", 1, func() { clientID = createClient(t, e, a.Token, a.OrgID, "Acme") }},
		{"rename the client", 1, func() {
			e.Must(http.StatusOK, "PATCH", o+"/clients/"+clientID, a.Token, map[string]any{"name": "Acme Ltd"})
		}},
		{"invite two addresses", 2, func() {
			res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "bk@example.com", "cm@example.com")
			bkMember, cmMember = res[0].MemberID, res[1].MemberID
		}},
		{"accept an invitation", 1, func() {
			e.Must(http.StatusOK, "POST", "/api/v1/invitations/accept", "", map[string]any{
				"token": e.LastToken("bk@example.com", "invite"), "password": Password, "first_name": "B", "last_name": "K"})
		}},
		{"change a role", 1, func() {
			e.Must(http.StatusOK, "PATCH", o+"/members/"+bkMember, a.Token, map[string]any{"role": "view_only"})
		}},
		{"assign clients", 1, func() {
			e.Must(http.StatusOK, "PUT", o+"/members/"+bkMember+"/clients", a.Token, map[string]any{"mode": "specific", "clients": []string{clientID}})
		}},
		{"revoke", 1, func() { e.Must(http.StatusOK, "POST", o+"/members/"+bkMember+"/revoke", a.Token, nil) }},
		{"reactivate", 1, func() { e.Must(http.StatusOK, "POST", o+"/members/"+bkMember+"/reactivate", a.Token, nil) }},
		{"resend an invitation", 1, func() { e.Must(http.StatusOK, "POST", o+"/members/"+cmMember+"/resend", a.Token, nil) }},
		{"create a custom role", 1, func() {
			createRole(t, e, a.Token, a.OrgID, client.RoleRequest{Name: client.Ptr("Reader"), Permissions: client.Ptr([]string{"clients.view"})})
		}},
		{"edit the custom role", 1, func() {
			e.Must(http.StatusOK, "PATCH", o+"/roles/reader", a.Token, map[string]any{"description": "Reads"})
		}},
		{"delete the custom role", 1, func() { e.Must(http.StatusNoContent, "DELETE", o+"/roles/reader", a.Token, nil) }},
		{"rename the organization", 1, func() { e.Must(http.StatusOK, "PATCH", o, a.Token, map[string]any{"name": "Org Two"}) }},
		{"refused: a role change of the owner", 0, func() {
			if r := e.Do("PATCH", o+"/members/"+a.MemberID, a.Token, map[string]any{"role": "client"}); r.Status < 400 {
				t.Fatalf("changing one's own role: %d", r.Status)
			}
		}},
		{"refused: an unknown client", 0, func() {
			if r := e.Do("PUT", o+"/members/"+bkMember+"/clients", a.Token, map[string]any{"mode": "specific", "clients": []string{"cli_nothere"}}); r.Status != 422 {
				t.Fatalf("an unknown client: %d", r.Status)
			}
		}},
	}
	for _, s := range steps {
		before := auditCount(t, e)
		s.do()
		if got := auditCount(t, e) - before; got != s.want {
			t.Errorf("%s: %d audit records, want %d", s.name, got, s.want)
		}
	}
}
