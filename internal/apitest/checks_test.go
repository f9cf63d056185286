package apitest

import (
	"fmt"
	"testing"

	"github.com/roster-dev/roster/client"
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
	t.Parallel()
	for _, p := range []struct {
		preset, owner string
		matrix        map[string][]string
		perms         []string
	}{
		{"practice", "practice_admin", practiceMatrix, practicePerms},
		{"wealth", "org_admin", wealthMatrix, wealthPerms},
	} {
		t.Run(p.preset, func(t *testing.T) {
			t.Parallel()
			e := New(t, p.preset)
			a := e.Signup("owner@example.com", "Org")
			owner := e.api(a.Token)
			clientID := createClient(t, e, a.Token, a.OrgID, "Client One")
			users := map[string]string{p.owner: a.UserID}
			for role := range p.matrix {
				if role == p.owner {
					continue
				}
				m := addMember(t, e, a, role, role+"@example.com")
				users[role] = m.UserID
				// Where the role allows narrowing; elsewhere the refusal is
				// not this test's concern.
				_, _ = owner.SetClientAccess(bg, a.OrgID, m.MemberID, client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{clientID}})
			}
			var batch []client.BatchCheck
			var want []bool
			for role, granted := range p.matrix {
				for _, perm := range p.perms {
					batch = append(batch, client.BatchCheck{OrgID: a.OrgID, UserID: users[role], Permission: perm, ClientID: clientID})
					want = append(want, has(granted, perm))
				}
			}
			got := must(e.api(OperatorToken).CheckBatch(bg, batch))(t)
			for i := range batch {
				if got[i].Allowed != want[i] {
					t.Errorf("%+v: got %+v, want allowed=%v", batch[i], got[i], want[i])
				}
			}
		})
	}
}

// R19: reasons, self-checks, batch rules.
func TestR19CheckAPI(t *testing.T) {
	t.Parallel()
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
	own := e.api(bk.Token)
	must(own.Check(bg, a.OrgID, client.CheckRequest{UserID: bk.UserID, Permission: "users.manage"}))(t)
	if _, err := own.Check(bg, a.OrgID, client.CheckRequest{UserID: a.UserID, Permission: "users.manage"}); client.StatusOf(err) != 403 {
		t.Fatalf("bookkeeper checking the owner: got %v, want 403", err)
	}
	must(e.api(a.Token).Check(bg, a.OrgID, client.CheckRequest{UserID: bk.UserID, Permission: "users.manage"}))(t)

	// Batch: operator only, at most 1000, a malformed item names its index.
	op := e.api(OperatorToken)
	if _, err := e.api(a.Token).CheckBatch(bg, nil); client.StatusOf(err) != 403 {
		t.Fatalf("batch with a user token: got %v, want 403", err)
	}
	bad := []client.BatchCheck{
		{OrgID: a.OrgID, UserID: bk.UserID, Permission: "users.manage"},
		{OrgID: a.OrgID, UserID: bk.UserID, Permission: "clients.view"},
	}
	if _, err := op.CheckBatch(bg, bad); client.StatusOf(err) != 422 || client.FieldOf(err) != "checks[1].client_id" {
		t.Fatalf("malformed item: got %v, want 422 on checks[1].client_id", err)
	}
	big := make([]client.BatchCheck, 1001)
	for i := range big {
		big[i] = client.BatchCheck{OrgID: a.OrgID, UserID: fmt.Sprint(i), Permission: "users.manage"}
	}
	if _, err := op.CheckBatch(bg, big); client.StatusOf(err) != 422 {
		t.Fatalf("1001 checks: got %v, want 422", err)
	}
	ok := must(op.CheckBatch(bg, big[:1000]))(t)
	if len(ok) != 1000 || ok[0].Reason != "not_member" {
		t.Fatalf("1000 checks: got %d results, first %+v", len(ok), ok[0])
	}
}
