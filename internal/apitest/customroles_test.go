package apitest

import (
	"slices"
	"strings"
	"testing"

	"github.com/roster-dev/roster/client"
)

// roleReq is a custom role's definition: a name and its permissions.
func roleReq(name string, perms ...string) client.RoleRequest {
	if perms == nil {
		perms = []string{}
	}
	return client.RoleRequest{Name: &name, Permissions: &perms}
}

func createRole(t *testing.T, e *Env, token, orgID string, req client.RoleRequest) client.Role {
	t.Helper()
	return *must(e.api(token).CreateRole(bg, orgID, req))(t)
}

func listRoles(t *testing.T, e *Env, token, orgID string) []client.Role {
	t.Helper()
	return must(e.api(token).ListRoles(bg, orgID))(t)
}

func roleKeys(roles []client.Role) []string {
	keys := make([]string, len(roles))
	for i, r := range roles {
		keys[i] = r.Key
	}
	return keys
}

// setPlan is the operator's plan change.
func setPlan(t *testing.T, e *Env, orgID, plan string) client.Organization {
	t.Helper()
	return *must(e.api(OperatorToken).AdminSetPlan(bg, orgID, plan))(t)
}

// R9: custom roles need a plan that allows them; the key is made from the
// name; a feature's view permission is added with any other of it; a role
// holding everything is admin-level; names are unique, system roles' too.
func TestR9CreateCustomRole(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	analyst := roleReq("Content Analyst!", "dashboards.create", "reports.export")
	analyst.Description, analyst.Icon = client.Ptr("Dashboards and reports"), client.Ptr("📊")
	if _, err := owner.CreateRole(bg, a.OrgID, analyst); !isErr(err, 403, "plan_feature_unavailable") {
		t.Fatalf("on starter: got %v, want 403 plan_feature_unavailable", err)
	}
	setPlan(t, e, a.OrgID, "business")
	r := createRole(t, e, a.Token, a.OrgID, analyst)
	want := []string{"dashboards.view", "dashboards.create", "reports.view", "reports.export"}
	if r.Key != "content_analyst" || r.System || r.Admin || r.Icon != "📊" || r.ClientAccess != "none" || !sameSet(r.Permissions, want) {
		t.Fatalf("created role: got %+v, want key content_analyst, view permissions added: %v", r, want)
	}
	if roles := listRoles(t, e, a.Token, a.OrgID); roleKeys(roles)[len(roles)-1] != "content_analyst" || roles[len(roles)-1].Position != len(roles)-1 {
		t.Fatalf("roles list: got %v, want the custom role after the system roles", roleKeys(roles))
	}

	var all []string
	for _, f := range must(owner.ListPermissions(bg, a.OrgID))(t) {
		for _, p := range f.Permissions {
			all = append(all, p.Key)
		}
	}
	if ru := createRole(t, e, a.Token, a.OrgID, roleReq("Бухгалтер")); !strings.HasPrefix(ru.Key, "role_") || ru.Name != "Бухгалтер" {
		t.Fatalf("a name without ASCII letters: got key %q name %q, want a role_ key", ru.Key, ru.Name)
	}
	if super := createRole(t, e, a.Token, a.OrgID, roleReq("Deputy", all...)); !super.Admin {
		t.Fatalf("a role with every permission: admin %v, want true", super.Admin)
	}

	withAccess := func(r client.RoleRequest, access string) client.RoleRequest { r.ClientAccess = &access; return r }
	for _, tc := range []struct {
		req         client.RoleRequest
		status      int
		code, field string
	}{
		{roleReq("content analyst"), 409, "name_taken", ""},
		{roleReq("Content-Analyst"), 409, "name_taken", ""},
		{roleReq("Admin"), 409, "name_taken", ""},
		{roleReq("Read only"), 409, "name_taken", ""},
		{roleReq("Spy", "campaigns.peek"), 422, "validation_failed", "permissions"},
		{client.RoleRequest{Name: client.Ptr("Spy")}, 422, "validation_failed", "permissions"},
		{roleReq("  "), 422, "validation_failed", "name"},
		{roleReq("!!!"), 422, "validation_failed", "name"},
		{withAccess(roleReq("Spy"), "all"), 422, "validation_failed", "client_access"},
	} {
		_, err := owner.CreateRole(bg, a.OrgID, tc.req)
		if st, code, field := apiErr(err); st != tc.status || code != tc.code || (tc.field != "" && field != tc.field) {
			t.Errorf("create %q: got %v, want %d %s %s", *tc.req.Name, err, tc.status, tc.code, tc.field)
		}
	}
	// An unknown field and a wrong JSON type cannot be sent through the
	// typed client.
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"name": "Spy", "permissions": []string{}, "colour": "red"}, "colour"},
		{map[string]any{"name": "Spy", "permissions": "campaigns.view"}, "permissions"},
	} {
		r := e.Do("POST", org(a.OrgID)+"/roles", a.Token, tc.body)
		if r.Status != 422 || r.ErrorCode() != "validation_failed" || r.ErrorField() != tc.field {
			t.Errorf("create %v: got %d %s, want 422 validation_failed %s", tc.body, r.Status, r.Body, tc.field)
		}
	}
	if n := len(listRoles(t, e, a.Token, a.OrgID)); n != 7 {
		t.Fatalf("refused creations changed the roles: %d roles, want 7", n)
	}

	// Models with clients default to all_by_default (R9).
	p := New(t, "practice")
	pa := p.Signup("owner@example.com", "Practice")
	if r := createRole(t, p, pa.Token, pa.OrgID, roleReq("Payroll", "clients.settings")); r.ClientAccess != "all_by_default" || !sameSet(r.Permissions, []string{"clients.view", "clients.settings"}) {
		t.Fatalf("practice custom role: got %+v", r)
	}
}

