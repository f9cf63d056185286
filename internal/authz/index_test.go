package authz_test

import (
	"fmt"
	"go/build"
	"slices"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/roster"
)

const (
	G = authz.Granted
	M = authz.MissingPermission
	N = authz.ClientNotAssigned
	U = authz.UnknownClient
)

// TestPracticeMatrix checks every practice role and client-access mode
// against every permission, for an assigned client, a client of the
// organization not assigned, and an unknown client. The want table is the
// table of docs/rules.md, "Presets" written out by hand.
func TestPracticeMatrix(t *testing.T) {
	x := newFixture(t)
	type row = map[string][3]authz.Reason // permission: assigned, not assigned, unknown
	noOrgWide := func(r row) row {
		for _, p := range []string{"users.manage", "practice.settings", "practice.billing"} {
			r[p] = [3]authz.Reason{M, M, M}
		}
		return r
	}
	want := map[roster.UserID]row{
		"u_admin": { // practice_admin, all (narrowing ignored)
			"users.manage": {G, G, G}, "practice.settings": {G, G, G}, "practice.billing": {G, G, G},
			"clients.settings": {G, G, U}, "clients.feedback": {G, G, U}, "clients.view": {G, G, U},
		},
		"u_manager": { // client_manager, all
			"users.manage": {G, G, G}, "practice.settings": {M, M, M}, "practice.billing": {M, M, M},
			"clients.settings": {G, G, U}, "clients.feedback": {G, G, U}, "clients.view": {G, G, U},
		},
		"u_book_all": noOrgWide(row{ // bookkeeper, all_by_default left at all
			"clients.settings": {G, G, U}, "clients.feedback": {G, G, U}, "clients.view": {G, G, U},
		}),
		"u_book_specific": noOrgWide(row{ // bookkeeper narrowed to specific
			"clients.settings": {G, N, U}, "clients.feedback": {G, N, U}, "clients.view": {G, N, U},
		}),
		"u_view_all": noOrgWide(row{ // view_only, default all
			"clients.settings": {M, M, M}, "clients.feedback": {G, G, U}, "clients.view": {G, G, U},
		}),
		"u_view_specific": noOrgWide(row{ // view_only narrowed to specific
			"clients.settings": {M, M, M}, "clients.feedback": {G, N, U}, "clients.view": {G, N, U},
		}),
		"u_client": noOrgWide(row{ // client, specific
			"clients.settings": {M, M, M}, "clients.feedback": {M, M, M}, "clients.view": {G, N, U},
		}),
		"u_client_all": noOrgWide(row{ // client with a stored "all": still specific
			"clients.settings": {M, M, M}, "clients.feedback": {M, M, M}, "clients.view": {G, N, U},
		}),
	}
	for user, perms := range want {
		if len(perms) != len(practicePermissions) {
			t.Fatalf("want table for %s has %d permissions", user, len(perms))
		}
		for _, perm := range practicePermissions {
			for i, client := range []roster.ClientID{c1, c2, cNone} {
				got := x.Check(org, user, perm, client)
				w := perms[perm][i]
				if got.Reason != w || got.Allowed != (w == G) {
					t.Errorf("Check(%s, %s, %s) = %+v, want %s", user, perm, client, got, w)
				}
			}
		}
	}
}

