package apitest

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// setPlan is the operator's plan change.
func setPlan(t *testing.T, e *Env, orgID, plan string) map[string]any {
	t.Helper()
	return e.Must(http.StatusOK, "PATCH", "/api/v1/admin/orgs/"+orgID, OperatorToken, map[string]any{"plan": plan}).M(t)
}

type seatsJSON struct {
	Limit    *int `json:"limit"`
	Used     int  `json:"used"`
	Billable *int `json:"billable"`
}

type orgSeats struct {
	Plan       string    `json:"plan"`
	Seats      seatsJSON `json:"seats"`
	AgentSeats seatsJSON `json:"agent_seats"`
}

func seatsOf(t *testing.T, e *Env, token, orgID string) orgSeats {
	t.Helper()
	var o orgSeats
	e.Must(http.StatusOK, "GET", org(orgID), token, nil).JSON(t, &o)
	return o
}

func memberCount(t *testing.T, e *Env, token, orgID string) int {
	t.Helper()
	var page struct{ Members []member }
	e.Must(http.StatusOK, "GET", org(orgID)+"/members?limit=200", token, nil).JSON(t, &page)
	return len(page.Members)
}

// The operator changes an organization's plan; nobody else can, and bad
// input changes nothing.
func TestOperatorChangesPlan(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Plan != "starter" || o.Seats.Limit == nil || *o.Seats.Limit != 3 || *o.AgentSeats.Limit != 1 {
		t.Fatalf("a new account: got %+v, want the starter plan with 3 seats and 1 agent seat", o)
	}
	path := "/api/v1/admin/orgs/" + a.OrgID
	if r := e.Do("PATCH", path, a.Token, map[string]any{"plan": "enterprise"}); r.Status != 403 {
		t.Fatalf("the owner changing its own plan: got %d %s, want 403", r.Status, r.Body)
	}
	if r := e.Do("PATCH", path, OperatorToken, map[string]any{"plan": "platinum"}); r.Status != 422 || r.ErrorField() != "plan" {
		t.Fatalf("an unknown plan: got %d %s, want 422 on plan", r.Status, r.Body)
	}
	if r := e.Do("PATCH", path, OperatorToken, map[string]any{"plan": "business", "seats": 99}); r.Status != 422 || r.ErrorField() != "seats" {
		t.Fatalf("an unknown field: got %d %s, want 422 on seats", r.Status, r.Body)
	}
	if r := e.Do("PATCH", "/api/v1/admin/orgs/org_nothere", OperatorToken, map[string]any{"plan": "business"}); r.Status != 404 {
		t.Fatalf("an unknown organization: got %d, want 404", r.Status)
	}
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Plan != "starter" {
		t.Fatalf("after refused changes: plan %s, want starter", o.Plan)
	}
	setPlan(t, e, a.OrgID, "business")
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Plan != "business" || *o.Seats.Limit != 15 || *o.AgentSeats.Limit != 5 {
		t.Fatalf("business: got %+v", o)
	}
	setPlan(t, e, a.OrgID, "enterprise")
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Seats.Limit != nil || o.AgentSeats.Limit != nil {
		t.Fatalf("enterprise: got %+v, want null (unlimited) limits", o)
	}
	var audit struct{ Events []struct{ Action string } }
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/audit?action=organization.plan_changed", a.Token, nil).JSON(t, &audit)
	if len(audit.Events) != 2 {
		t.Fatalf("plan changes audited: got %d events, want 2", len(audit.Events))
	}
}

// R16: active and invited members count against the seat limit; a call
// that would exceed it is refused whole and changes nothing; revoked
// members and expired invitations free their seats.
func TestR16SeatLimit(t *testing.T) {
	e := New(t, "marketing") // starter: 3 seats
	a := e.Signup("owner@example.com", "Acme")
	invite(t, e, a.Token, a.OrgID, "read_only", "one@example.com")
	emailsBefore := len(e.Emails())

	r := e.Do("POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": []string{"two@example.com", "three@example.com"}})
	if r.Status != 409 || r.ErrorCode() != "seat_limit_reached" {
		t.Fatalf("two invitations for one free seat: got %d %s, want 409 seat_limit_reached", r.Status, r.Body)
	}
	if n := memberCount(t, e, a.Token, a.OrgID); n != 2 || len(e.Emails()) != emailsBefore {
		t.Fatalf("a refused call changed something: %d members, %d emails (want 2, %d)", n, len(e.Emails()), emailsBefore)
	}
	// Invalid and duplicate addresses take no seat: the valid one fits.
	res := invite(t, e, a.Token, a.OrgID, "read_only", "two@example.com", "not-an-address", "TWO@example.com")
	if res[0].Status != "invited" || res[1].Status != "error" || res[2].Status != "error" {
		t.Fatalf("one valid address for one seat: got %+v", res)
	}
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Seats.Used != 3 {
		t.Fatalf("seats used: got %d, want 3 (owner + 2 invited)", o.Seats.Used)
	}
	if r := e.Do("POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": []string{"four@example.com"}}); r.ErrorCode() != "seat_limit_reached" {
		t.Fatalf("a full plan: got %d %s", r.Status, r.Body)
	}

	// Revoking frees a seat; reactivating needs one again.
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+res[0].MemberID+"/revoke", a.Token, nil)
	four := invite(t, e, a.Token, a.OrgID, "read_only", "four@example.com")
	if r := e.Do("POST", org(a.OrgID)+"/members/"+res[0].MemberID+"/reactivate", a.Token, nil); r.Status != 409 || r.ErrorCode() != "seat_limit_reached" {
		t.Fatalf("reactivating into a full plan: got %d %s", r.Status, r.Body)
	}
	if m := getMember(t, e, a.Token, a.OrgID, res[0].MemberID); m.Status != "revoked" {
		t.Fatalf("a refused reactivation changed the status to %s", m.Status)
	}

	// R5: an expired invitation holds no seat, and its resend needs one.
	e.Clock.Advance(8 * 24 * time.Hour)
	a.Token = e.Login(a.Email) // the session has ended too
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Seats.Used != 1 {
		t.Fatalf("after every invitation expired: seats used %d, want 1", o.Seats.Used)
	}
	invite(t, e, a.Token, a.OrgID, "read_only", "five@example.com", "six@example.com")
	if r := e.Do("POST", org(a.OrgID)+"/members/"+four[0].MemberID+"/resend", a.Token, nil); r.Status != 409 || r.ErrorCode() != "seat_limit_reached" {
		t.Fatalf("resending an expired invitation into a full plan: got %d %s", r.Status, r.Body)
	}
}