// R9 and R8: only holders of users.manage manage roles, never above
// themselves; system roles are read-only.
func TestR9CustomRoleAuthority(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, roleReq("People lead", "users.manage", "people.edit", "campaigns.view"))
	createRole(t, e, a.Token, a.OrgID, roleReq("Billing", "billing.edit"))
	lead := addMember(t, e, a, "people_lead", "lead@example.com")
	ro := addMember(t, e, a, "read_only", "ro@example.com")
	owner, leader := e.api(a.Token), e.api(lead.Token)
	describe := client.RoleRequest{Description: client.Ptr("x")}

	if _, err := e.api(ro.Token).CreateRole(bg, a.OrgID, roleReq("Mine")); !isErr(err, 403, "forbidden") {
		t.Fatalf("without users.manage: got %v", err)
	}
	if _, err := leader.CreateRole(bg, a.OrgID, roleReq("Payer", "billing.edit")); !isErr(err, 403, "escalation") {
		t.Fatalf("creating a role above oneself: got %v, want 403 escalation", err)
	}
	if _, err := leader.UpdateRole(bg, a.OrgID, "billing", describe); !isErr(err, 403, "escalation") {
		t.Fatalf("editing a role above oneself: got %v, want 403 escalation", err)
	}
	raise := client.RoleRequest{Permissions: &[]string{"users.manage", "settings.edit"}}
	if _, err := leader.UpdateRole(bg, a.OrgID, "people_lead", raise); !isErr(err, 403, "forbidden") {
		t.Fatalf("raising one's own role: got %v, want 403 forbidden (nobody edits a role they hold)", err)
	}
	if err := leader.DeleteRole(bg, a.OrgID, "billing", ""); !isErr(err, 403, "escalation") {
		t.Fatalf("deleting a role above oneself: got %v", err)
	}
	if r := createRole(t, e, lead.Token, a.OrgID, roleReq("People viewer", "people.view")); r.Key != "people_viewer" {
		t.Fatalf("a role within one's own permissions: got %+v", r)
	}
	if _, err := owner.UpdateRole(bg, a.OrgID, "editor", describe); !isErr(err, 403, "forbidden") {
		t.Fatalf("PATCH a system role: got %v, want 403 forbidden", err)
	}
	if err := owner.DeleteRole(bg, a.OrgID, "editor", ""); !isErr(err, 403, "forbidden") {
		t.Fatalf("DELETE a system role: got %v, want 403 forbidden", err)
	}
	if _, err := owner.UpdateRole(bg, a.OrgID, "nothere", describe); client.StatusOf(err) != 404 {
		t.Fatalf("an unknown role: got %v, want 404", err)
	}
	if _, err := leader.UpdateMember(bg, a.OrgID, ro.MemberID, client.UpdateMemberRequest{Role: client.Ptr("billing")}); !isErr(err, 403, "escalation") {
		t.Fatalf("granting a custom role above oneself: got %v", err)
	}
}

