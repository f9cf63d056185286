package apitest

import (
	"fmt"
	"net/http"
	"testing"
)

// The permission matrices of docs/rules.md, "Presets", checked end to end through the
// check API with one member of each role (R19). Written by hand from docs/rules.md, "Presets".
var practiceMatrix = map[string][]string{
	"practice_admin": {"users.manage", "practice.settings", "practice.billing", "clients.settings", "clients.feedback", "clients.view"},
	"client_manager": {"users.manage", "clients.settings", "clients.feedback", "clients.view"},
	"bookkeeper":     {"clients.settings", "clients.feedback", "clients.view"},
	"view_only":      {"clients.feedback", "clients.view"},
	"client":         {"clients.view"},
}

var practicePerms = []string{"users.manage", "practice.settings", "practice.billing", "clients.settings", "clients.feedback", "clients.view"}

var wealthMatrix = map[string][]string{
	"org_admin": {"clients.view_data", "reports.download", "accounts.add", "transactions.edit", "private_assets.edit", "accounts.resync", "accounts.edit", "entities.edit", "helpdesk.access", "clients.edit", "users.manage", "org.view_all"},
	"org_user":  {"clients.view_data", "reports.download", "accounts.add", "transactions.edit", "private_assets.edit", "accounts.resync", "accounts.edit", "entities.edit", "helpdesk.access"},
	"client":    {"clients.view_data", "reports.download", "accounts.add", "transactions.edit", "private_assets.edit", "accounts.resync"},
	"read_only": {"clients.view_data", "reports.download"},
}

var wealthPerms = []string{"clients.view_data", "reports.download", "accounts.add", "transactions.edit", "private_assets.edit", "accounts.resync", "accounts.edit", "entities.edit", "helpdesk.access", "clients.edit", "users.manage", "org.view_all"}

func has(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestR19PermissionMatrices(t *testing.T) {
	for _, p := range []struct {
		preset, owner string
		matrix        map[string][]string
		perms         []string
	}{
		{"practice", "practice_admin", practiceMatrix, practicePerms},
		{"wealth", "org_admin", wealthMatrix, wealthPerms},
	} {
		t.Run(p.preset, func(t *testing.T) {
			e := New(t, p.preset)
			a := e.Signup("owner@example.com", "Org")
			client := createClient(t, e, a.Token, a.OrgID, "Client One")
			users := map[string]string{p.owner: a.UserID}
			for role := range p.matrix {
				if role == p.owner {
					continue
				}
				m := addMember(t, e, a, role, role+"@example.com")
				users[role] = m.UserID
				setClients(e, a.Token, a.OrgID, m.MemberID, "specific", client) // where the role allows narrowing
			}
			var batch []map[string]any
			var want []bool
			for role, granted := range p.matrix {
				for _, perm := range p.perms {
					batch = append(batch, map[string]any{"org_id": a.OrgID, "user_id": users[role], "permission": perm, "client_id": client})
					want = append(want, has(granted, perm))
				}
			}
			var got struct{ Results []decision }
			e.Must(http.StatusOK, "POST", "/api/v1/check", OperatorToken, map[string]any{"checks": batch}).JSON(t, &got)
			for i := range batch {
				if got.Results[i].Allowed != want[i] {
					t.Errorf("%v: got %+v, want allowed=%v", batch[i], got.Results[i], want[i])
				}
			}
		})
	}
}

// R19: reasons, self-checks, batch rules.
func TestR19CheckAPI(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	stranger := e.Signup("stranger@example.com", "Else")
	invited := e.Signup("invited@example.com", "Unverified") // not verified: gets an invitation (R4)
	invite(t, e, a.Token, a.OrgID, "bookkeeper", "invited@example.com")

	cases := []struct {
		user, perm, want string
	}{
		{bk.UserID, "practice.billing", "missing_permission"},
		{bk.UserID, "no.such", "unknown_permission"},
		{stranger.UserID, "practice.billing", "not_member"},
		{invited.UserID, "practice.billing", "inactive"},
	}
	for _, c := range cases {
		if d := check(t, e, a.OrgID, c.user, c.perm, ""); d.Reason != c.want || d.Allowed {
			t.Errorf("%s %s: got %+v, want %s", c.user, c.perm, d, c.want)
		}
	}
	// A member may check itself, not others without users.manage.
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/check", bk.Token, map[string]any{"user_id": bk.UserID, "permission": "users.manage"})
	if r := e.Do("POST", org(a.OrgID)+"/check", bk.Token, map[string]any{"user_id": a.UserID, "permission": "users.manage"}); r.Status != 403 {
		t.Fatalf("bookkeeper checking the owner: got %d, want 403", r.Status)
	}
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/check", a.Token, map[string]any{"user_id": bk.UserID, "permission": "users.manage"})

	// Batch: operator only, at most 1000, a malformed item names its index.
	if r := e.Do("POST", "/api/v1/check", a.Token, map[string]any{"checks": []any{}}); r.Status != 403 {
		t.Fatalf("batch with a user token: got %d, want 403", r.Status)
	}
	bad := []map[string]any{
		{"org_id": a.OrgID, "user_id": bk.UserID, "permission": "users.manage"},
		{"org_id": a.OrgID, "user_id": bk.UserID, "permission": "clients.view"},
	}
	r := e.Do("POST", "/api/v1/check", OperatorToken, map[string]any{"checks": bad})
	if r.Status != 422 || r.ErrorField() != "checks[1].client_id" {
		t.Fatalf("malformed item: got %d %s, want 422 on checks[1].client_id", r.Status, r.Body)
	}
	big := make([]map[string]any, 1001)
	for i := range big {
		big[i] = map[string]any{"org_id": a.OrgID, "user_id": fmt.Sprint(i), "permission": "users.manage"}
	}
	if r := e.Do("POST", "/api/v1/check", OperatorToken, map[string]any{"checks": big}); r.Status != 422 {
		t.Fatalf("1001 checks: got %d, want 422", r.Status)
	}
	var ok struct{ Results []decision }
	e.Must(http.StatusOK, "POST", "/api/v1/check", OperatorToken, map[string]any{"checks": big[:1000]}).JSON(t, &ok)
	if len(ok.Results) != 1000 || ok.Results[0].Reason != "not_member" {
		t.Fatalf("1000 checks: got %d results, first %+v", len(ok.Results), ok.Results[0])
	}
}