func TestCheckReasons(t *testing.T) {
	x := newFixture(t)
	tests := []struct {
		name   string
		org    roster.OrgID
		user   roster.UserID
		perm   string
		client roster.ClientID
		want   authz.Reason
	}{
		{"unknown permission", org, "u_admin", "clients.delete", c1, authz.UnknownPermission},
		{"unknown permission before unknown org", "org_nope", "u_admin", "nope", "", authz.UnknownPermission},
		{"empty permission", org, "u_admin", "", "", authz.UnknownPermission},
		{"permission key is case sensitive", org, "u_admin", "Users.Manage", "", authz.UnknownPermission},
		{"unknown organization", "org_nope", "u_admin", "users.manage", "", authz.NotMember},
		{"unknown user", org, "u_nobody", "users.manage", "", authz.NotMember},
		{"empty user does not match an invited address", org, "", "users.manage", "", authz.NotMember},
		{"invited", org, "u_invited", "users.manage", "", authz.Inactive},
		{"revoked", org, "u_revoked", "clients.view", c1, authz.Inactive},
		{"missing permission", org, "u_book_all", "users.manage", "", authz.MissingPermission},
		{"missing before unknown client", org, "u_client", "clients.settings", cNone, authz.MissingPermission},
		{"unknown role grants nothing", org, "u_ghost", "clients.view", c1, authz.MissingPermission},
		{"organization-wide ignores client", org, "u_manager", "users.manage", cNone, authz.Granted},
		{"organization-wide without client", org, "u_admin", "practice.billing", "", authz.Granted},
		{"per-client without client", org, "u_admin", "clients.view", "", authz.UnknownClient},
		{"unknown client", org, "u_book_all", "clients.view", cNone, authz.UnknownClient},
		{"client of another org", org, "u_admin", "clients.view", "cli_elsewhere", authz.UnknownClient},
		{"not assigned", org, "u_book_specific", "clients.view", c2, authz.ClientNotAssigned},
		{"assigned", org, "u_book_specific", "clients.settings", c1, authz.Granted},
		{"assignment to unknown id stays unknown", org, "u_view_specific", "clients.view", cNone, authz.UnknownClient},
		{"custom role defaults to all_by_default", org, "u_auditor", "clients.view", c2, authz.Granted},
		{"custom role org-wide permission", org, "u_auditor", "practice.billing", "", authz.Granted},
		{"custom role lacks permission", org, "u_auditor", "users.manage", "", authz.MissingPermission},
		{"custom specific role assigned", org, "u_reader", "clients.view", c1, authz.Granted},
		{"custom specific role not assigned", org, "u_reader", "clients.view", c2, authz.ClientNotAssigned},
		{"custom role cannot shadow system role", org, "u_shadow", "users.manage", "", authz.MissingPermission},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := x.Check(tt.org, tt.user, tt.perm, tt.client)
			if got.Reason != tt.want || got.Allowed != (tt.want == authz.Granted) {
				t.Errorf("Check(%q, %q, %q, %q) = %+v, want %s", tt.org, tt.user, tt.perm, tt.client, got, tt.want)
			}
			allowed, reason := x.Decide(tt.org, tt.user, tt.perm, tt.client)
			if allowed != got.Allowed || reason != string(got.Reason) {
				t.Errorf("Decide = %v, %q, want %v, %q", allowed, reason, got.Allowed, got.Reason)
			}
		})
	}
}

func TestArchivedClientStaysGranted(t *testing.T) {
	x := newFixture(t)
	for _, user := range []roster.UserID{"u_admin", "u_book_all", "u_book_specific", "u_client"} {
		if got := x.Check(org, user, "clients.view", c3); got != (authz.Decision{Allowed: true, Reason: authz.Granted}) {
			t.Errorf("Check(%s, clients.view, archived) = %+v, want granted", user, got)
		}
	}
}

func TestClientAddedLater(t *testing.T) {
	x := newFixture(t)
	const c4 roster.ClientID = "cli_4_new"
	a := fixture()
	a.Revision++
	a.Clients = append(a.Clients, c4)
	x.Put(a)
	tests := []struct {
		user roster.UserID
		want authz.Reason
	}{
		{"u_admin", authz.Granted}, {"u_manager", authz.Granted}, {"u_book_all", authz.Granted},
		{"u_view_all", authz.Granted}, {"u_auditor", authz.Granted},
		{"u_book_specific", authz.ClientNotAssigned}, {"u_view_specific", authz.ClientNotAssigned},
		{"u_client", authz.ClientNotAssigned}, {"u_client_all", authz.ClientNotAssigned},
		{"u_reader", authz.ClientNotAssigned},
	}
	for _, tt := range tests {
		if got := x.Check(org, tt.user, "clients.view", c4); got.Reason != tt.want {
			t.Errorf("after adding: Check(%s) = %s, want %s", tt.user, got.Reason, tt.want)
		}
	}
	a.Revision++
	for i, ma := range a.Members {
		if ma.UserID == "u_client" {
			a.Members[i].Clients = append(slices.Clone(ma.Clients), c4)
		}
	}
	x.Put(a)
	if got := x.Check(org, "u_client", "clients.view", c4); got.Reason != authz.Granted {
		t.Errorf("after assigning: Check(u_client) = %s, want granted", got.Reason)
	}
	if got := x.Check(org, "u_book_specific", "clients.view", c4); got.Reason != authz.ClientNotAssigned {
		t.Errorf("after assigning to another: Check(u_book_specific) = %s, want client_not_assigned", got.Reason)
	}
}

