package apitest

import (
	"testing"

	"github.com/roster-dev/roster/client"
)

// R7: a role change is in force at the member's very next request, for the
// API and for checks.
func TestR7RoleChangeTakesEffectAtOnce(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	owner, member := e.api(a.Token), e.api(bk.Token)

	if _, err := member.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"x@example.com"}, Role: "client"}); client.StatusOf(err) != 403 {
		t.Fatalf("bookkeeper inviting: got %v, want 403", err)
	}
	if d := check(t, e, a.OrgID, bk.UserID, "users.manage", ""); d.Allowed {
		t.Fatalf("check before: got %+v, want denied", d)
	}
	must(owner.UpdateMember(bg, a.OrgID, bk.MemberID, client.UpdateMemberRequest{Role: client.Ptr("client_manager")}))(t)
	if d := check(t, e, a.OrgID, bk.UserID, "users.manage", ""); !d.Allowed || d.Reason != "granted" {
		t.Fatalf("check after: got %+v, want granted", d)
	}
	invite(t, e, bk.Token, a.OrgID, "client", "x@example.com")

	must(owner.UpdateMember(bg, a.OrgID, bk.MemberID, client.UpdateMemberRequest{Role: client.Ptr("view_only")}))(t)
	if _, err := member.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"y@example.com"}}); client.StatusOf(err) != 403 {
		t.Fatalf("after demotion: got %v, want 403", err)
	}
}

// R8: no escalation; nobody changes their own role; the owner's role is
// protected; and the order of refusals between them.
func TestR8NoEscalation(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	admin2 := addMember(t, e, a, "practice_admin", "admin2@example.com")
	mgr := addMember(t, e, a, "client_manager", "mgr@example.com")
	mgr2 := addMember(t, e, a, "client_manager", "mgr2@example.com")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	patch := func(token, member, role string) error {
		_, err := e.api(token).UpdateMember(bg, a.OrgID, member, client.UpdateMemberRequest{Role: &role})
		return err
	}
	revoke := func(token, member string) error {
		_, err := e.api(token).Revoke(bg, a.OrgID, member)
		return err
	}
	cases := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"manager promotes to admin", patch(mgr.Token, bk.MemberID, "practice_admin"), 403, "escalation"},
		{"manager acts on an admin", patch(mgr.Token, admin2.MemberID, "bookkeeper"), 403, "escalation"},
		{"manager changes own role", patch(mgr.Token, mgr.MemberID, "bookkeeper"), 403, "forbidden"},
		{"owner changes own role", patch(a.Token, a.MemberID, "bookkeeper"), 403, "forbidden"},
		{"admin changes the owner's role", patch(admin2.Token, a.MemberID, "bookkeeper"), 409, "owner_protected"},
		{"manager changes the owner's role: owner_protected wins", patch(mgr.Token, a.MemberID, "bookkeeper"), 409, "owner_protected"},
		{"manager revokes an admin", revoke(mgr.Token, admin2.MemberID), 403, "escalation"},
		{"admin revokes the owner", revoke(admin2.Token, a.MemberID), 409, "owner_protected"},
		{"bookkeeper changes a role", patch(bk.Token, mgr.MemberID, "bookkeeper"), 403, "forbidden"},
	}
	for _, c := range cases {
		if !isErr(c.err, c.status, c.code) {
			t.Errorf("%s: got %v, want %d %s", c.name, c.err, c.status, c.code)
		}
	}
	if m := getMember(t, e, a.Token, a.OrgID, bk.MemberID); m.Role != "bookkeeper" {
		t.Fatalf("refused calls changed nothing: got role %s, want bookkeeper", m.Role)
	}
	// What is allowed: a manager moves a peer among roles it holds.
	if err := patch(mgr.Token, mgr2.MemberID, "bookkeeper"); err != nil {
		t.Fatalf("a manager moving a peer to bookkeeper: %v", err)
	}
}

// The roles list shows system roles in order with their permissions.
func TestRolesAndPermissionsLists(t *testing.T) {
	t.Parallel()
	e := New(t, "wealth")
	a := e.Signup("owner@example.com", "Org")
	owner := e.api(a.Token)
	roles := must(owner.ListRoles(bg, a.OrgID))(t)
	want := []string{"org_admin", "org_user", "client", "read_only"}
	if len(roles) != len(want) {
		t.Fatalf("got %d roles, want %d", len(roles), len(want))
	}
	for i, k := range want {
		r := roles[i]
		if r.Key != k || !r.System || r.Position != i {
			t.Errorf("role %d: got %s system=%v position=%d, want %s", i, r.Key, r.System, r.Position, k)
		}
	}
	if !roles[0].Admin || roles[0].ClientAccess != "all" || len(roles[0].Permissions) != 12 {
		t.Errorf("org_admin: got %+v, want admin, all clients, 12 permissions", roles[0])
	}
	if roles[3].ClientAccess != "specific" || len(roles[3].Permissions) != 2 {
		t.Errorf("read_only: got %+v, want specific and 2 permissions", roles[3])
	}
	n := 0
	for _, f := range must(owner.ListPermissions(bg, a.OrgID))(t) {
		n += len(f.Permissions)
	}
	if n != 12 {
		t.Fatalf("wealth catalog: got %d permissions, want 12", n)
	}
}

// docs/security.md item 4 / R8, exhaustively over the practice roles: a role
// holding users.manage can grant exactly the roles whose permissions it
// holds, by invitation and by role change.
func TestR8GrantSubsetMatrix(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	owner := e.api(a.Token)
	subset := func(inner, outer []string) bool {
		for _, p := range inner {
			if !has(outer, p) {
				return false
			}
		}
		return true
	}
	target := addMember(t, e, a, "client", "target@example.com")
	for _, actorRole := range []string{"practice_admin", "client_manager"} {
		actor := addMember(t, e, a, actorRole, "actor-"+actorRole+"@example.com")
		as := e.api(actor.Token)
		for role, perms := range practiceMatrix {
			want := subset(perms, practiceMatrix[actorRole])
			_, err := as.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{role + "-by-" + actorRole + "@example.com"}, Role: role})
			if (err == nil) != want || (!want && !client.IsCode(err, "escalation")) {
				t.Errorf("%s inviting %s: got %v, want allowed=%v", actorRole, role, err, want)
			}
			// Role change of a member whose current role the actor holds.
			must(owner.UpdateMember(bg, a.OrgID, target.MemberID, client.UpdateMemberRequest{Role: client.Ptr("client")}))(t)
			_, err = as.UpdateMember(bg, a.OrgID, target.MemberID, client.UpdateMemberRequest{Role: &role})
			if (err == nil) != want {
				t.Errorf("%s changing a client to %s: got %v, want allowed=%v", actorRole, role, err, want)
			}
		}
	}
}