// R16 under concurrency (SECURITY.md item 10): 20 invitations racing for
// the last seat give exactly one member.
func TestR16ConcurrentInvitesForLastSeat(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	invite(t, e, a.Token, a.OrgID, "read_only", "first@example.com") // 2 of 3 seats used
	codes := make([]string, 20)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			r := e.Do("POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": []string{fmt.Sprintf("racer%d@example.com", i)}})
			switch {
			case r.Status == 200:
				codes[i] = "ok"
			default:
				codes[i] = r.ErrorCode()
			}
		})
	}
	wg.Wait()
	ok := 0
	for i, c := range codes {
		switch c {
		case "ok":
			ok++
		case "seat_limit_reached":
		default:
			t.Errorf("racer %d: got %q, want ok or seat_limit_reached", i, c)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 20 racing invitations got the last seat, want exactly 1", ok)
	}
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Seats.Used != 3 {
		t.Fatalf("seats used: got %d, want 3", o.Seats.Used)
	}
	if n := memberCount(t, e, a.Token, a.OrgID); n != 3 {
		t.Fatalf("members: got %d, want 3", n)
	}
}

// R16 under concurrency: revoked members racing to be reactivated into the
// last free seat.
func TestR16ConcurrentReactivationsForLastSeat(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "enterprise")
	var ids []string
	for i := range 12 {
		ids = append(ids, addMember(t, e, a, "read_only", fmt.Sprintf("m%d@example.com", i)).MemberID)
	}
	for _, id := range ids {
		e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+id+"/revoke", a.Token, nil)
	}
	setPlan(t, e, a.OrgID, "starter")
	addMember(t, e, a, "read_only", "kept@example.com") // 2 of 3 seats used
	statuses := make([]int, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { statuses[i] = e.Do("POST", org(a.OrgID)+"/members/"+id+"/reactivate", a.Token, nil).Status })
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == 200 {
			ok++
		} else if s != 409 {
			t.Errorf("unexpected status %d", s)
		}
	}
	if ok != 1 || seatsOf(t, e, a.Token, a.OrgID).Seats.Used != 3 {
		t.Fatalf("%d reactivations succeeded, want exactly 1 (statuses %v)", ok, statuses)
	}
}

// R5/R16: acceptance re-checks the seats, so an invitation sent on a
// bigger plan cannot be accepted once the plan shrank below the members
// already in; it can once seats are freed. A refused acceptance changes
// nothing: the token still works later.
func TestR16AcceptanceAfterPlanShrank(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	addMember(t, e, a, "read_only", "active1@example.com")
	addMember(t, e, a, "read_only", "active2@example.com")
	pending := invite(t, e, a.Token, a.OrgID, "read_only", "late@example.com")
	tok := e.LastToken("late@example.com", "invite")
	setPlan(t, e, a.OrgID, "starter") // 4 seats used, 3 allowed: nobody is removed

	if o := seatsOf(t, e, a.Token, a.OrgID); o.Seats.Used != 4 {
		t.Fatalf("after the downgrade: seats used %d, want 4", o.Seats.Used)
	}
	accept := map[string]any{"token": tok, "password": Password, "first_name": "Late", "last_name": "Comer"}
	if r := e.Do("POST", "/api/v1/invitations/accept", "", accept); r.Status != 409 || r.ErrorCode() != "seat_limit_reached" {
		t.Fatalf("accepting over the shrunk plan: got %d %s, want 409 seat_limit_reached", r.Status, r.Body)
	}
	if m := getMember(t, e, a.Token, a.OrgID, pending[0].MemberID); m.Status != "invited" {
		t.Fatalf("a refused acceptance changed the member to %s", m.Status)
	}
	if r := e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": "late@example.com", "password": Password}); r.Status != 401 {
		t.Fatalf("a refused acceptance created an account: login got %d", r.Status)
	}
	var page struct{ Members []member }
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?q=active1", a.Token, nil).JSON(t, &page)
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+page.Members[0].ID+"/revoke", a.Token, nil)
	e.Must(http.StatusOK, "POST", "/api/v1/invitations/accept", "", accept)
}