// R9: an edit applies to every member of the role on their next request;
// the key never changes.
func TestR9EditAppliesAtOnce(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, roleReq("Analyst", "dashboards.view"))
	m1 := addMember(t, e, a, "analyst", "m1@example.com")
	m2 := addMember(t, e, a, "analyst", "m2@example.com")
	if !check(t, e, a.OrgID, m1.UserID, "dashboards.view", "").Allowed || check(t, e, a.OrgID, m2.UserID, "reports.view", "").Allowed {
		t.Fatal("before the edit: want dashboards.view and not reports.view")
	}
	r := must(owner.UpdateRole(bg, a.OrgID, "analyst", roleReq("Report reader", "reports.view")))(t)
	if r.Key != "analyst" || r.Name != "Report reader" || len(r.Members) != 2 {
		t.Fatalf("edited role: got %+v, want the same key, the new name and its 2 members", r)
	}
	for _, m := range []joined{m1, m2} {
		if d := check(t, e, a.OrgID, m.UserID, "dashboards.view", ""); d.Allowed {
			t.Fatalf("%s after the edit: dashboards.view still allowed", m.Email)
		}
		if d := check(t, e, a.OrgID, m.UserID, "reports.view", ""); !d.Allowed {
			t.Fatalf("%s after the edit: reports.view %+v", m.Email, d)
		}
	}
	access := must(e.api(m1.Token).MemberAccess(bg, a.OrgID, m1.MemberID))(t)
	if !slices.Equal(access.Permissions, []string{"reports.view"}) {
		t.Fatalf("the member's own view of its access: got %v", access.Permissions)
	}
	audit := auditOf(t, e, a.Token, a.OrgID, client.AuditQuery{Action: "role.updated"})
	if len(audit) != 1 || audit[0].Before["name"] != "Analyst" || audit[0].After["name"] != "Report reader" || audit[0].After["icon"] != nil {
		t.Fatalf("role.updated audit: got %+v, want only the changed fields", audit)
	}
	if _, err := owner.UpdateRole(bg, a.OrgID, "analyst", client.RoleRequest{Name: client.Ptr("Editor")}); !isErr(err, 409, "name_taken") {
		t.Fatalf("renaming to a system role's name: got %v", err)
	}
}