func TestPutOrdering(t *testing.T) {
	x := authz.New(practiceModel(t))
	if _, ok := x.Revision(org); ok {
		t.Fatal("Revision of an empty index: ok = true")
	}
	newer, older := fixture(), fixture()
	newer.Revision, older.Revision = 7, 6
	older.Members = older.Members[:1] // a stale view in which u_manager did not exist
	steps := []struct {
		name string
		a    roster.OrgAccess
		want bool
		rev  int64
	}{
		{"first", newer, true, 7},
		{"older refused", older, false, 7},
		{"same refused", newer, false, 7},
	}
	for _, s := range steps {
		if got := x.Put(s.a); got != s.want {
			t.Errorf("%s: Put(rev %d) = %v, want %v", s.name, s.a.Revision, got, s.want)
		}
		if rev, _ := x.Revision(org); rev != s.rev {
			t.Errorf("%s: Revision = %d, want %d", s.name, rev, s.rev)
		}
	}
	if got := x.Check(org, "u_manager", "users.manage", ""); !got.Allowed {
		t.Errorf("the older snapshot replaced the newer: Check = %+v", got)
	}
	x.Remove(org)
	x.Remove(org) // removing twice is harmless
	if _, ok := x.Revision(org); ok {
		t.Error("Revision after Remove: ok = true")
	}
	if got := x.Check(org, "u_admin", "users.manage", ""); got.Reason != authz.NotMember {
		t.Errorf("after Remove: Check = %s, want not_member", got.Reason)
	}
	if !x.Put(older) {
		t.Error("Put after Remove = false, want true")
	}
}

func TestPutAll(t *testing.T) {
	x := authz.New(practiceModel(t))
	a, b, stale := fixture(), fixture(), fixture()
	b.OrgID = "org_other"
	stale.Revision = revBase - 1
	if got := x.PutAll([]roster.OrgAccess{a, b, stale}); got != 2 {
		t.Errorf("PutAll = %d, want 2", got)
	}
	if got := x.PutAll([]roster.OrgAccess{stale}); got != 0 {
		t.Errorf("PutAll(stale) = %d, want 0", got)
	}
	for _, o := range []roster.OrgID{org, "org_other"} {
		if rev, ok := x.Revision(o); !ok || rev != revBase {
			t.Errorf("Revision(%s) = %d, %v, want %d, true", o, rev, ok, revBase)
		}
	}
}

func TestMemberView(t *testing.T) {
	x := newFixture(t)
	m := practiceModel(t)
	tests := []struct {
		user    roster.UserID
		status  roster.MemberStatus
		role    string
		mode    roster.ClientAccessRule
		perms   []string
		clients []roster.ClientID
		sees    []roster.ClientID
	}{
		{"u_admin", roster.StatusActive, "practice_admin", roster.AccessAll, practicePermissions, nil, []roster.ClientID{c1, c2, c3}},
		{"u_view_specific", roster.StatusActive, "view_only", roster.AccessSpecific,
			[]string{"clients.feedback", "clients.view"}, []roster.ClientID{c1, c3}, []roster.ClientID{c1, c3}},
		{"u_client_all", roster.StatusActive, "client", roster.AccessSpecific, []string{"clients.view"},
			[]roster.ClientID{c1, c3}, []roster.ClientID{c1, c3}},
		{"u_invited", roster.StatusInvited, "practice_admin", roster.AccessAll, practicePermissions, nil, []roster.ClientID{c1, c2, c3}},
		{"u_ghost", roster.StatusActive, "no_such_role", roster.AccessNone, nil, nil, nil},
	}
	for _, tt := range tests {
		v, ok := x.Member(org, tt.user)
		if !ok {
			t.Errorf("Member(%s): ok = false", tt.user)
			continue
		}
		if v.MemberID != roster.MemberID("mem_"+tt.user) || v.Status != tt.status || v.Role != tt.role || v.Mode != tt.mode {
			t.Errorf("Member(%s) = %s %s %s %s, want %s %s %s", tt.user, v.MemberID, v.Status, v.Role, v.Mode, tt.status, tt.role, tt.mode)
		}
		if got := m.Keys(v.Permissions); !slices.Equal(got, tt.perms) {
			t.Errorf("Member(%s).Permissions = %v, want %v", tt.user, got, tt.perms)
		}
		if got := v.Clients(); !slices.Equal(got, tt.clients) {
			t.Errorf("Member(%s).Clients() = %v, want %v", tt.user, got, tt.clients)
		}
		for _, c := range []roster.ClientID{c1, c2, c3, cNone} {
			if got, want := v.HasClient(c), slices.Contains(tt.sees, c); got != want {
				t.Errorf("Member(%s).HasClient(%s) = %v, want %v", tt.user, c, got, want)
			}
		}
	}
	if _, ok := x.Member(org, "u_nobody"); ok {
		t.Error("Member(unknown user): ok = true")
	}
	if _, ok := x.Member("org_nope", "u_admin"); ok {
		t.Error("Member(unknown org): ok = true")
	}
	var zero authz.MemberView
	if zero.HasClient(c1) || zero.Clients() != nil {
		t.Error("zero MemberView sees clients")
	}
}

