package apitest

import (
	"testing"

	"github.com/roster-dev/roster/client"
)

// refusedUnchanged makes a call that must be refused with status and code
// and shows that it changed nothing in the database (R21).
func refusedUnchanged(t *testing.T, e *Env, status int, code, what string, call func() error) {
	t.Helper()
	before := e.DatabaseText()
	if err := call(); !isErr(err, status, code) {
		t.Fatalf("%s: got %v, want %d %s", what, err, status, code)
	}
	if after := e.DatabaseText(); after != before {
		t.Fatalf("%s was refused but changed the database", what)
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
	lead := roleReq("Lead", "users.manage", "clients.settings", "clients.feedback", "clients.view")
	lead.ClientAccess = client.Ptr(client.AccessSpecific)
	createRole(t, e, a.Token, a.OrgID, lead)
	f.lead = addMember(t, e, a, "lead", "lead@example.com")
	must(e.api(a.Token).SetClientAccess(bg, a.OrgID, f.lead.MemberID, client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{f.c1}}))(t)
	return f
}

// discard drops a call's value, keeping its error.
func discard[T any](_ T, err error) error { return err }

// R11: an actor restricted to some clients gives only specific clients it
// sees; inviting into all_by_default without client_access, mode all, a
// role change, a reactivation or a custom role that would see every client
// is 403 escalation and changes nothing.
func TestR11RestrictedManagerCannotWidenClientAccess(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	f := newScopeFixture(t, e)
	a := f.owner
	L, owner := e.api(f.lead.Token), e.api(a.Token)
	inviteBK := func(access *client.ClientAccess) func() error {
		return func() error {
			return discard(L.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"bk@example.com"}, Role: "bookkeeper", ClientAccess: access}))
		}
	}

	refusedUnchanged(t, e, 403, "escalation", "invite without client_access", inviteBK(nil))
	refusedUnchanged(t, e, 403, "escalation", "invite with mode all", inviteBK(&client.ClientAccess{Mode: client.AccessAll}))

	// What L may do: specific clients it sees.
	res := must(L.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"bk@example.com"}, Role: "bookkeeper",
		ClientAccess: &client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{f.c1}}}))(t)
	bk := res[0].MemberID
	if m := getMember(t, e, a.Token, a.OrgID, bk); m.ClientAccess.Mode != "specific" || len(m.ClientAccess.Clients) != 1 || m.ClientAccess.Clients[0] != f.c1 {
		t.Fatalf("specific invitation: got %+v", m.ClientAccess)
	}
	_, err := L.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"x@example.com"}, Role: "bookkeeper",
		ClientAccess: &client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{f.c2}}})
	if client.StatusOf(err) != 422 {
		t.Fatalf("a client L cannot see: got %v, want 422", err)
	}

	// Setting mode all on a member.
	refusedUnchanged(t, e, 403, "escalation", "PUT clients mode all", func() error {
		return discard(L.SetClientAccess(bg, a.OrgID, bk, client.ClientAccess{Mode: client.AccessAll}))
	})

	// A role change that would see every client: a view-only member the
	// owner invited with every client, moved to bookkeeper by L.
	viewer := invite(t, e, a.Token, a.OrgID, "view_only", "viewer@example.com")[0].MemberID
	refusedUnchanged(t, e, 403, "escalation", "PATCH role to bookkeeper", func() error {
		return discard(L.UpdateMember(bg, a.OrgID, viewer, client.UpdateMemberRequest{Role: client.Ptr("bookkeeper")}))
	})
	// The bookkeeper L invited keeps its specific list under another role.
	must(L.UpdateMember(bg, a.OrgID, bk, client.UpdateMemberRequest{Role: client.Ptr("view_only")}))(t)

	// Reactivating a member who saw every client.
	wide := invite(t, e, a.Token, a.OrgID, "bookkeeper", "wide@example.com")[0].MemberID
	must(owner.Revoke(bg, a.OrgID, wide))(t)
	refusedUnchanged(t, e, 403, "escalation", "reactivate", func() error { return discard(L.Reactivate(bg, a.OrgID, wide)) })

	// Custom roles whose holders would see every client.
	for _, rule := range []string{"all", "all_by_default"} {
		req := roleReq("Wide "+rule, "clients.view")
		req.ClientAccess = &rule
		refusedUnchanged(t, e, 403, "escalation", "create a role with "+rule, func() error { return discard(L.CreateRole(bg, a.OrgID, req)) })
	}
	created := createRole(t, e, f.lead.Token, a.OrgID, roleReq("Narrow", "clients.view"))
	if created.ClientAccess != "specific" {
		t.Fatalf("a custom role made by a restricted manager: client access %q, want specific by default", created.ClientAccess)
	}
	refusedUnchanged(t, e, 403, "escalation", "PATCH narrow to all_by_default", func() error {
		return discard(L.UpdateRole(bg, a.OrgID, "narrow", client.RoleRequest{ClientAccess: client.Ptr(client.AccessAllByDefault)}))
	})

	// The owner sees every client and still gives them.
	must(owner.SetClientAccess(bg, a.OrgID, bk, client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{f.c1, f.c2}}))(t)
	must(owner.Reactivate(bg, a.OrgID, wide))(t)
}

// The attack as reported: L invites a bookkeeper with no client_access; the
// new member must not see C2.
func TestR11RestrictedManagerInviteReportedCase(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	f := newScopeFixture(t, e)
	_, err := e.api(f.lead.Token).Invite(bg, f.owner.OrgID, client.InviteRequest{Emails: []string{"new@example.com"}, Role: "bookkeeper"})
	if !isErr(err, 403, "escalation") {
		t.Fatalf("got %v, want 403 escalation", err)
	}
	for _, m := range e.Emails() {
		if m.To == "new@example.com" {
			t.Fatal("a refused invitation sent an email")
		}
	}
}

// R8: nobody edits or deletes a role they hold.
func TestR8NobodyEditsTheirOwnRole(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	f := newScopeFixture(t, e)
	a, L := f.owner, e.api(f.lead.Token)
	for what, req := range map[string]client.RoleRequest{
		"PATCH description":   {Description: client.Ptr("mine now")},
		"PATCH client_access": {ClientAccess: client.Ptr(client.AccessSpecific)},
	} {
		refusedUnchanged(t, e, 403, "forbidden", what, func() error { return discard(L.UpdateRole(bg, a.OrgID, "lead", req)) })
	}
	refusedUnchanged(t, e, 403, "forbidden", "DELETE reassigning to client", func() error { return L.DeleteRole(bg, a.OrgID, "lead", "client") })
	// Someone else may.
	must(e.api(a.Token).UpdateRole(bg, a.OrgID, "lead", client.RoleRequest{Description: client.Ptr("Team leads")}))(t)
}
