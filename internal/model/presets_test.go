package model

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/roster"
)

func mustPreset(t *testing.T, name string) *roster.Model {
	t.Helper()
	m, err := Preset(name)
	if err != nil {
		t.Fatalf("preset %s: %v", name, err)
	}
	return m
}

func TestPresetNames(t *testing.T) {
	got, want := PresetNames(), []string{"practice", "wealth", "marketing", "accounts"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestPresetsParse(t *testing.T) {
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			m := mustPreset(t, name)
			if m.Name != name {
				t.Errorf("got name %q, want %q", m.Name, name)
			}
			if m.PermissionCount() == 0 {
				t.Errorf("got an empty catalog: not prepared")
			}
			for _, r := range m.Roles {
				if _, ok := m.SystemRole(r.Key); !ok {
					t.Errorf("role %s: not found after Prepare", r.Key)
				}
			}
			if _, ok := m.Plan(m.DefaultPlan); !ok {
				t.Errorf("default plan %s: not found", m.DefaultPlan)
			}
		})
	}
}

func TestPresetUnknown(t *testing.T) {
	for _, name := range []string{"", "nope", "Practice", "../presets/practice", "practice.yaml"} {
		if _, err := Preset(name); err == nil {
			t.Errorf("Preset(%q): got no error", name)
		}
		if _, ok := PresetSource(name); ok {
			t.Errorf("PresetSource(%q): got ok", name)
		}
	}
}

// TestPresetRoundTrip: what `roster model show` prints parses to the very
// model the server runs with.
func TestPresetRoundTrip(t *testing.T) {
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			src, ok := PresetSource(name)
			if !ok {
				t.Fatal("no source")
			}
			got, err := Parse("shown.yaml", src)
			if err != nil {
				t.Fatal(err)
			}
			if want := mustPreset(t, name); !reflect.DeepEqual(got, want) {
				t.Fatalf("got %+v, want %+v", got, want)
			}
			src[0] = 'X' // a caller's copy: the embedded preset is unchanged
			if again, _ := PresetSource(name); again[0] == 'X' {
				t.Fatal("PresetSource returned shared bytes")
			}
		})
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tiny.yaml")
	if err := os.WriteFile(path, []byte(base), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("name: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ arg, wantName, wantErr string }{
		{"wealth", "wealth", ""},
		{path, "tiny", ""},
		{bad, "", bad + ":1: names is required"},
		{filepath.Join(t.TempDir(), "missing.yaml"), "", "neither a preset"},
	}
	for _, c := range cases {
		m, err := Load(c.arg)
		switch {
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("Load(%q): got %v, want an error containing %q", c.arg, err, c.wantErr)
		case c.wantErr == "" && err != nil:
			t.Errorf("Load(%q): %v", c.arg, err)
		case c.wantErr == "" && m.Name != c.wantName:
			t.Errorf("Load(%q): got model %q, want %q", c.arg, m.Name, c.wantName)
		}
	}
}

// policy is the part of a model that is neither catalog nor roles.
type policy struct {
	Org, Client                                   string
	ExistingUsers                                 roster.ExistingUsersPolicy
	InviteNames, Transfer, Billing, Agents, Teams bool
	MembersView, Settings, ClientsAdmin           string
	OwnerRole, DefaultRole, DefaultPlan           string
	Plans                                         []string
}

func policyOf(m *roster.Model) policy {
	return policy{
		m.Names.Organization, m.Names.Client, m.ExistingUsers,
		m.InviteNamesRequired, m.OwnershipTransfer, m.BillingContact, m.AgentAccess, m.Teams,
		m.MembersViewPermission, m.SettingsPermission, m.ClientsAdminPermission,
		m.OwnerRole, m.DefaultRole, m.DefaultPlan, plansText(m.Plans),
	}
}

// plansText renders plans readably, nil limits as "unlimited".
func plansText(plans []roster.Plan) []string {
	limit := func(n *int) string {
		if n == nil {
			return "unlimited"
		}
		return strconv.Itoa(*n)
	}
	var out []string
	for _, p := range plans {
		out = append(out, fmt.Sprintf("%s %q seats=%s agent_seats=%s free_agent_seats=%d custom_roles=%t",
			p.Key, p.Name, limit(p.Seats), limit(p.AgentSeats), p.FreeAgentSeats, p.CustomRoles))
	}
	return out
}

