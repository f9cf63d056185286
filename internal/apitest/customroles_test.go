package apitest

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

type roleJSON struct {
	Key          string   `json:"key"`
	Name         string   `json:"name"`
	Description  string   `json:"description"`
	Icon         string   `json:"icon"`
	System       bool     `json:"system"`
	Admin        bool     `json:"admin"`
	Permissions  []string `json:"permissions"`
	ClientAccess string   `json:"client_access"`
	Position     int      `json:"position"`
	Members      []struct {
		MemberID string `json:"member_id"`
	} `json:"members"`
}

func createRole(t *testing.T, e *Env, token, orgID string, body map[string]any) roleJSON {
	t.Helper()
	var r roleJSON
	e.Must(http.StatusCreated, "POST", org(orgID)+"/roles", token, body).JSON(t, &r)
	return r
}

func listRoles(t *testing.T, e *Env, token, orgID string) []roleJSON {
	t.Helper()
	var b struct{ Roles []roleJSON }
	e.Must(http.StatusOK, "GET", org(orgID)+"/roles", token, nil).JSON(t, &b)
	return b.Roles
}

func roleKeys(roles []roleJSON) []string {
	keys := make([]string, len(roles))
	for i, r := range roles {
		keys[i] = r.Key
	}
	return keys
}

// R9: custom roles need a plan that allows them; the key is made from the
// name; a feature's view permission is added with any other of it; a role
// holding everything is admin-level; names are unique, system roles' too.
func TestR9CreateCustomRole(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	analyst := map[string]any{"name": "Content Analyst!", "description": "Dashboards and reports", "icon": "📊",
		"permissions": []string{"dashboards.create", "reports.export"}}
	if r := e.Do("POST", org(a.OrgID)+"/roles", a.Token, analyst); r.Status != 403 || r.ErrorCode() != "plan_feature_unavailable" {
		t.Fatalf("on starter: got %d %s, want 403 plan_feature_unavailable", r.Status, r.Body)
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

	var catalog struct {
		Features []struct {
			Permissions []struct{ Key string }
		}
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/permissions", a.Token, nil).JSON(t, &catalog)
	var all []string
	for _, f := range catalog.Features {
		for _, p := range f.Permissions {
			all = append(all, p.Key)
		}
	}
	if ru := createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Бухгалтер", "permissions": []string{}}); !strings.HasPrefix(ru.Key, "role_") || ru.Name != "Бухгалтер" {
		t.Fatalf("a name without ASCII letters: got key %q name %q, want a role_ key", ru.Key, ru.Name)
	}
	if super := createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Deputy", "permissions": all}); !super.Admin {
		t.Fatalf("a role with every permission: admin %v, want true", super.Admin)
	}

	for _, tc := range []struct {
		body        map[string]any
		status      int
		code, field string
	}{
		{map[string]any{"name": "content analyst", "permissions": []string{}}, 409, "name_taken", ""},
		{map[string]any{"name": "Content-Analyst", "permissions": []string{}}, 409, "name_taken", ""},
		{map[string]any{"name": "Admin", "permissions": []string{}}, 409, "name_taken", ""},
		{map[string]any{"name": "Read only", "permissions": []string{}}, 409, "name_taken", ""},
		{map[string]any{"name": "Spy", "permissions": []string{"campaigns.peek"}}, 422, "validation_failed", "permissions"},
		{map[string]any{"name": "Spy"}, 422, "validation_failed", "permissions"},
		{map[string]any{"name": "  ", "permissions": []string{}}, 422, "validation_failed", "name"},
		{map[string]any{"name": "!!!", "permissions": []string{}}, 422, "validation_failed", "name"},
		{map[string]any{"name": "Spy", "permissions": []string{}, "client_access": "all"}, 422, "validation_failed", "client_access"},
		{map[string]any{"name": "Spy", "permissions": []string{}, "colour": "red"}, 422, "validation_failed", "colour"},
		{map[string]any{"name": "Spy", "permissions": "campaigns.view"}, 422, "validation_failed", "permissions"},
	} {
		r := e.Do("POST", org(a.OrgID)+"/roles", a.Token, tc.body)
		if r.Status != tc.status || r.ErrorCode() != tc.code || (tc.field != "" && r.ErrorField() != tc.field) {
			t.Errorf("create %v: got %d %s, want %d %s %s", tc.body, r.Status, r.Body, tc.status, tc.code, tc.field)
		}
	}
	if n := len(listRoles(t, e, a.Token, a.OrgID)); n != 7 {
		t.Fatalf("refused creations changed the roles: %d roles, want 6", n)
	}

	// Models with clients default to all_by_default (R9).
	p := New(t, "practice")
	pa := p.Signup("owner@example.com", "Practice")
	if r := createRole(t, p, pa.Token, pa.OrgID, map[string]any{"name": "Payroll", "permissions": []string{"clients.settings"}}); r.ClientAccess != "all_by_default" || !sameSet(r.Permissions, []string{"clients.view", "clients.settings"}) {
		t.Fatalf("practice custom role: got %+v", r)
	}
}

