package apitest

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

type teamJSON struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

type memberTeams struct {
	ID          string   `json:"id"`
	Teams       []string `json:"teams"`
	AgentAccess bool     `json:"agent_access"`
}

// Teams (marketing): listed to every member, created and deleted by
// holders of users.manage, set on invitation and on the member; members
// show their teams.
func TestTeams(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	ro := addMember(t, e, a, "read_only", "ro@example.com")
	var sales, support teamJSON
	e.Must(http.StatusCreated, "POST", org(a.OrgID)+"/teams", a.Token, map[string]any{"name": "Sales"}).JSON(t, &sales)
	e.Clock.Advance(time.Second) // lists are ordered by creation time
	e.Must(http.StatusCreated, "POST", org(a.OrgID)+"/teams", a.Token, map[string]any{"name": "Support"}).JSON(t, &support)
	if sales.ID == "" || sales.Name != "Sales" || sales.Members == nil || len(sales.Members) != 0 {
		t.Fatalf("a new team: got %+v", sales)
	}
	for _, tc := range []struct {
		token  string
		body   map[string]any
		status int
		code   string
	}{
		{ro.Token, map[string]any{"name": "Mine"}, 403, "forbidden"},
		{a.Token, map[string]any{"name": " sales "}, 409, "name_taken"},
		{a.Token, map[string]any{"name": ""}, 422, "validation_failed"},
		{a.Token, map[string]any{"name": 7}, 422, "validation_failed"},
	} {
		if r := e.Do("POST", org(a.OrgID)+"/teams", tc.token, tc.body); r.Status != tc.status || r.ErrorCode() != tc.code {
			t.Errorf("create team %v: got %d %s, want %d %s", tc.body, r.Status, r.Body, tc.status, tc.code)
		}
	}

	res := e.Must(http.StatusOK, "POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{
		"emails": []string{"agent@example.com"}, "agent_access": true, "teams": []string{sales.ID, support.ID, sales.ID}})
	var b struct{ Results []inviteResult }
	res.JSON(t, &b)
	var inv memberTeams
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members/"+b.Results[0].MemberID, a.Token, nil).JSON(t, &inv)
	if !sameSet(inv.Teams, []string{sales.ID, support.ID}) || !inv.AgentAccess {
		t.Fatalf("invited with teams and agent access: got %+v", inv)
	}
	if r := e.Do("POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": []string{"x@example.com"}, "teams": []string{"tm_nothere"}}); r.Status != 422 || r.ErrorField() != "teams" {
		t.Fatalf("inviting into an unknown team: got %d %s", r.Status, r.Body)
	}

	var m memberTeams
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+ro.MemberID, a.Token, map[string]any{"teams": []string{support.ID}}).JSON(t, &m)
	if !slices.Equal(m.Teams, []string{support.ID}) {
		t.Fatalf("PATCH teams: got %v", m.Teams)
	}
	if r := e.Do("PATCH", org(a.OrgID)+"/members/"+ro.MemberID, a.Token, map[string]any{"teams": []string{"tm_nothere"}}); r.Status != 422 || r.ErrorField() != "teams" {
		t.Fatalf("PATCH an unknown team: got %d %s", r.Status, r.Body)
	}
	// The owner puts itself in a team (its own agent access and teams are
	// its to set; its role is not).
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+a.MemberID, a.Token, map[string]any{"teams": []string{sales.ID}})

	var list struct {
		Teams      []teamJSON
		NextCursor *string `json:"next_cursor"`
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/teams", ro.Token, nil).JSON(t, &list)
	if len(list.Teams) != 2 || list.Teams[0].ID != sales.ID || list.NextCursor != nil {
		t.Fatalf("teams list: got %+v", list)
	}
	if !sameSet(list.Teams[0].Members, []string{a.MemberID, b.Results[0].MemberID}) || !sameSet(list.Teams[1].Members, []string{ro.MemberID, b.Results[0].MemberID}) {
		t.Fatalf("team members: got %+v", list.Teams)
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/teams?limit=1", ro.Token, nil).JSON(t, &list)
	if len(list.Teams) != 1 || list.NextCursor == nil {
		t.Fatalf("first page of 1: got %+v", list)
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/teams?limit=1&cursor="+*list.NextCursor, ro.Token, nil).JSON(t, &list)
	if len(list.Teams) != 1 || list.Teams[0].ID != support.ID || list.NextCursor != nil {
		t.Fatalf("second page: got %+v", list)
	}

	if r := e.Do("DELETE", org(a.OrgID)+"/teams/"+support.ID, ro.Token, nil); r.Status != 403 {
		t.Fatalf("a read-only member deleting a team: got %d", r.Status)
	}
	e.Must(http.StatusNoContent, "DELETE", org(a.OrgID)+"/teams/"+support.ID, a.Token, nil)
	if r := e.Do("DELETE", org(a.OrgID)+"/teams/"+support.ID, a.Token, nil); r.Status != 404 {
		t.Fatalf("deleting it again: got %d, want 404", r.Status)
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members/"+ro.MemberID, a.Token, nil).JSON(t, &m)
	if len(m.Teams) != 0 {
		t.Fatalf("a deleted team is still on its member: %v", m.Teams)
	}

	// Another organization's team is unknown here.
	other := e.Signup("other@example.com", "Other")
	if r := e.Do("DELETE", org(other.OrgID)+"/teams/"+sales.ID, other.Token, nil); r.Status != 404 {
		t.Fatalf("deleting another organization's team: got %d, want 404", r.Status)
	}
	if r := e.Do("PATCH", org(other.OrgID)+"/members/"+other.MemberID, other.Token, map[string]any{"teams": []string{sales.ID}}); r.Status != 422 {
		t.Fatalf("joining another organization's team: got %d, want 422", r.Status)
	}
}

// Teams are a feature of the marketing model only.
func TestNoTeamsInOtherModels(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Practice")
	if r := e.Do("GET", org(a.OrgID)+"/teams", a.Token, nil); r.Status != 404 {
		t.Fatalf("GET teams in practice: got %d, want 404", r.Status)
	}
	if r := e.Do("POST", org(a.OrgID)+"/teams", a.Token, map[string]any{"name": "X"}); r.Status != 404 {
		t.Fatalf("POST teams in practice: got %d, want 404", r.Status)
	}
	if r := e.Do("POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": []string{"x@example.com"}, "teams": []string{"tm_x"}}); r.Status != 422 || r.ErrorField() != "teams" {
		t.Fatalf("inviting with teams in practice: got %d %s", r.Status, r.Body)
	}
}
