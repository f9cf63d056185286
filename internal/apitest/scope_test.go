package apitest

import (
	"net/http"
	"testing"
)

// refusedUnchanged makes a request that must be refused with status and
// code and shows that it changed nothing in the database (R21).
func refusedUnchanged(t *testing.T, e *Env, status int, code, method, path, token string, body any) {
	t.Helper()
	before := e.DatabaseText()
	r := e.Do(method, path, token, body)
	if r.Status != status || r.ErrorCode() != code {
		t.Fatalf("%s %s %v: got %d %s, want %d %s", method, path, body, r.Status, r.Body, status, code)
	}
	if after := e.DatabaseText(); after != before {
		t.Fatalf("%s %s was refused but changed the database", method, path)
	}
}

// scopeFixture is a practice with two clients and a manager, L, whose
// custom role "Lead" manages users but sees only the clients assigned to it
// (C1).
type scopeFixture struct {
	owner  Account
	c1, c2 string
	lead   joined
}

func newScopeFixture(t *testing.T, e *Env) scopeFixture {
	t.Helper()
	a := e.Signup("owner@example.com", "Practice")
	f := scopeFixture{owner: a, c1: createClient(t, e, a.Token, a.OrgID, "Client one"), c2: createClient(t, e, a.Token, a.OrgID, "Client two")}
	createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Lead", "client_access": "specific",
		"permissions": []string{"users.manage", "clients.settings", "clients.feedback", "clients.view"}})
	f.lead = addMember(t, e, a, "lead", "lead@example.com")
	e.Must(http.StatusOK, "PUT", org(a.OrgID)+"/members/"+f.lead.MemberID+"/clients", a.Token,
		map[string]any{"mode": "specific", "clients": []string{f.c1}})
	return f
}

// R11: an actor restricted to some clients gives only specific clients it
// sees; inviting into all_by_default without client_access, mode all, a
// role change, a reactivation or a custom role that would see every client
// is 403 escalation and changes nothing.
func TestR11RestrictedManagerCannotWidenClientAccess(t *testing.T) {
	e := New(t, "practice")
	f := newScopeFixture(t, e)
	a, L := f.owner, f.lead.Token
	invitations := org(a.OrgID) + "/invitations"

	refusedUnchanged(t, e, 403, "escalation", "POST", invitations, L,
		map[string]any{"emails": []string{"bk@example.com"}, "role": "bookkeeper"})
	refusedUnchanged(t, e, 403, "escalation", "POST", invitations, L,
		map[string]any{"emails": []string{"bk@example.com"}, "role": "bookkeeper", "client_access": map[string]any{"mode": "all"}})

	// What L may do: specific clients it sees.
	var res struct{ Results []inviteResult }
	e.Must(http.StatusOK, "POST", invitations, L, map[string]any{"emails": []string{"bk@example.com"}, "role": "bookkeeper",
		"client_access": map[string]any{"mode": "specific", "clients": []string{f.c1}}}).JSON(t, &res)
	bk := res.Results[0].MemberID
	if m := getMember(t, e, a.Token, a.OrgID, bk); m.ClientAccess.Mode != "specific" || len(m.ClientAccess.Clients) != 1 || m.ClientAccess.Clients[0] != f.c1 {
		t.Fatalf("specific invitation: got %+v", m.ClientAccess)
	}
	if r := e.Do("POST", invitations, L, map[string]any{"emails": []string{"x@example.com"}, "role": "bookkeeper",
		"client_access": map[string]any{"mode": "specific", "clients": []string{f.c2}}}); r.Status != 422 {
		t.Fatalf("a client L cannot see: got %d %s, want 422", r.Status, r.Body)
	}

	// Setting mode all on a member.
	refusedUnchanged(t, e, 403, "escalation", "PUT", org(a.OrgID)+"/members/"+bk+"/clients", L, map[string]any{"mode": "all"})

	// A role change that would see every client: a view-only member the
	// owner invited with every client, moved to bookkeeper by L.
	viewer := invite(t, e, a.Token, a.OrgID, "view_only", "viewer@example.com")[0].MemberID
	refusedUnchanged(t, e, 403, "escalation", "PATCH", org(a.OrgID)+"/members/"+viewer, L, map[string]any{"role": "bookkeeper"})
	// The bookkeeper L invited keeps its specific list under another role.
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+bk, L, map[string]any{"role": "view_only"})

	// Reactivating a member who saw every client.
	wide := invite(t, e, a.Token, a.OrgID, "bookkeeper", "wide@example.com")[0].MemberID
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+wide+"/revoke", a.Token, nil)
	refusedUnchanged(t, e, 403, "escalation", "POST", org(a.OrgID)+"/members/"+wide+"/reactivate", L, nil)

	// Custom roles whose holders would see every client.
	roles := org(a.OrgID) + "/roles"
	for _, rule := range []string{"all", "all_by_default"} {
		refusedUnchanged(t, e, 403, "escalation", "POST", roles, L,
			map[string]any{"name": "Wide " + rule, "permissions": []string{"clients.view"}, "client_access": rule})
	}
	created := createRole(t, e, L, a.OrgID, map[string]any{"name": "Narrow", "permissions": []string{"clients.view"}})
	if created.ClientAccess != "specific" {
		t.Fatalf("a custom role made by a restricted manager: client access %q, want specific by default", created.ClientAccess)
	}
	refusedUnchanged(t, e, 403, "escalation", "PATCH", roles+"/narrow", L, map[string]any{"client_access": "all_by_default"})

	// The owner sees every client and still gives them.
	e.Must(http.StatusOK, "PUT", org(a.OrgID)+"/members/"+bk+"/clients", a.Token, map[string]any{"mode": "specific", "clients": []string{f.c1, f.c2}})
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+wide+"/reactivate", a.Token, nil)
}

// The attack as reported: L invites a bookkeeper with no client_access; the
// new member must not see C2.
func TestR11RestrictedManagerInviteReportedCase(t *testing.T) {
	e := New(t, "practice")
	f := newScopeFixture(t, e)
	r := e.Do("POST", org(f.owner.OrgID)+"/invitations", f.lead.Token, map[string]any{"emails": []string{"new@example.com"}, "role": "bookkeeper"})
	if r.Status != 403 || r.ErrorCode() != "escalation" {
		t.Fatalf("got %d %s, want 403 escalation", r.Status, r.Body)
	}
	for _, m := range e.Emails() {
		if m.To == "new@example.com" {
			t.Fatal("a refused invitation sent an email")
		}
	}
}

// R8: nobody edits or deletes a role they hold.
func TestR8NobodyEditsTheirOwnRole(t *testing.T) {
	e := New(t, "practice")
	f := newScopeFixture(t, e)
	a, L := f.owner, f.lead.Token
	refusedUnchanged(t, e, 403, "forbidden", "PATCH", org(a.OrgID)+"/roles/lead", L, map[string]any{"description": "mine now"})
	refusedUnchanged(t, e, 403, "forbidden", "PATCH", org(a.OrgID)+"/roles/lead", L, map[string]any{"client_access": "specific"})
	refusedUnchanged(t, e, 403, "forbidden", "DELETE", org(a.OrgID)+"/roles/lead?reassign_to=client", L, nil)
	// Someone else may.
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/roles/lead", a.Token, map[string]any{"description": "Team leads"})
}