// R17: agent access is off by default (the owner's too), counts against
// agent seats, invited members included; the first agent seat is free.
// Where both limits are hit, seat_limit_reached is the answer.
func TestR17AgentSeats(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := getMember(t, e, a.Token, a.OrgID, a.MemberID)
	o := seatsOf(t, e, a.Token, a.OrgID)
	if o.AgentSeats.Used != 0 || o.AgentSeats.Billable == nil || *o.AgentSeats.Billable != 0 {
		t.Fatalf("a new account: agent seats %+v, owner %+v; want none used", o.AgentSeats, owner)
	}
	agent := func(emails ...string) *Resp {
		return e.Do("POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": emails, "agent_access": true})
	}
	first := agent("agent1@example.com")
	if first.Status != 200 {
		t.Fatalf("the first agent: got %d %s", first.Status, first.Body)
	}
	if o := seatsOf(t, e, a.Token, a.OrgID); o.AgentSeats.Used != 1 || *o.AgentSeats.Billable != 0 {
		t.Fatalf("one agent: got %+v, want used 1, billable 0 (the first is free)", o.AgentSeats)
	}
	if r := agent("agent2@example.com"); r.Status != 409 || r.ErrorCode() != "agent_seat_limit_reached" {
		t.Fatalf("a second agent on starter: got %d %s", r.Status, r.Body)
	}
	// The owner giving itself agent access needs a free agent seat too.
	if r := e.Do("PATCH", org(a.OrgID)+"/members/"+a.MemberID, a.Token, map[string]any{"agent_access": true}); r.Status != 409 || r.ErrorCode() != "agent_seat_limit_reached" {
		t.Fatalf("the owner's own agent access on a full plan: got %d %s", r.Status, r.Body)
	}
	invite(t, e, a.Token, a.OrgID, "read_only", "plain@example.com") // 3 of 3 seats
	if r := agent("both@example.com"); r.ErrorCode() != "seat_limit_reached" {
		t.Fatalf("both limits hit: got %d %s, want seat_limit_reached", r.Status, r.Body)
	}

	setPlan(t, e, a.OrgID, "business") // 15 seats, 5 agent seats
	for _, em := range []string{"agent2@example.com", "agent3@example.com"} {
		if r := agent(em); r.Status != 200 {
			t.Fatalf("agent %s on business: got %d %s", em, r.Status, r.Body)
		}
	}
	var own member
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+a.MemberID, a.Token, map[string]any{"agent_access": true}).JSON(t, &own)
	if o := seatsOf(t, e, a.Token, a.OrgID); o.AgentSeats.Used != 4 || *o.AgentSeats.Billable != 3 {
		t.Fatalf("four agents: got %+v, want used 4, billable 3", o.AgentSeats)
	}
	var res struct{ Results []inviteResult }
	first.JSON(t, &res)
	var m struct {
		AgentAccess bool `json:"agent_access"`
	}
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+res.Results[0].MemberID, a.Token, map[string]any{"agent_access": false}).JSON(t, &m)
	if m.AgentAccess || seatsOf(t, e, a.Token, a.OrgID).AgentSeats.Used != 3 {
		t.Fatalf("removing agent access: member %+v, want the agent seat freed", m)
	}

	p := New(t, "practice")
	pa := p.Signup("owner@example.com", "Practice")
	if r := p.Do("POST", org(pa.OrgID)+"/invitations", pa.Token, map[string]any{"emails": []string{"x@example.com"}, "agent_access": true}); r.Status != 422 || r.ErrorField() != "agent_access" {
		t.Fatalf("agent access where the model has none: got %d %s", r.Status, r.Body)
	}
}

// R17 under concurrency: agent-access grants racing for the last agent seat.
func TestR17ConcurrentAgentGrantsForLastSeat(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	setPlan(t, e, a.OrgID, "business")
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{
		"emails": []string{"g1@example.com", "g2@example.com", "g3@example.com", "g4@example.com"}, "agent_access": true})
	var ids []string
	for i := range 10 {
		ids = append(ids, invite(t, e, a.Token, a.OrgID, "read_only", fmt.Sprintf("c%d@example.com", i))[0].MemberID)
	}
	statuses := make([]int, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			statuses[i] = e.Do("PATCH", org(a.OrgID)+"/members/"+id, a.Token, map[string]any{"agent_access": true}).Status
		})
	}
	wg.Wait()
	ok := 0
	for _, s := range statuses {
		if s == 200 {
			ok++
		}
	}
	if ok != 1 || seatsOf(t, e, a.Token, a.OrgID).AgentSeats.Used != 5 {
		t.Fatalf("%d grants succeeded (statuses %v), want exactly 1 and 5 agent seats used", ok, statuses)
	}
}
