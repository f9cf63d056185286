package apitest

import (
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/client"
)

// Teams (marketing): listed to every member, created and deleted by
// holders of users.manage, set on invitation and on the member; members
// show their teams.
func TestTeams(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	must(e.api(OperatorToken).AdminSetPlan(bg, a.OrgID, "business"))(t)
	ro := addMember(t, e, a, "read_only", "ro@example.com")
	owner, reader := e.api(a.Token), e.api(ro.Token)
	sales, err := owner.CreateTeam(bg, a.OrgID, "Sales")
	if err != nil {
		t.Fatalf("create Sales: %v", err)
	}
	e.Clock.Advance(time.Second) // lists are ordered by creation time
	support, err := owner.CreateTeam(bg, a.OrgID, "Support")
	if err != nil {
		t.Fatalf("create Support: %v", err)
	}
	if sales.ID == "" || sales.Name != "Sales" || sales.Members == nil || len(sales.Members) != 0 {
		t.Fatalf("a new team: got %+v", sales)
	}
	for _, tc := range []struct {
		as     *client.Client
		name   string
		status int
		code   string
	}{
		{reader, "Mine", 403, "forbidden"},
		{owner, " sales ", 409, "name_taken"},
		{owner, "", 422, "validation_failed"},
	} {
		_, err := tc.as.CreateTeam(bg, a.OrgID, tc.name)
		if st, code, _ := apiErr(err); st != tc.status || code != tc.code {
			t.Errorf("create team %q: got %v, want %d %s", tc.name, err, tc.status, tc.code)
		}
	}
	// A wrong JSON type cannot be sent through the typed client.
	if r := e.Do("POST", org(a.OrgID)+"/teams", a.Token, map[string]any{"name": 7}); r.Status != 422 || r.ErrorCode() != "validation_failed" {
		t.Errorf("create team with a number for a name: got %d %s, want 422 validation_failed", r.Status, r.Body)
	}

	res, err := owner.Invite(bg, a.OrgID, client.InviteRequest{
		Emails: []string{"agent@example.com"}, AgentAccess: true, Teams: []string{sales.ID, support.ID, sales.ID}})
	if err != nil {
		t.Fatalf("invite with teams: %v", err)
	}
	inv, err := owner.GetMember(bg, a.OrgID, res[0].MemberID)
	if err != nil {
		t.Fatal(err)
	}
	if !sameSet(inv.Teams, []string{sales.ID, support.ID}) || !inv.AgentAccess {
		t.Fatalf("invited with teams and agent access: got %+v", inv)
	}
	_, err = owner.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"x@example.com"}, Teams: []string{"tm_nothere"}})
	if st, _, field := apiErr(err); st != 422 || field != "teams" {
		t.Fatalf("inviting into an unknown team: got %v", err)
	}

	m, err := owner.UpdateMember(bg, a.OrgID, ro.MemberID, client.UpdateMemberRequest{Teams: &[]string{support.ID}})
	if err != nil {
		t.Fatalf("PATCH teams: %v", err)
	}
	if !slices.Equal(m.Teams, []string{support.ID}) {
		t.Fatalf("PATCH teams: got %v", m.Teams)
	}
	_, err = owner.UpdateMember(bg, a.OrgID, ro.MemberID, client.UpdateMemberRequest{Teams: &[]string{"tm_nothere"}})
	if st, _, field := apiErr(err); st != 422 || field != "teams" {
		t.Fatalf("PATCH an unknown team: got %v", err)
	}
	// The owner puts itself in a team (its own agent access and teams are
	// its to set; its role is not).
	if _, err := owner.UpdateMember(bg, a.OrgID, a.MemberID, client.UpdateMemberRequest{Teams: &[]string{sales.ID}}); err != nil {
		t.Fatalf("the owner's own teams: %v", err)
	}

	list, err := reader.ListTeams(bg, a.OrgID, client.PageQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Teams) != 2 || list.Teams[0].ID != sales.ID || list.NextCursor != "" {
		t.Fatalf("teams list: got %+v", list)
	}
	if !sameSet(list.Teams[0].Members, []string{a.MemberID, res[0].MemberID}) || !sameSet(list.Teams[1].Members, []string{ro.MemberID, res[0].MemberID}) {
		t.Fatalf("team members: got %+v", list.Teams)
	}
	list, err = reader.ListTeams(bg, a.OrgID, client.PageQuery{Limit: 1})
	if err != nil || len(list.Teams) != 1 || list.NextCursor == "" {
		t.Fatalf("first page of 1: got %+v, %v", list, err)
	}
	list, err = reader.ListTeams(bg, a.OrgID, client.PageQuery{Limit: 1, Cursor: list.NextCursor})
	if err != nil || len(list.Teams) != 1 || list.Teams[0].ID != support.ID || list.NextCursor != "" {
		t.Fatalf("second page: got %+v, %v", list, err)
	}

	if err := reader.DeleteTeam(bg, a.OrgID, support.ID); client.StatusOf(err) != 403 {
		t.Fatalf("a read-only member deleting a team: got %v, want 403", err)
	}
	if err := owner.DeleteTeam(bg, a.OrgID, support.ID); err != nil {
		t.Fatalf("delete a team: %v", err)
	}
	if err := owner.DeleteTeam(bg, a.OrgID, support.ID); client.StatusOf(err) != 404 {
		t.Fatalf("deleting it again: got %v, want 404", err)
	}
	m, err = owner.GetMember(bg, a.OrgID, ro.MemberID)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Teams) != 0 {
		t.Fatalf("a deleted team is still on its member: %v", m.Teams)
	}

	// Another organization's team is unknown here.
	other := e.Signup("other@example.com", "Other")
	if err := e.api(other.Token).DeleteTeam(bg, other.OrgID, sales.ID); client.StatusOf(err) != 404 {
		t.Fatalf("deleting another organization's team: got %v, want 404", err)
	}
	if _, err := e.api(other.Token).UpdateMember(bg, other.OrgID, other.MemberID, client.UpdateMemberRequest{Teams: &[]string{sales.ID}}); client.StatusOf(err) != 422 {
		t.Fatalf("joining another organization's team: got %v, want 422", err)
	}
}

// Teams are a feature of the marketing model only.
func TestNoTeamsInOtherModels(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Practice")
	owner := e.api(a.Token)
	if _, err := owner.ListTeams(bg, a.OrgID, client.PageQuery{}); client.StatusOf(err) != 404 {
		t.Fatalf("GET teams in practice: got %v, want 404", err)
	}
	if _, err := owner.CreateTeam(bg, a.OrgID, "X"); client.StatusOf(err) != 404 {
		t.Fatalf("POST teams in practice: got %v, want 404", err)
	}
	_, err := owner.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"x@example.com"}, Teams: []string{"tm_x"}})
	if st, _, field := apiErr(err); st != 422 || field != "teams" {
		t.Fatalf("inviting with teams in practice: got %v", err)
	}
}