// R9: delete is refused while any member holds the role, invited and
// revoked included, unless reassign_to names another role; R6: the roles
// list shows active members only.
func TestR9DeleteAndReassign(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, roleReq("Temp", "tags.view"))
	active := addMember(t, e, a, "temp", "active@example.com")
	revoked := addMember(t, e, a, "temp", "revoked@example.com")
	must(owner.Revoke(bg, a.OrgID, revoked.MemberID))(t)
	invited := invite(t, e, a.Token, a.OrgID, "temp", "invited@example.com")

	roles := listRoles(t, e, a.Token, a.OrgID)
	if temp := roles[len(roles)-1]; len(temp.Members) != 1 || temp.Members[0].MemberID != active.MemberID {
		t.Fatalf("R6: role members %+v, want only the active member", temp.Members)
	}
	must(owner.Revoke(bg, a.OrgID, active.MemberID))(t)
	if err := owner.DeleteRole(bg, a.OrgID, "temp", ""); !isErr(err, 409, "role_in_use") {
		t.Fatalf("deleting a role only revoked and invited members hold: got %v, want 409 role_in_use", err)
	}
	for _, bad := range []string{"nothere", "temp", "admin "} {
		if err := owner.DeleteRole(bg, a.OrgID, "temp", bad); client.StatusOf(err) != 422 || client.FieldOf(err) != "reassign_to" {
			t.Fatalf("reassign_to=%q: got %v, want 422", bad, err)
		}
	}
	if len(listRoles(t, e, a.Token, a.OrgID)) != 5 {
		t.Fatal("a refused delete removed the role")
	}
	if err := owner.DeleteRole(bg, a.OrgID, "temp", "editor"); err != nil {
		t.Fatalf("delete with reassign_to=editor: %v", err)
	}
	for _, id := range []string{active.MemberID, revoked.MemberID, invited[0].MemberID} {
		if m := getMember(t, e, a.Token, a.OrgID, id); m.Role != "editor" {
			t.Fatalf("member %s after reassignment: role %s, want editor", id, m.Role)
		}
	}
	if err := owner.DeleteRole(bg, a.OrgID, "temp", ""); client.StatusOf(err) != 404 {
		t.Fatalf("deleting it again: got %v, want 404", err)
	}
	audit := auditOf(t, e, a.Token, a.OrgID, client.AuditQuery{MemberID: invited[0].MemberID, Action: "member.role_changed"})
	if len(audit) != 1 {
		t.Fatalf("reassignment audited on the member: %d events, want 1", len(audit))
	}
	// A role nobody holds is deleted without reassignment.
	createRole(t, e, a.Token, a.OrgID, roleReq("Unused"))
	if err := owner.DeleteRole(bg, a.OrgID, "unused", ""); err != nil {
		t.Fatalf("deleting an unused role: %v", err)
	}
}

// R9: custom roles are re-ordered; the order must name each exactly once.
func TestR9Reorder(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	setPlan(t, e, a.OrgID, "business")
	for _, n := range []string{"One", "Two", "Three"} {
		createRole(t, e, a.Token, a.OrgID, roleReq(n))
	}
	got := must(owner.ReorderRoles(bg, a.OrgID, []string{"three", "one", "two"}))(t)
	want := []string{"admin", "marketer", "editor", "read_only", "three", "one", "two"}
	if !slices.Equal(roleKeys(got), want) || !slices.Equal(roleKeys(listRoles(t, e, a.Token, a.OrgID)), want) {
		t.Fatalf("after re-ordering: got %v, want %v", roleKeys(got), want)
	}
	for i, r := range got {
		if r.Position != i {
			t.Fatalf("role %s: position %d, want %d", r.Key, r.Position, i)
		}
	}
	for _, bad := range [][]string{{"three", "one"}, {"three", "one", "one"}, {"three", "one", "admin"}, {"three", "one", "two", "admin"}} {
		if _, err := owner.ReorderRoles(bg, a.OrgID, bad); client.StatusOf(err) != 422 || client.FieldOf(err) != "roles" {
			t.Fatalf("order %v: got %v, want 422 on roles", bad, err)
		}
	}
	if !slices.Equal(roleKeys(listRoles(t, e, a.Token, a.OrgID)), want) {
		t.Fatal("a refused re-order changed the order")
	}
}