func TestMemberViewIsASnapshot(t *testing.T) {
	x := newFixture(t)
	before, _ := x.Member(org, "u_client")
	a := fixture()
	a.Revision++
	a.Clients = []roster.ClientID{c2}
	x.Put(a)
	if !before.HasClient(c1) || !slices.Equal(before.Clients(), []roster.ClientID{c1, c3}) {
		t.Errorf("a view changed after Put: HasClient(c1) = %v, Clients() = %v", before.HasClient(c1), before.Clients())
	}
	after, _ := x.Member(org, "u_client")
	if after.HasClient(c1) || len(after.Clients()) != 0 {
		t.Errorf("new view: HasClient(c1) = %v, Clients() = %v, want false, []", after.HasClient(c1), after.Clients())
	}
}

func TestVisibleClients(t *testing.T) {
	x := newFixture(t)
	tests := []struct {
		org  roster.OrgID
		user roster.UserID
		all  bool
		ids  []roster.ClientID
	}{
		{org, "u_admin", true, nil},
		{org, "u_view_all", true, nil},
		{org, "u_book_specific", false, []roster.ClientID{c1, c3}},
		{org, "u_view_specific", false, []roster.ClientID{c1, c3}},
		{org, "u_invited", false, nil},
		{org, "u_revoked", false, nil},
		{org, "u_ghost", false, nil},
		{org, "u_nobody", false, nil},
		{"org_nope", "u_admin", false, nil},
	}
	for _, tt := range tests {
		all, ids := x.VisibleClients(tt.org, tt.user)
		if all != tt.all || !slices.Equal(ids, tt.ids) {
			t.Errorf("VisibleClients(%s, %s) = %v, %v, want %v, %v", tt.org, tt.user, all, ids, tt.all, tt.ids)
		}
	}
}

func TestVisibleClientsNeedsAPerClientPermission(t *testing.T) {
	x := authz.New(practiceModel(t))
	a := fixture()
	a.CustomRoles = append(a.CustomRoles, roster.RoleDef{Key: "hr", Permissions: []string{"users.manage"}})
	a.Members = append(a.Members, active("u_hr", "hr", ""))
	x.Put(a)
	if all, ids := x.VisibleClients(org, "u_hr"); all || ids != nil {
		t.Errorf("VisibleClients(u_hr) = %v, %v, want false, nil", all, ids)
	}
}

func TestHas(t *testing.T) {
	x := newFixture(t)
	tests := []struct {
		user roster.UserID
		perm string
		want bool
	}{
		{"u_manager", "users.manage", true},
		{"u_book_specific", "clients.settings", true}, // per client, for some client
		{"u_client", "clients.settings", false},
		{"u_invited", "users.manage", false},
		{"u_revoked", "users.manage", false},
		{"u_admin", "users.delete", false},
		{"u_nobody", "clients.view", false},
	}
	for _, tt := range tests {
		if got := x.Has(org, tt.user, tt.perm); got != tt.want {
			t.Errorf("Has(%s, %s) = %v, want %v", tt.user, tt.perm, got, tt.want)
		}
	}
}