// TestPresetPolicies: names, switches, owner and default roles and plans, as
// docs/rules.md, "Presets" states them.
func TestPresetPolicies(t *testing.T) {
	want := map[string]policy{
		"practice": {"practice", "client", roster.ExistingUsersJoin, false, true, false, false, false,
			"", "practice.settings", "practice.settings", "practice_admin", "bookkeeper", "standard",
			[]string{`standard "Standard" seats=unlimited agent_seats=unlimited free_agent_seats=1 custom_roles=true`}},
		"wealth": {"organization", "client", roster.ExistingUsersJoin, false, true, false, false, false,
			"org.view_all", "", "clients.edit", "org_admin", "org_user", "standard",
			[]string{`standard "Standard" seats=unlimited agent_seats=unlimited free_agent_seats=1 custom_roles=true`}},
		"marketing": {"account", "", roster.ExistingUsersInvite, false, true, true, true, true,
			"", "settings.edit", "", "admin", "read_only", "starter",
			[]string{
				`starter "Starter" seats=3 agent_seats=1 free_agent_seats=1 custom_roles=false`,
				`business "Business" seats=15 agent_seats=5 free_agent_seats=1 custom_roles=true`,
				`enterprise "Enterprise" seats=unlimited agent_seats=unlimited free_agent_seats=1 custom_roles=true`,
			}},
		"accounts": {"organisation", "", roster.ExistingUsersJoin, true, false, false, false, false,
			"", "", "", "primary", "authorised", "unlimited",
			[]string{`unlimited "Unlimited" seats=unlimited agent_seats=unlimited free_agent_seats=1 custom_roles=false`}},
	}
	for _, name := range PresetNames() {
		t.Run(name, func(t *testing.T) {
			if got := policyOf(mustPreset(t, name)); !reflect.DeepEqual(got, want[name]) {
				t.Fatalf("got %+v,\nwant %+v", got, want[name])
			}
		})
	}
}

// roleSpec is one role column of a preset table (docs/rules.md).
type roleSpec struct {
	key, name string
	access    roster.ClientAccessRule
	admin     bool
	fixed     bool // not assignable
}

// row is one permission row of a preset table: per client or not, and one mark
// per role column ("x" granted, "." not).
type row struct {
	perm      string
	perClient bool
	marks     string
}

// checkMatrix compares a preset with a hand-transcribed preset table: the
// catalog is exactly the table's rows, and every cell holds.
func checkMatrix(t *testing.T, m *roster.Model, roles []roleSpec, rows []row) {
	t.Helper()
	if got := len(m.Roles); got != len(roles) {
		t.Errorf("got %d roles, want %d", got, len(roles))
	}
	for i, rs := range roles {
		r, ok := m.SystemRole(rs.key)
		switch {
		case !ok:
			t.Errorf("role %s: missing", rs.key)
			continue
		case m.Roles[i].Key != rs.key:
			t.Errorf("role %d: got %s, want %s", i, m.Roles[i].Key, rs.key)
		case r.Name != rs.name || r.ClientAccess != rs.access || r.Admin != rs.admin || r.NotAssignable != rs.fixed:
			t.Errorf("role %s: got %q %s admin=%t fixed=%t, want %q %s admin=%t fixed=%t", rs.key,
				r.Name, r.ClientAccess, r.Admin, r.NotAssignable, rs.name, rs.access, rs.admin, rs.fixed)
		}
	}
	if got := m.PermissionCount(); got != len(rows) {
		t.Errorf("got %d permissions, want %d", got, len(rows))
	}
	for _, rw := range rows {
		p, ok := m.Permission(rw.perm)
		if !ok {
			t.Errorf("permission %s: missing", rw.perm)
			continue
		}
		if p.PerClient != rw.perClient {
			t.Errorf("%s: got per_client %t, want %t", rw.perm, p.PerClient, rw.perClient)
		}
		for i, rs := range roles {
			if got, want := grants(m, rs.key, rw.perm), rw.marks[i] == 'x'; got != want {
				t.Errorf("%s grants %s: got %t, want %t", rs.key, rw.perm, got, want)
			}
		}
	}
}

// grants reports whether a system role holds a permission, through the
// prepared model's sets.
func grants(m *roster.Model, role, perm string) bool {
	r, ok := m.SystemRole(role)
	i, known := m.PermissionIndex(perm)
	if !ok || !known {
		return false
	}
	set := m.PermSetOf(r.Permissions)
	return set.Has(i)
}