// R9: after a plan downgrade custom roles keep working but cannot be
// created or edited; they can still be deleted.
func TestR9AfterDowngrade(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, roleReq("Analyst", "dashboards.view"))
	m := addMember(t, e, a, "analyst", "m@example.com")
	o := setPlan(t, e, a.OrgID, "starter")
	if o.CustomRolesAvailable {
		t.Fatalf("starter: custom_roles_available %v", o.CustomRolesAvailable)
	}
	if !check(t, e, a.OrgID, m.UserID, "dashboards.view", "").Allowed {
		t.Fatal("after the downgrade the custom role stopped working")
	}
	if _, err := owner.UpdateRole(bg, a.OrgID, "analyst", client.RoleRequest{Permissions: &[]string{}}); !isErr(err, 403, "plan_feature_unavailable") {
		t.Fatalf("editing after the downgrade: got %v", err)
	}
	if _, err := owner.CreateRole(bg, a.OrgID, roleReq("New")); !client.IsCode(err, "plan_feature_unavailable") {
		t.Fatalf("creating after the downgrade: got %v", err)
	}
	if _, err := owner.UpdateMember(bg, a.OrgID, m.MemberID, client.UpdateMemberRequest{Role: client.Ptr("read_only")}); err != nil {
		t.Fatalf("moving the member off the custom role: got %v", err)
	}
	if err := owner.DeleteRole(bg, a.OrgID, "analyst", ""); err != nil {
		t.Fatalf("deleting after the downgrade: %v", err)
	}
}

// R9 with clients: a custom role's client-access rule decides what its
// members see (R10), and the role is assignable by invitation.
func TestR9CustomRoleClientAccess(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Practice")
	owner := e.api(a.Token)
	c1 := createClient(t, e, a.Token, a.OrgID, "Client one")
	c2 := createClient(t, e, a.Token, a.OrgID, "Client two")
	payroll := roleReq("Payroll", "clients.settings")
	payroll.ClientAccess = client.Ptr(client.AccessSpecific)
	createRole(t, e, a.Token, a.OrgID, payroll)
	res := must(owner.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"pay@example.com"}, Role: "payroll",
		ClientAccess: &client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{c1}}}))(t)
	tok := e.LastToken("pay@example.com", "invite")
	acc := must(e.api("").AcceptInvitation(bg, client.AcceptRequest{Token: tok, Password: Password, FirstName: "P", LastName: "R"}))(t)
	if !check(t, e, a.OrgID, acc.User.ID, "clients.settings", c1).Allowed || check(t, e, a.OrgID, acc.User.ID, "clients.settings", c2).Allowed {
		t.Fatal("specific custom role: want c1 allowed and c2 not")
	}
	must(owner.UpdateRole(bg, a.OrgID, "payroll", client.RoleRequest{ClientAccess: client.Ptr(client.AccessAll)}))(t)
	if !check(t, e, a.OrgID, acc.User.ID, "clients.settings", c2).Allowed {
		t.Fatal("after the role's access became all: c2 still refused")
	}
	if m := getMember(t, e, a.Token, a.OrgID, res[0].MemberID); m.ClientAccess.Mode != "all" {
		t.Fatalf("member view after the edit: mode %s, want all", m.ClientAccess.Mode)
	}
}

// Filtering the members list by one or several roles, custom ones included.
func TestMembersFilterByRoles(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, roleReq("Analyst"))
	invite(t, e, a.Token, a.OrgID, "analyst", "an@example.com")
	invite(t, e, a.Token, a.OrgID, "editor", "ed@example.com")
	invite(t, e, a.Token, a.OrgID, "read_only", "ro@example.com")
	emails := func(roles ...string) []string {
		var out []string
		for _, m := range must(owner.ListMembers(bg, a.OrgID, client.MemberQuery{Roles: roles}))(t).Members {
			out = append(out, m.Email)
		}
		slices.Sort(out)
		return out
	}
	if got := emails("analyst", "editor"); !slices.Equal(got, []string{"an@example.com", "ed@example.com"}) {
		t.Fatalf("role=analyst,editor: got %v", got)
	}
	if got := emails("admin"); !slices.Equal(got, []string{"owner@example.com"}) {
		t.Fatalf("role=admin: got %v", got)
	}
	if _, err := owner.ListMembers(bg, a.OrgID, client.MemberQuery{Roles: []string{"analyst", "wizard"}}); client.StatusOf(err) != 422 || client.FieldOf(err) != "role" {
		t.Fatalf("an unknown role: got %v, want 422 on role", err)
	}
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