// R9 and R8: only holders of users.manage manage roles, never above
// themselves; system roles are read-only.
func TestR9CustomRoleAuthority(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "People lead", "permissions": []string{"users.manage", "people.edit", "campaigns.view"}})
	createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Billing", "permissions": []string{"billing.edit"}})
	lead := addMember(t, e, a, "people_lead", "lead@example.com")
	ro := addMember(t, e, a, "read_only", "ro@example.com")

	if r := e.Do("POST", org(a.OrgID)+"/roles", ro.Token, map[string]any{"name": "Mine", "permissions": []string{}}); r.Status != 403 || r.ErrorCode() != "forbidden" {
		t.Fatalf("without users.manage: got %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", org(a.OrgID)+"/roles", lead.Token, map[string]any{"name": "Payer", "permissions": []string{"billing.edit"}}); r.Status != 403 || r.ErrorCode() != "escalation" {
		t.Fatalf("creating a role above oneself: got %d %s, want 403 escalation", r.Status, r.Body)
	}
	if r := e.Do("PATCH", org(a.OrgID)+"/roles/billing", lead.Token, map[string]any{"description": "x"}); r.Status != 403 || r.ErrorCode() != "escalation" {
		t.Fatalf("editing a role above oneself: got %d %s, want 403 escalation", r.Status, r.Body)
	}
	if r := e.Do("PATCH", org(a.OrgID)+"/roles/people_lead", lead.Token, map[string]any{"permissions": []string{"users.manage", "settings.edit"}}); r.Status != 403 || r.ErrorCode() != "forbidden" {
		t.Fatalf("raising one's own role: got %d %s, want 403 forbidden (nobody edits a role they hold)", r.Status, r.Body)
	}
	if r := e.Do("DELETE", org(a.OrgID)+"/roles/billing", lead.Token, nil); r.Status != 403 || r.ErrorCode() != "escalation" {
		t.Fatalf("deleting a role above oneself: got %d %s", r.Status, r.Body)
	}
	if r := createRole(t, e, lead.Token, a.OrgID, map[string]any{"name": "People viewer", "permissions": []string{"people.view"}}); r.Key != "people_viewer" {
		t.Fatalf("a role within one's own permissions: got %+v", r)
	}
	for _, method := range []string{"PATCH", "DELETE"} {
		if r := e.Do(method, org(a.OrgID)+"/roles/editor", a.Token, map[string]any{"description": "x"}); method == "DELETE" {
			r = e.Do(method, org(a.OrgID)+"/roles/editor", a.Token, nil)
			if r.Status != 403 || r.ErrorCode() != "forbidden" {
				t.Fatalf("DELETE a system role: got %d %s, want 403 forbidden", r.Status, r.Body)
			}
		} else if r.Status != 403 || r.ErrorCode() != "forbidden" {
			t.Fatalf("PATCH a system role: got %d %s, want 403 forbidden", r.Status, r.Body)
		}
	}
	if r := e.Do("PATCH", org(a.OrgID)+"/roles/nothere", a.Token, map[string]any{"description": "x"}); r.Status != 404 {
		t.Fatalf("an unknown role: got %d, want 404", r.Status)
	}
	if r := e.Do("PATCH", org(a.OrgID)+"/members/"+ro.MemberID, lead.Token, map[string]any{"role": "billing"}); r.Status != 403 || r.ErrorCode() != "escalation" {
		t.Fatalf("granting a custom role above oneself: got %d %s", r.Status, r.Body)
	}
}