const (
	pc  = true  // per client
	org = false // organization-wide
)

func TestPracticeMatrix(t *testing.T) {
	m := mustPreset(t, "practice")
	checkMatrix(t, m, []roleSpec{
		{"practice_admin", "Practice administrator", roster.AccessAll, true, false},
		{"client_manager", "Client manager", roster.AccessAll, false, false},
		{"bookkeeper", "Bookkeeper", roster.AccessAllByDefault, false, false},
		{"view_only", "View only", roster.AccessAllByDefault, false, false},
		{"client", "Client", roster.AccessSpecific, false, false},
	}, []row{
		//                            admin mgr bk vo client
		{"users.manage", org, "xx..."},
		{"practice.settings", org, "x...."},
		{"practice.billing", org, "x...."},
		{"clients.settings", pc, "xxx.."},
		{"clients.feedback", pc, "xxxx."},
		{"clients.view", pc, "xxxxx"},
	})
}

func TestWealthMatrix(t *testing.T) {
	m := mustPreset(t, "wealth")
	checkMatrix(t, m, []roleSpec{
		{"org_admin", "Organization Admin", roster.AccessAll, true, false},
		{"org_user", "Organization User", roster.AccessSpecific, false, false},
		{"client", "Client", roster.AccessSpecific, false, false},
		{"read_only", "Read-Only", roster.AccessSpecific, false, false},
	}, []row{
		//                              admin user client ro
		{"clients.view_data", pc, "xxxx"},
		{"reports.download", pc, "xxxx"},
		{"accounts.add", pc, "xxx."},
		{"transactions.edit", pc, "xxx."},
		{"private_assets.edit", pc, "xxx."},
		{"accounts.resync", pc, "xxx."},
		{"accounts.edit", pc, "xx.."},
		{"entities.edit", pc, "xx.."},
		{"helpdesk.access", pc, "xx.."},
		{"clients.edit", org, "x..."},
		{"users.manage", org, "x..."},
		{"org.view_all", org, "x..."},
	})
}

// TestWealthPermissionNames: the names of seed 001's permission matrix.
func TestWealthPermissionNames(t *testing.T) {
	m := mustPreset(t, "wealth")
	for key, want := range map[string]string{
		"clients.view_data":   "View Client Data",
		"reports.download":    "Download Reports",
		"accounts.add":        "Add Accounts",
		"transactions.edit":   "Add and Edit Transactions",
		"private_assets.edit": "Add and Edit Private Assets",
		"accounts.resync":     "Resync Accounts",
		"accounts.edit":       "Edit Accounts",
		"entities.edit":       "Add and Edit Entities",
		"helpdesk.access":     "Help Desk Access",
		"clients.edit":        "Add and Edit Clients",
		"users.manage":        "Add and Edit Users",
		"org.view_all":        "View All Clients and Users",
	} {
		if p, _ := m.Permission(key); p.Name != want {
			t.Errorf("%s: got %q, want %q", key, p.Name, want)
		}
	}
}

// marketingGrants is docs/rules.md, "Presets"'s marketing table as rules: which of
// admin, marketer, editor and read_only hold a permission.
func marketingGrants(perm string) string {
	feature, action, _ := strings.Cut(perm, ".")
	if slices.Contains(contentFeatures, feature) {
		switch action {
		case "view":
			return "xxxx"
		case "create", "edit", "archive":
			return "xxx."
		case "delete", "publish":
			return "xx.."
		case "export":
			return "x..."
		}
	}
	switch perm {
	case "settings.view":
		return "xxxx"
	case "billing.view":
		return "xx.."
	}
	return "x..." // billing.edit, settings.edit, users.manage
}

var contentFeatures = []string{"campaigns", "dashboards", "reports", "capture", "people",
	"organizations", "audiences", "tags", "activities", "data_sources"}

