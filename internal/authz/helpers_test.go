package authz_test

import (
	"testing"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/roster"
)

// practiceModel is the practice preset of docs/rules.md, "Presets", written here by
// hand so that these tests do not depend on internal/model.
func practiceModel(tb testing.TB) *roster.Model {
	tb.Helper()
	clients := []string{"clients.settings", "clients.feedback", "clients.view"}
	m := &roster.Model{
		Name:  "practice",
		Names: roster.Names{Organization: "practice", Client: "client"},
		Features: []roster.Feature{
			{Key: "users", Name: "Users", Permissions: []roster.Permission{
				{Key: "users.manage", Name: "Manage users"},
			}},
			{Key: "practice", Name: "Practice", Permissions: []roster.Permission{
				{Key: "practice.settings", Name: "Practice settings"},
				{Key: "practice.billing", Name: "Billing"},
			}},
			{Key: "clients", Name: "Clients", Permissions: []roster.Permission{
				{Key: "clients.settings", Name: "Client settings", PerClient: true},
				{Key: "clients.feedback", Name: "Client feedback", PerClient: true},
				{Key: "clients.view", Name: "View clients", PerClient: true},
			}},
		},
		Roles: []roster.RoleDef{
			{Key: "practice_admin", Name: "Practice admin", Admin: true, ClientAccess: roster.AccessAll,
				Permissions: append([]string{"users.manage", "practice.settings", "practice.billing"}, clients...)},
			{Key: "client_manager", Name: "Client manager", ClientAccess: roster.AccessAll,
				Permissions: append([]string{"users.manage"}, clients...)},
			{Key: "bookkeeper", Name: "Bookkeeper", ClientAccess: roster.AccessAllByDefault, Permissions: clients},
			{Key: "view_only", Name: "View only", ClientAccess: roster.AccessAllByDefault,
				Permissions: []string{"clients.feedback", "clients.view"}},
			{Key: "client", Name: "Client", ClientAccess: roster.AccessSpecific, Permissions: []string{"clients.view"}},
		},
		Plans:                  []roster.Plan{{Key: "standard", Name: "Standard", CustomRoles: true}},
		OwnerRole:              "practice_admin",
		DefaultRole:            "bookkeeper",
		DefaultPlan:            "standard",
		ExistingUsers:          roster.ExistingUsersJoin,
		OwnershipTransfer:      true,
		SettingsPermission:     "practice.settings",
		ClientsAdminPermission: "practice.settings",
	}
	if err := m.Prepare(); err != nil {
		tb.Fatalf("prepare practice model: %v", err)
	}
	return m
}

// practicePermissions is the catalog in the order of docs/rules.md, "Presets".
var practicePermissions = []string{
	"users.manage", "practice.settings", "practice.billing",
	"clients.settings", "clients.feedback", "clients.view",
}

// Fixture ids: c1 is assigned to every restricted member, c2 to nobody, c3 is
// archived (still a client of the organization) and assigned like c1.
const (
	org     roster.OrgID    = "org_practice"
	c1      roster.ClientID = "cli_1"
	c2      roster.ClientID = "cli_2"
	c3      roster.ClientID = "cli_3_archived"
	cNone   roster.ClientID = "cli_unknown"
	revBase int64           = 10
)

func active(user, role string, mode roster.ClientAccessRule, clients ...roster.ClientID) roster.MemberAccess {
	return roster.MemberAccess{
		MemberID: roster.MemberID("mem_" + user), UserID: roster.UserID(user), Role: role,
		Status: roster.StatusActive, ClientMode: mode, Clients: clients,
	}
}

// fixture is the practice organization of the tests, one member per case.
func fixture() roster.OrgAccess {
	invited := active("u_invited", "practice_admin", "")
	invited.Status = roster.StatusInvited
	revoked := active("u_revoked", "practice_admin", "")
	revoked.Status = roster.StatusRevoked
	noAccount := active("", "practice_admin", "")
	noAccount.Status = roster.StatusInvited
	return roster.OrgAccess{
		OrgID:    org,
		Revision: revBase,
		Clients:  []roster.ClientID{c2, c1, c3},
		Members: []roster.MemberAccess{
			active("u_admin", "practice_admin", roster.AccessSpecific, c1), // cannot be narrowed
			active("u_manager", "client_manager", ""),
			active("u_book_all", "bookkeeper", roster.AccessAll),
			active("u_book_specific", "bookkeeper", roster.AccessSpecific, c1, c3),
			active("u_view_all", "view_only", ""),
			active("u_view_specific", "view_only", roster.AccessSpecific, c3, c1, c1, cNone),
			active("u_client", "client", roster.AccessSpecific, c1, c3),
			active("u_client_all", "client", roster.AccessAll, c1, c3), // all is ignored for specific roles
			active("u_ghost", "no_such_role", roster.AccessAll),
			active("u_auditor", "auditor", ""),
			active("u_reader", "reader", "", c1),
			active("u_shadow", "client", roster.AccessSpecific, c1),
			invited, revoked, noAccount,
		},
		CustomRoles: []roster.RoleDef{
			// No client-access rule: all_by_default, as R9 says for custom roles.
			{Key: "auditor", Name: "Auditor", Permissions: []string{"clients.view", "practice.billing"}},
			{Key: "reader", Name: "Reader", ClientAccess: roster.AccessSpecific, Permissions: []string{"clients.view"}},
			// A custom role cannot shadow a system role.
			{Key: "client", Name: "Shadow", ClientAccess: roster.AccessAll, Permissions: practicePermissions},
		},
	}
}

func newFixture(t *testing.T) *authz.Index {
	t.Helper()
	x := authz.New(practiceModel(t))
	if !x.Put(fixture()) {
		t.Fatal("Put(fixture) = false, want true")
	}
	return x
}