// R9: an edit applies to every member of the role on their next request;
// the key never changes.
func TestR9EditAppliesAtOnce(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Analyst", "permissions": []string{"dashboards.view"}})
	m1 := addMember(t, e, a, "analyst", "m1@example.com")
	m2 := addMember(t, e, a, "analyst", "m2@example.com")
	if !check(t, e, a.OrgID, m1.UserID, "dashboards.view", "").Allowed || check(t, e, a.OrgID, m2.UserID, "reports.view", "").Allowed {
		t.Fatal("before the edit: want dashboards.view and not reports.view")
	}
	var r roleJSON
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/roles/analyst", a.Token, map[string]any{"name": "Report reader", "permissions": []string{"reports.view"}}).JSON(t, &r)
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
	var access struct{ Permissions []string }
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members/"+m1.MemberID+"/access", m1.Token, nil).JSON(t, &access)
	if !slices.Equal(access.Permissions, []string{"reports.view"}) {
		t.Fatalf("the member's own view of its access: got %v", access.Permissions)
	}
	var audit struct {
		Events []struct {
			Before, After map[string]any
		}
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/audit?action=role.updated", a.Token, nil).JSON(t, &audit)
	if len(audit.Events) != 1 || audit.Events[0].Before["name"] != "Analyst" || audit.Events[0].After["name"] != "Report reader" || audit.Events[0].After["icon"] != nil {
		t.Fatalf("role.updated audit: got %+v, want only the changed fields", audit.Events)
	}
	if r := e.Do("PATCH", org(a.OrgID)+"/roles/analyst", a.Token, map[string]any{"name": "Editor"}); r.Status != 409 || r.ErrorCode() != "name_taken" {
		t.Fatalf("renaming to a system role's name: got %d %s", r.Status, r.Body)
	}
}

// R9: delete is refused while any member holds the role, invited and
// revoked included, unless reassign_to names another role; R6: the roles
// list shows active members only.
func TestR9DeleteAndReassign(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Temp", "permissions": []string{"tags.view"}})
	active := addMember(t, e, a, "temp", "active@example.com")
	revoked := addMember(t, e, a, "temp", "revoked@example.com")
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+revoked.MemberID+"/revoke", a.Token, nil)
	invited := invite(t, e, a.Token, a.OrgID, "temp", "invited@example.com")

	roles := listRoles(t, e, a.Token, a.OrgID)
	if temp := roles[len(roles)-1]; len(temp.Members) != 1 || temp.Members[0].MemberID != active.MemberID {
		t.Fatalf("R6: role members %+v, want only the active member", temp.Members)
	}
	path := org(a.OrgID) + "/roles/temp"
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+active.MemberID+"/revoke", a.Token, nil)
	if r := e.Do("DELETE", path, a.Token, nil); r.Status != 409 || r.ErrorCode() != "role_in_use" {
		t.Fatalf("deleting a role only revoked and invited members hold: got %d %s, want 409 role_in_use", r.Status, r.Body)
	}
	for _, bad := range []string{"nothere", "temp", "admin%20"} {
		if r := e.Do("DELETE", path+"?reassign_to="+bad, a.Token, nil); r.Status != 422 || r.ErrorField() != "reassign_to" {
			t.Fatalf("reassign_to=%s: got %d %s, want 422", bad, r.Status, r.Body)
		}
	}
	if len(listRoles(t, e, a.Token, a.OrgID)) != 5 {
		t.Fatal("a refused delete removed the role")
	}
	e.Must(http.StatusNoContent, "DELETE", path+"?reassign_to=editor", a.Token, nil)
	for _, id := range []string{active.MemberID, revoked.MemberID, invited[0].MemberID} {
		if m := getMember(t, e, a.Token, a.OrgID, id); m.Role != "editor" {
			t.Fatalf("member %s after reassignment: role %s, want editor", id, m.Role)
		}
	}
	if r := e.Do("DELETE", path, a.Token, nil); r.Status != 404 {
		t.Fatalf("deleting it again: got %d, want 404", r.Status)
	}
	var audit struct{ Events []struct{ Action string } }
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/audit?member_id="+invited[0].MemberID+"&action=member.role_changed", a.Token, nil).JSON(t, &audit)
	if len(audit.Events) != 1 {
		t.Fatalf("reassignment audited on the member: %d events, want 1", len(audit.Events))
	}
	// A role nobody holds is deleted without reassignment.
	createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Unused", "permissions": []string{}})
	e.Must(http.StatusNoContent, "DELETE", org(a.OrgID)+"/roles/unused", a.Token, nil)
}