func TestMarketingMatrix(t *testing.T) {
	var rows []row
	for _, f := range contentFeatures {
		for _, a := range []string{"view", "create", "edit", "archive", "delete", "export"} {
			rows = append(rows, row{f + "." + a, org, ""})
		}
		if f == "campaigns" || f == "capture" {
			rows = append(rows, row{f + ".publish", org, ""})
		}
	}
	for _, p := range []string{"billing.view", "billing.edit", "settings.view", "settings.edit", "users.manage"} {
		rows = append(rows, row{p, org, ""})
	}
	for i := range rows {
		rows[i].marks = marketingGrants(rows[i].perm)
	}
	m := mustPreset(t, "marketing")
	checkMatrix(t, m, []roleSpec{
		{"admin", "Admin", roster.AccessNone, true, false},
		{"marketer", "Marketer", roster.AccessNone, false, false},
		{"editor", "Editor", roster.AccessNone, false, false},
		{"read_only", "Read only", roster.AccessNone, false, false},
	}, rows)
}

// TestMarketingRepresentative: single cells and counts, stated directly.
func TestMarketingRepresentative(t *testing.T) {
	m := mustPreset(t, "marketing")
	cells := []struct {
		role, perm string
		want       bool
	}{
		{"admin", "campaigns.export", true},
		{"admin", "users.manage", true},
		{"admin", "billing.edit", true},
		{"marketer", "campaigns.publish", true},
		{"marketer", "capture.publish", true},
		{"marketer", "people.delete", true},
		{"marketer", "data_sources.delete", true},
		{"marketer", "campaigns.export", false},
		{"marketer", "people.export", false},
		{"marketer", "billing.view", true},
		{"marketer", "billing.edit", false},
		{"marketer", "settings.view", true},
		{"marketer", "settings.edit", false},
		{"marketer", "users.manage", false},
		{"editor", "campaigns.archive", true},
		{"editor", "tags.create", true},
		{"editor", "campaigns.publish", false},
		{"editor", "capture.publish", false},
		{"editor", "reports.delete", false},
		{"editor", "audiences.export", false},
		{"editor", "billing.view", false},
		{"editor", "settings.view", true},
		{"read_only", "activities.view", true},
		{"read_only", "activities.create", false},
		{"read_only", "settings.view", true},
		{"read_only", "billing.view", false},
	}
	for _, c := range cells {
		if got := grants(m, c.role, c.perm); got != c.want {
			t.Errorf("%s grants %s: got %t, want %t", c.role, c.perm, got, c.want)
		}
	}
	counts := map[string]int{"admin": 67, "marketer": 54, "editor": 41, "read_only": 11}
	for role, want := range counts {
		r, _ := m.SystemRole(role)
		if got := len(r.Permissions); got != want {
			t.Errorf("%s: got %d permissions, want %d", role, got, want)
		}
	}
	if got := m.PermissionCount(); got != 67 {
		t.Errorf("catalog: got %d permissions, want 67", got)
	}
	readOnly, _ := m.SystemRole("read_only")
	for _, p := range readOnly.Permissions {
		if !strings.HasSuffix(p, ".view") {
			t.Errorf("read_only holds %s, want only views", p)
		}
	}
	for _, role := range []string{"marketer", "editor", "read_only"} {
		r, _ := m.SystemRole(role)
		for _, p := range r.Permissions {
			if strings.HasSuffix(p, ".export") || role != "marketer" && (strings.HasSuffix(p, ".publish") || strings.HasSuffix(p, ".delete")) {
				t.Errorf("%s holds %s", role, p)
			}
		}
	}
}

func TestMarketingFeatureNames(t *testing.T) {
	m := mustPreset(t, "marketing")
	var got []string
	for _, f := range m.Features {
		got = append(got, f.Name)
	}
	want := []string{"Campaigns", "Dashboards", "Reports", "Capture", "People", "Organizations",
		"Audiences", "Tags", "Activities", "Data sources", "Billing", "Settings", "Users"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestAccountsMatrix(t *testing.T) {
	m := mustPreset(t, "accounts")
	checkMatrix(t, m, []roleSpec{
		{"primary", "Primary user", roster.AccessNone, true, true},
		{"authorised", "Authorised user", roster.AccessNone, false, false},
	}, []row{
		//                           primary authorised
		{"organisation.view", org, "xx"},
		{"organisation.edit", org, "xx"},
		{"users.manage", org, "x."},
	})
}

func TestPresetHasClients(t *testing.T) {
	want := map[string]bool{"practice": true, "wealth": true, "marketing": false, "accounts": false}
	for _, name := range PresetNames() {
		if got := mustPreset(t, name).HasClients(); got != want[name] {
			t.Errorf("%s: got HasClients %t, want %t", name, got, want[name])
		}
	}
}
