package storetest

import (
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var roleTeamCases = []testCase{
	{"CustomRoleRoundTrip", testCustomRoleRoundTrip},
	{"CustomRoleConflicts", testCustomRoleConflicts},
	{"CustomRoleOrderAndAccess", testCustomRoleOrderAndAccess},
	{"TeamRoundTrip", testTeamRoundTrip},
	{"TeamConflictsAndDelete", testTeamConflictsAndDelete},
	{"ListTeamsPaging", testListTeamsPaging},
}

func (f *fixture) customRole(org roster.OrgID, key, name string, position int) roster.CustomRole {
	f.t.Helper()
	r := roster.CustomRole{OrgID: org, Key: key, Name: name, Description: "Does " + name, Icon: "🧾",
		Permissions: []string{"clients.view", "clients.settings"}, ClientAccess: roster.AccessAllByDefault,
		Position: position, CreatedAt: at(time.Duration(f.seq()) * time.Second)}
	f.write(func(tx roster.Tx) error { return tx.CreateCustomRole(f.ctx, r) })
	return r
}

func testCustomRoleRoundTrip(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	r := f.customRole(o.ID, "payroll_clerk", "Payroll clerk", 0)
	got, err := f.s.GetCustomRole(f.ctx, o.ID, r.Key)
	noErr(t, "GetCustomRole", err)
	check(t, "GetCustomRole", got, r)

	_, err = f.s.GetCustomRole(f.ctx, other.ID, r.Key)
	wantErr(t, "GetCustomRole from another organization", err, roster.ErrNotFound)

	r.Name, r.Description, r.Icon, r.Permissions, r.ClientAccess, r.Position = "Payroll lead", "", "", []string{}, roster.AccessSpecific, 3
	f.write(func(tx roster.Tx) error { return tx.UpdateCustomRole(f.ctx, r) })
	got, err = f.s.GetCustomRole(f.ctx, o.ID, r.Key)
	noErr(t, "GetCustomRole after update", err)
	check(t, "GetCustomRole after UpdateCustomRole", got, r)

	foreign := r
	foreign.OrgID = other.ID
	err = f.try(func(tx roster.Tx) error { return tx.UpdateCustomRole(f.ctx, foreign) })
	wantErr(t, "UpdateCustomRole in another organization", err, roster.ErrNotFound)
	err = f.try(func(tx roster.Tx) error { return tx.DeleteCustomRole(f.ctx, other.ID, r.Key) })
	wantErr(t, "DeleteCustomRole in another organization", err, roster.ErrNotFound)

	f.write(func(tx roster.Tx) error { return tx.DeleteCustomRole(f.ctx, o.ID, r.Key) })
	_, err = f.s.GetCustomRole(f.ctx, o.ID, r.Key)
	wantErr(t, "GetCustomRole after delete", err, roster.ErrNotFound)
}

func testCustomRoleConflicts(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	a := f.customRole(o.ID, "auditor", "Auditor", 0)
	f.customRole(o.ID, "reviewer", "Reviewer", 1)
	f.customRole(other.ID, "auditor", "Auditor", 0) // names and keys are per organization

	sameKey := roster.CustomRole{OrgID: o.ID, Key: "auditor", Name: "Something else", Permissions: []string{}, ClientAccess: roster.AccessAll, CreatedAt: Base}
	err := f.try(func(tx roster.Tx) error { return tx.CreateCustomRole(f.ctx, sameKey) })
	wantErr(t, "CreateCustomRole with a taken key", err, roster.ErrConflict)

	sameName := roster.CustomRole{OrgID: o.ID, Key: "auditor_2", Name: "  AUDITOR ", Permissions: []string{}, ClientAccess: roster.AccessAll, CreatedAt: Base}
	err = f.try(func(tx roster.Tx) error { return tx.CreateCustomRole(f.ctx, sameName) })
	wantErr(t, "CreateCustomRole with a taken name in another case", err, roster.ErrConflict)

	a.Name = "reviewer"
	err = f.try(func(tx roster.Tx) error { return tx.UpdateCustomRole(f.ctx, a) })
	wantErr(t, "UpdateCustomRole to a taken name", err, roster.ErrConflict)
}

func testCustomRoleOrderAndAccess(t *testing.T, f *fixture) {
	o := f.org()
	f.write(func(tx roster.Tx) error { _, err := tx.BumpRevision(f.ctx, o.ID); return err })
	c := f.customRole(o.ID, "c", "C", 2)
	a := f.customRole(o.ID, "a", "A", 0)
	b := f.customRole(o.ID, "b", "B", 1)
	got, err := f.s.ListCustomRoles(f.ctx, o.ID)
	noErr(t, "ListCustomRoles", err)
	check(t, "ListCustomRoles", got, []roster.CustomRole{a, b, c})

	acc, err := f.s.LoadOrgAccess(f.ctx, o.ID)
	noErr(t, "LoadOrgAccess", err)
	check(t, "LoadOrgAccess custom roles", acc.CustomRoles, []roster.RoleDef{a.RoleDef(), b.RoleDef(), c.RoleDef()})

	empty, err := f.s.ListCustomRoles(f.ctx, f.org().ID)
	noErr(t, "ListCustomRoles of an organization without roles", err)
	if empty == nil || len(empty) != 0 {
		t.Errorf("ListCustomRoles without roles: got %#v, want an empty slice", empty)
	}
}

func (f *fixture) team(org roster.OrgID, name string, created time.Time) roster.Team {
	f.t.Helper()
	tm := roster.Team{ID: roster.NewTeamID(), OrgID: org, Name: name, CreatedAt: created, Members: []roster.MemberID{}}
	f.write(func(tx roster.Tx) error { return tx.CreateTeam(f.ctx, tm) })
	return tm
}

func testTeamRoundTrip(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	sales := f.team(o.ID, "Sales", at(time.Second))
	support := f.team(o.ID, "Support", at(2*time.Second))
	m1 := f.member(o.ID, roster.Member{Teams: []roster.TeamID{sales.ID, support.ID}, CreatedAt: at(time.Hour)})
	m2 := f.member(o.ID, roster.Member{Teams: []roster.TeamID{sales.ID}, CreatedAt: at(30 * time.Minute)})

	got, err := f.s.GetTeam(f.ctx, o.ID, sales.ID)
	noErr(t, "GetTeam", err)
	sales.Members = []roster.MemberID{m2.ID, m1.ID} // in the order they joined the organization
	check(t, "GetTeam", got, sales)

	m, err := f.s.GetMember(f.ctx, o.ID, m1.ID)
	noErr(t, "GetMember", err)
	check(t, "member's teams", sorted(m.Teams), sorted([]roster.TeamID{sales.ID, support.ID}))

	_, err = f.s.GetTeam(f.ctx, other.ID, sales.ID)
	wantErr(t, "GetTeam from another organization", err, roster.ErrNotFound)

	foreign := f.team(other.ID, "Sales", at(time.Second))
	m1.Teams = []roster.TeamID{foreign.ID}
	err = f.try(func(tx roster.Tx) error { return tx.UpdateMember(f.ctx, m1) })
	if err == nil {
		t.Errorf("UpdateMember with another organization's team: got no error")
	}
	support.Members = []roster.MemberID{m1.ID}
	got, err = f.s.GetTeam(f.ctx, o.ID, support.ID)
	noErr(t, "GetTeam after a refused update", err)
	check(t, "GetTeam after a refused update", got, support)
}

func testTeamConflictsAndDelete(t *testing.T, f *fixture) {
	o := f.org()
	sales := f.team(o.ID, "Sales", at(time.Second))
	dup := roster.Team{ID: roster.NewTeamID(), OrgID: o.ID, Name: " sALES", CreatedAt: Base}
	err := f.try(func(tx roster.Tx) error { return tx.CreateTeam(f.ctx, dup) })
	wantErr(t, "CreateTeam with a taken name in another case", err, roster.ErrConflict)

	m := f.member(o.ID, roster.Member{Teams: []roster.TeamID{sales.ID}})
	other := f.org()
	err = f.try(func(tx roster.Tx) error { return tx.DeleteTeam(f.ctx, other.ID, sales.ID) })
	wantErr(t, "DeleteTeam in another organization", err, roster.ErrNotFound)
	f.write(func(tx roster.Tx) error { return tx.DeleteTeam(f.ctx, o.ID, sales.ID) })
	_, err = f.s.GetTeam(f.ctx, o.ID, sales.ID)
	wantErr(t, "GetTeam after delete", err, roster.ErrNotFound)
	got, err := f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember after its team was deleted", err)
	check(t, "member's teams after delete", got.Teams, []roster.TeamID{})

	again := roster.Team{ID: roster.NewTeamID(), OrgID: o.ID, Name: "Sales", CreatedAt: Base}
	f.write(func(tx roster.Tx) error { return tx.CreateTeam(f.ctx, again) }) // the name is free again
}

func testListTeamsPaging(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	t3 := f.team(o.ID, "Three", at(2*time.Second))
	t1 := f.team(o.ID, "One", at(time.Second))
	t2 := f.team(o.ID, "Two", at(2*time.Second))
	f.team(other.ID, "Elsewhere", at(time.Second))
	first, second := t2, t3
	if t3.ID < t2.ID { // equal times: the id decides
		first, second = t3, t2
	}
	all, err := f.s.ListTeams(f.ctx, o.ID, roster.TeamFilter{})
	noErr(t, "ListTeams", err)
	check(t, "ListTeams", all, []roster.Team{t1, first, second})

	page, err := f.s.ListTeams(f.ctx, o.ID, roster.TeamFilter{After: &roster.Cursor{Time: first.CreatedAt, ID: string(first.ID)}, Limit: 5})
	noErr(t, "ListTeams after a cursor", err)
	check(t, "ListTeams after a cursor", page, []roster.Team{second})

	page, err = f.s.ListTeams(f.ctx, o.ID, roster.TeamFilter{Limit: 1})
	noErr(t, "ListTeams with a limit", err)
	check(t, "ListTeams with a limit", page, []roster.Team{t1})
}