// R9: custom roles are re-ordered; the order must name each exactly once.
func TestR9Reorder(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	for _, n := range []string{"One", "Two", "Three"} {
		createRole(t, e, a.Token, a.OrgID, map[string]any{"name": n, "permissions": []string{}})
	}
	var b struct{ Roles []roleJSON }
	e.Must(http.StatusOK, "PUT", org(a.OrgID)+"/roles/order", a.Token, map[string]any{"roles": []string{"three", "one", "two"}}).JSON(t, &b)
	want := []string{"admin", "marketer", "editor", "read_only", "three", "one", "two"}
	if !slices.Equal(roleKeys(b.Roles), want) || !slices.Equal(roleKeys(listRoles(t, e, a.Token, a.OrgID)), want) {
		t.Fatalf("after re-ordering: got %v, want %v", roleKeys(b.Roles), want)
	}
	for i, r := range b.Roles {
		if r.Position != i {
			t.Fatalf("role %s: position %d, want %d", r.Key, r.Position, i)
		}
	}
	for _, bad := range [][]string{{"three", "one"}, {"three", "one", "one"}, {"three", "one", "admin"}, {"three", "one", "two", "admin"}} {
		if r := e.Do("PUT", org(a.OrgID)+"/roles/order", a.Token, map[string]any{"roles": bad}); r.Status != 422 || r.ErrorField() != "roles" {
			t.Fatalf("order %v: got %d %s, want 422 on roles", bad, r.Status, r.Body)
		}
	}
	if !slices.Equal(roleKeys(listRoles(t, e, a.Token, a.OrgID)), want) {
		t.Fatal("a refused re-order changed the order")
	}
}