func TestEffectiveMode(t *testing.T) {
	const (
		all  = roster.AccessAll
		abd  = roster.AccessAllByDefault
		spec = roster.AccessSpecific
		none = roster.AccessNone
	)
	tests := []struct {
		rule, stored, want roster.ClientAccessRule
	}{
		{all, "", all}, {all, all, all}, {all, spec, all}, {all, none, all},
		{abd, "", all}, {abd, all, all}, {abd, spec, spec}, {abd, none, all}, {abd, abd, all},
		{spec, "", spec}, {spec, all, spec}, {spec, spec, spec},
		{none, "", none}, {none, all, none}, {none, spec, none},
		{"", spec, none}, {"bogus", all, none},
	}
	for _, tt := range tests {
		if got := authz.EffectiveMode(tt.rule, tt.stored); got != tt.want {
			t.Errorf("EffectiveMode(%q, %q) = %q, want %q", tt.rule, tt.stored, got, tt.want)
		}
	}
}

func TestCheckAllocatesNothing(t *testing.T) {
	x := newFixture(t)
	queries := []struct {
		user   roster.UserID
		perm   string
		client roster.ClientID
	}{
		{"u_admin", "users.manage", ""}, {"u_book_specific", "clients.view", c1},
		{"u_book_specific", "clients.view", c2}, {"u_nobody", "clients.view", c1},
		{"u_admin", "nope", ""}, {"u_admin", "clients.view", cNone},
	}
	for _, q := range queries {
		if n := testing.AllocsPerRun(100, func() { x.Check(org, q.user, q.perm, q.client) }); n != 0 {
			t.Errorf("Check(%s, %s, %s) allocates %v times", q.user, q.perm, q.client, n)
		}
	}
}

// TestImports keeps the index free of I/O dependencies (STYLE.md, item 2).
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range pkg.Imports {
		first, _, _ := strings.Cut(path, "/")
		if strings.Contains(first, ".") && path != "github.com/roster-dev/roster/internal/roster" {
			t.Errorf("authz imports %s: only the standard library and internal/roster are allowed", path)
		}
	}
}

// TestLargeOrganization covers a member holding a few of many clients, which
// the index keeps as a sorted list rather than a bit set.
func TestLargeOrganization(t *testing.T) {
	a := roster.OrgAccess{OrgID: "org_large", Revision: 1}
	for i := range 5000 {
		a.Clients = append(a.Clients, roster.ClientID(fmt.Sprintf("cli_%05d", 4999-i)))
	}
	assigned := []roster.ClientID{"cli_04000", "cli_00007", "cli_02500", "cli_00007"}
	a.Members = []roster.MemberAccess{
		active("u_few", "bookkeeper", roster.AccessSpecific, assigned...),
		active("u_many", "view_only", roster.AccessSpecific, a.Clients[:200]...),
	}
	x := authz.New(practiceModel(t))
	x.Put(a)
	few, _ := x.Member("org_large", "u_few")
	if got, want := few.Clients(), []roster.ClientID{"cli_00007", "cli_02500", "cli_04000"}; !slices.Equal(got, want) {
		t.Errorf("Clients() = %v, want %v", got, want)
	}
	many, _ := x.Member("org_large", "u_many")
	if got := many.Clients(); len(got) != 200 || got[0] != "cli_04800" || got[199] != "cli_04999" {
		t.Errorf("Clients() = %d clients from %s to %s, want 200 from cli_04800 to cli_04999", len(got), got[0], got[len(got)-1])
	}
	for _, c := range a.Clients {
		wantFew := slices.Contains(assigned, c)
		if got := x.Check("org_large", "u_few", "clients.view", c).Allowed; got != wantFew {
			t.Errorf("Check(u_few, %s) = %v, want %v", c, got, wantFew)
		}
		wantMany := c >= "cli_04800"
		if got := x.Check("org_large", "u_many", "clients.view", c).Allowed; got != wantMany {
			t.Errorf("Check(u_many, %s) = %v, want %v", c, got, wantMany)
		}
	}
}
