package apitest

import (
	"net/http"
	"testing"
)

// R7: a role change is in force at the member's very next request, for the
// API and for checks.
func TestR7RoleChangeTakesEffectAtOnce(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")

	if r := e.Do("POST", org(a.OrgID)+"/invitations", bk.Token, map[string]any{"emails": []string{"x@example.com"}, "role": "client"}); r.Status != 403 {
		t.Fatalf("bookkeeper inviting: got %d, want 403", r.Status)
	}
	if d := check(t, e, a.OrgID, bk.UserID, "users.manage", ""); d.Allowed {
		t.Fatalf("check before: got %+v, want denied", d)
	}
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+bk.MemberID, a.Token, map[string]any{"role": "client_manager"})
	if d := check(t, e, a.OrgID, bk.UserID, "users.manage", ""); !d.Allowed || d.Reason != "granted" {
		t.Fatalf("check after: got %+v, want granted", d)
	}
	invite(t, e, bk.Token, a.OrgID, "client", "x@example.com")

	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+bk.MemberID, a.Token, map[string]any{"role": "view_only"})
	if r := e.Do("POST", org(a.OrgID)+"/invitations", bk.Token, map[string]any{"emails": []string{"y@example.com"}}); r.Status != 403 {
		t.Fatalf("after demotion: got %d, want 403", r.Status)
	}
}

// R8: no escalation; nobody changes their own role; the owner's role is
// protected; and the order of refusals between them.
func TestR8NoEscalation(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	admin2 := addMember(t, e, a, "practice_admin", "admin2@example.com")
	mgr := addMember(t, e, a, "client_manager", "mgr@example.com")
	mgr2 := addMember(t, e, a, "client_manager", "mgr2@example.com")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	patch := func(token, member, role string) *Resp {
		return e.Do("PATCH", org(a.OrgID)+"/members/"+member, token, map[string]any{"role": role})
	}
	cases := []struct {
		name   string
		r      *Resp
		status int
		code   string
	}{
		{"manager promotes to admin", patch(mgr.Token, bk.MemberID, "practice_admin"), 403, "escalation"},
		{"manager acts on an admin", patch(mgr.Token, admin2.MemberID, "bookkeeper"), 403, "escalation"},
		{"manager changes own role", patch(mgr.Token, mgr.MemberID, "bookkeeper"), 403, "forbidden"},
		{"owner changes own role", patch(a.Token, a.MemberID, "bookkeeper"), 403, "forbidden"},
		{"admin changes the owner's role", patch(admin2.Token, a.MemberID, "bookkeeper"), 409, "owner_protected"},
		{"manager changes the owner's role: owner_protected wins", patch(mgr.Token, a.MemberID, "bookkeeper"), 409, "owner_protected"},
		{"manager revokes an admin", e.Do("POST", org(a.OrgID)+"/members/"+admin2.MemberID+"/revoke", mgr.Token, nil), 403, "escalation"},
		{"admin revokes the owner", e.Do("POST", org(a.OrgID)+"/members/"+a.MemberID+"/revoke", admin2.Token, nil), 409, "owner_protected"},
		{"bookkeeper changes a role", patch(bk.Token, mgr.MemberID, "bookkeeper"), 403, "forbidden"},
	}
	for _, c := range cases {
		if c.r.Status != c.status || c.r.ErrorCode() != c.code {
			t.Errorf("%s: got %d %s, want %d %s", c.name, c.r.Status, c.r.Body, c.status, c.code)
		}
	}
	if m := getMember(t, e, a.Token, a.OrgID, bk.MemberID); m.Role != "bookkeeper" {
		t.Fatalf("refused calls changed nothing: got role %s, want bookkeeper", m.Role)
	}
	// What is allowed: a manager moves a peer among roles it holds.
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+mgr2.MemberID, mgr.Token, map[string]any{"role": "bookkeeper"})
}

// The roles list shows system roles in order with their permissions.
func TestRolesAndPermissionsLists(t *testing.T) {
	e := New(t, "wealth")
	a := e.Signup("owner@example.com", "Org")
	var roles struct {
		Roles []struct {
			Key          string
			System       bool
			Admin        bool
			Position     int
			Permissions  []string
			ClientAccess string `json:"client_access"`
		}
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/roles", a.Token, nil).JSON(t, &roles)
	want := []string{"org_admin", "org_user", "client", "read_only"}
	if len(roles.Roles) != len(want) {
		t.Fatalf("got %d roles, want %d", len(roles.Roles), len(want))
	}
	for i, k := range want {
		r := roles.Roles[i]
		if r.Key != k || !r.System || r.Position != i {
			t.Errorf("role %d: got %s system=%v position=%d, want %s", i, r.Key, r.System, r.Position, k)
		}
	}
	if !roles.Roles[0].Admin || roles.Roles[0].ClientAccess != "all" || len(roles.Roles[0].Permissions) != 12 {
		t.Errorf("org_admin: got %+v, want admin, all clients, 12 permissions", roles.Roles[0])
	}
	if roles.Roles[3].ClientAccess != "specific" || len(roles.Roles[3].Permissions) != 2 {
		t.Errorf("read_only: got %+v, want specific and 2 permissions", roles.Roles[3])
	}
	var perms struct {
		Features []struct {
			Key         string
			Permissions []struct{ Key string }
		}
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/permissions", a.Token, nil).JSON(t, &perms)
	n := 0
	for _, f := range perms.Features {
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
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
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
		for role, perms := range practiceMatrix {
			want := subset(perms, practiceMatrix[actorRole])
			r := e.Do("POST", org(a.OrgID)+"/invitations", actor.Token, map[string]any{"emails": []string{role + "-by-" + actorRole + "@example.com"}, "role": role})
			if (r.Status == 200) != want || (!want && r.ErrorCode() != "escalation") {
				t.Errorf("%s inviting %s: got %d %s, want allowed=%v", actorRole, role, r.Status, r.Body, want)
			}
			// Role change of a member whose current role the actor holds.
			e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+target.MemberID, a.Token, map[string]any{"role": "client"})
			r = e.Do("PATCH", org(a.OrgID)+"/members/"+target.MemberID, actor.Token, map[string]any{"role": role})
			if (r.Status == 200) != want {
				t.Errorf("%s changing a client to %s: got %d %s, want allowed=%v", actorRole, role, r.Status, r.Body, want)
			}
		}
	}
}