// R9: after a plan downgrade custom roles keep working but cannot be
// created or edited; they can still be deleted.
func TestR9AfterDowngrade(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Analyst", "permissions": []string{"dashboards.view"}})
	m := addMember(t, e, a, "analyst", "m@example.com")
	o := setPlan(t, e, a.OrgID, "starter")
	if o["custom_roles_available"] != false {
		t.Fatalf("starter: custom_roles_available %v", o["custom_roles_available"])
	}
	if !check(t, e, a.OrgID, m.UserID, "dashboards.view", "").Allowed {
		t.Fatal("after the downgrade the custom role stopped working")
	}
	if r := e.Do("PATCH", org(a.OrgID)+"/roles/analyst", a.Token, map[string]any{"permissions": []string{}}); r.Status != 403 || r.ErrorCode() != "plan_feature_unavailable" {
		t.Fatalf("editing after the downgrade: got %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", org(a.OrgID)+"/roles", a.Token, map[string]any{"name": "New", "permissions": []string{}}); r.ErrorCode() != "plan_feature_unavailable" {
		t.Fatalf("creating after the downgrade: got %d %s", r.Status, r.Body)
	}
	if r := e.Do("PATCH", org(a.OrgID)+"/members/"+m.MemberID, a.Token, map[string]any{"role": "read_only"}); r.Status != 200 {
		t.Fatalf("moving the member off the custom role: got %d %s", r.Status, r.Body)
	}
	e.Must(http.StatusNoContent, "DELETE", org(a.OrgID)+"/roles/analyst", a.Token, nil)
}

// R9 with clients: a custom role's client-access rule decides what its
// members see (R10), and the role is assignable by invitation.
func TestR9CustomRoleClientAccess(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Practice")
	c1 := createClient(t, e, a.Token, a.OrgID, "Client one")
	c2 := createClient(t, e, a.Token, a.OrgID, "Client two")
	createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Payroll", "permissions": []string{"clients.settings"}, "client_access": "specific"})
	res := e.Must(http.StatusOK, "POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{
		"emails": []string{"pay@example.com"}, "role": "payroll", "client_access": map[string]any{"mode": "specific", "clients": []string{c1}}})
	var b struct{ Results []inviteResult }
	res.JSON(t, &b)
	tok := e.LastToken("pay@example.com", "invite")
	var acc struct{ User struct{ ID string } }
	e.Must(http.StatusOK, "POST", "/api/v1/invitations/accept", "", map[string]any{"token": tok, "password": Password, "first_name": "P", "last_name": "R"}).JSON(t, &acc)
	if !check(t, e, a.OrgID, acc.User.ID, "clients.settings", c1).Allowed || check(t, e, a.OrgID, acc.User.ID, "clients.settings", c2).Allowed {
		t.Fatal("specific custom role: want c1 allowed and c2 not")
	}
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/roles/payroll", a.Token, map[string]any{"client_access": "all"})
	if !check(t, e, a.OrgID, acc.User.ID, "clients.settings", c2).Allowed {
		t.Fatal("after the role's access became all: c2 still refused")
	}
	if m := getMember(t, e, a.Token, a.OrgID, b.Results[0].MemberID); m.ClientAccess.Mode != "all" {
		t.Fatalf("member view after the edit: mode %s, want all", m.ClientAccess.Mode)
	}
}

// Filtering the members list by one or several roles, custom ones included.
func TestMembersFilterByRoles(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	createRole(t, e, a.Token, a.OrgID, map[string]any{"name": "Analyst", "permissions": []string{}})
	invite(t, e, a.Token, a.OrgID, "analyst", "an@example.com")
	invite(t, e, a.Token, a.OrgID, "editor", "ed@example.com")
	invite(t, e, a.Token, a.OrgID, "read_only", "ro@example.com")
	emails := func(query string) []string {
		var page struct{ Members []member }
		e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?"+query, a.Token, nil).JSON(t, &page)
		var out []string
		for _, m := range page.Members {
			out = append(out, m.Email)
		}
		slices.Sort(out)
		return out
	}
	if got := emails("role=analyst,editor"); !slices.Equal(got, []string{"an@example.com", "ed@example.com"}) {
		t.Fatalf("role=analyst,editor: got %v", got)
	}
	if got := emails("role=admin"); !slices.Equal(got, []string{"owner@example.com"}) {
		t.Fatalf("role=admin: got %v", got)
	}
	if r := e.Do("GET", org(a.OrgID)+"/members?role=analyst,wizard", a.Token, nil); r.Status != 422 || r.ErrorField() != "role" {
		t.Fatalf("an unknown role: got %d %s, want 422 on role", r.Status, r.Body)
	}
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}
