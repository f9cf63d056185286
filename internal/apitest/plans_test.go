package apitest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/client"
)

// seatsOf returns the organization with its plan and seat counts.
func seatsOf(t *testing.T, e *Env, token, orgID string) client.Organization {
	t.Helper()
	return *must(e.api(token).GetOrganization(bg, orgID))(t)
}

func memberCount(t *testing.T, e *Env, token, orgID string) int {
	t.Helper()
	return len(must(e.api(token).ListMembers(bg, orgID, client.MemberQuery{Limit: 200}))(t).Members)
}

// inviteAs invites addresses with a role ("" for the model's default) and
// agent access or not.
func inviteAs(c *client.Client, orgID, role string, agent bool, emails ...string) ([]client.InviteResult, error) {
	return c.Invite(bg, orgID, client.InviteRequest{Emails: emails, Role: role, AgentAccess: agent})
}

// The operator changes an organization's plan; nobody else can, and bad
// input changes nothing.
func TestOperatorChangesPlan(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	op := e.api(OperatorToken)
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Plan != "starter" || o.Seats.Limit == nil || *o.Seats.Limit != 3 || *o.AgentSeats.Limit != 1 {
		t.Fatalf("a new account: got %+v, want the starter plan with 3 seats and 1 agent seat", o)
	}
	if _, err := e.api(a.Token).AdminSetPlan(bg, a.OrgID, "enterprise"); client.StatusOf(err) != 403 {
		t.Fatalf("the owner changing its own plan: got %v, want 403", err)
	}
	if _, err := op.AdminSetPlan(bg, a.OrgID, "platinum"); client.StatusOf(err) != 422 || client.FieldOf(err) != "plan" {
		t.Fatalf("an unknown plan: got %v, want 422 on plan", err)
	}
	// An unknown field cannot be sent through the typed client.
	if r := e.Do("PATCH", "/api/v1/admin/orgs/"+a.OrgID, OperatorToken, map[string]any{"plan": "business", "seats": 99}); r.Status != 422 || r.ErrorField() != "seats" {
		t.Fatalf("an unknown field: got %d %s, want 422 on seats", r.Status, r.Body)
	}
	if _, err := op.AdminSetPlan(bg, "org_nothere", "business"); client.StatusOf(err) != 404 {
		t.Fatalf("an unknown organization: got %v, want 404", err)
	}
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Plan != "starter" {
		t.Fatalf("after refused changes: plan %s, want starter", o.Plan)
	}
	must(op.AdminSetPlan(bg, a.OrgID, "business"))(t)
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Plan != "business" || *o.Seats.Limit != 15 || *o.AgentSeats.Limit != 5 {
		t.Fatalf("business: got %+v", o)
	}
	must(op.AdminSetPlan(bg, a.OrgID, "enterprise"))(t)
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Seats.Limit != nil || o.AgentSeats.Limit != nil {
		t.Fatalf("enterprise: got %+v, want null (unlimited) limits", o)
	}
	audit := must(e.api(a.Token).ListAudit(bg, a.OrgID, client.AuditQuery{Action: "organization.plan_changed"}))(t)
	if len(audit.Events) != 2 {
		t.Fatalf("plan changes audited: got %d events, want 2", len(audit.Events))
	}
}

// R16: active and invited members count against the seat limit; a call
// that would exceed it is refused whole and changes nothing; revoked
// members and expired invitations free their seats.
func TestR16SeatLimit(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing") // starter: 3 seats
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	must(inviteAs(owner, a.OrgID, "read_only", false, "one@example.com"))(t)
	emailsBefore := len(e.Emails())

	_, err := inviteAs(owner, a.OrgID, "", false, "two@example.com", "three@example.com")
	if st, code, _ := apiErr(err); st != 409 || code != "seat_limit_reached" {
		t.Fatalf("two invitations for one free seat: got %v, want 409 seat_limit_reached", err)
	}
	if n := memberCount(t, e, a.Token, a.OrgID); n != 2 || len(e.Emails()) != emailsBefore {
		t.Fatalf("a refused call changed something: %d members, %d emails (want 2, %d)", n, len(e.Emails()), emailsBefore)
	}
	// Invalid and duplicate addresses take no seat: the valid one fits.
	res := must(inviteAs(owner, a.OrgID, "read_only", false, "two@example.com", "not-an-address", "TWO@example.com"))(t)
	if res[0].Status != "invited" || res[1].Status != "error" || res[2].Status != "error" {
		t.Fatalf("one valid address for one seat: got %+v", res)
	}
	if o := seatsOf(t, e, a.Token, a.OrgID); o.Seats.Used != 3 {
		t.Fatalf("seats used: got %d, want 3 (owner + 2 invited)", o.Seats.Used)
	}
	if _, err := inviteAs(owner, a.OrgID, "read_only", false, "four@example.com"); !client.IsCode(err, "seat_limit_reached") {
		t.Fatalf("a full plan: got %v", err)
	}

	// Revoking frees a seat; reactivating needs one again.
	must(owner.Revoke(bg, a.OrgID, res[0].MemberID))(t)
	four := must(inviteAs(owner, a.OrgID, "read_only", false, "four@example.com"))(t)
	_, err = owner.Reactivate(bg, a.OrgID, res[0].MemberID)
	if st, code, _ := apiErr(err); st != 409 || code != "seat_limit_reached" {
		t.Fatalf("reactivating into a full plan: got %v", err)
	}
	if m := must(owner.GetMember(bg, a.OrgID, res[0].MemberID))(t); m.Status != "revoked" {
		t.Fatalf("a refused reactivation changed the status to %s", m.Status)
	}

	// R5: an expired invitation holds no seat, and its resend needs one.
	e.Clock.Advance(8 * 24 * time.Hour)
	s := must(e.api("").Login(bg, client.LoginRequest{Email: a.Email, Password: Password}))(t) // the session has ended too
	owner = e.api(s.Token)
	if o := seatsOf(t, e, s.Token, a.OrgID); o.Seats.Used != 1 {
		t.Fatalf("after every invitation expired: seats used %d, want 1", o.Seats.Used)
	}
	must(inviteAs(owner, a.OrgID, "read_only", false, "five@example.com", "six@example.com"))(t)
	_, err = owner.ResendInvitation(bg, a.OrgID, four[0].MemberID)
	if st, code, _ := apiErr(err); st != 409 || code != "seat_limit_reached" {
		t.Fatalf("resending an expired invitation into a full plan: got %v", err)
	}
}

// R16 under concurrency (docs/security.md item 10): 20 invitations racing for
// the last seat give exactly one member.
func TestR16ConcurrentInvitesForLastSeat(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	must(inviteAs(owner, a.OrgID, "read_only", false, "first@example.com"))(t) // 2 of 3 seats used
	codes := make([]string, 20)
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			_, err := inviteAs(owner, a.OrgID, "", false, fmt.Sprintf("racer%d@example.com", i))
			switch _, code, _ := apiErr(err); {
			case err == nil:
				codes[i] = "ok"
			case code != "":
				codes[i] = code
			default:
				codes[i] = err.Error()
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
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner, op := e.api(a.Token), e.api(OperatorToken)
	must(op.AdminSetPlan(bg, a.OrgID, "enterprise"))(t)
	var ids []string
	for i := range 12 {
		ids = append(ids, addMember(t, e, a, "read_only", fmt.Sprintf("m%d@example.com", i)).MemberID)
	}
	for _, id := range ids {
		must(owner.Revoke(bg, a.OrgID, id))(t)
	}
	must(op.AdminSetPlan(bg, a.OrgID, "starter"))(t)
	addMember(t, e, a, "read_only", "kept@example.com") // 2 of 3 seats used
	statuses := make([]int, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			if _, err := owner.Reactivate(bg, a.OrgID, id); err != nil {
				statuses[i] = client.StatusOf(err)
			} else {
				statuses[i] = 200
			}
		})
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
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner, op, anon := e.api(a.Token), e.api(OperatorToken), e.api("")
	must(op.AdminSetPlan(bg, a.OrgID, "business"))(t)
	addMember(t, e, a, "read_only", "active1@example.com")
	addMember(t, e, a, "read_only", "active2@example.com")
	pending := must(owner.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"late@example.com"}, Role: "read_only"}))(t)
	tok := e.LastToken("late@example.com", "invite")
	must(op.AdminSetPlan(bg, a.OrgID, "starter"))(t) // 4 seats used, 3 allowed: nobody is removed

	if o := seatsOf(t, e, a.Token, a.OrgID); o.Seats.Used != 4 {
		t.Fatalf("after the downgrade: seats used %d, want 4", o.Seats.Used)
	}
	accept := client.AcceptRequest{Token: tok, Password: Password, FirstName: "Late", LastName: "Comer"}
	_, err := anon.AcceptInvitation(bg, accept)
	if st, code, _ := apiErr(err); st != 409 || code != "seat_limit_reached" {
		t.Fatalf("accepting over the shrunk plan: got %v, want 409 seat_limit_reached", err)
	}
	if m := must(owner.GetMember(bg, a.OrgID, pending[0].MemberID))(t); m.Status != "invited" {
		t.Fatalf("a refused acceptance changed the member to %s", m.Status)
	}
	if _, err := anon.Login(bg, client.LoginRequest{Email: "late@example.com", Password: Password}); client.StatusOf(err) != 401 {
		t.Fatalf("a refused acceptance created an account: login got %v", err)
	}
	page := must(owner.ListMembers(bg, a.OrgID, client.MemberQuery{Q: "active1"}))(t)
	must(owner.Revoke(bg, a.OrgID, page.Members[0].ID))(t)
	must(anon.AcceptInvitation(bg, accept))(t)
}

// R17: agent access is off by default (the owner's too), counts against
// agent seats, invited members included; the first agent seat is free.
// Where both limits are hit, seat_limit_reached is the answer.
func TestR17AgentSeats(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner, op := e.api(a.Token), e.api(OperatorToken)
	self := must(owner.GetMember(bg, a.OrgID, a.MemberID))(t)
	o := seatsOf(t, e, a.Token, a.OrgID)
	if o.AgentSeats.Used != 0 || o.AgentSeats.Billable != 0 || self.AgentAccess {
		t.Fatalf("a new account: agent seats %+v, owner %+v; want none used", o.AgentSeats, self)
	}
	first, err := inviteAs(owner, a.OrgID, "", true, "agent1@example.com")
	if err != nil {
		t.Fatalf("the first agent: %v", err)
	}
	if o := seatsOf(t, e, a.Token, a.OrgID); o.AgentSeats.Used != 1 || o.AgentSeats.Billable != 0 {
		t.Fatalf("one agent: got %+v, want used 1, billable 0 (the first is free)", o.AgentSeats)
	}
	_, err = inviteAs(owner, a.OrgID, "", true, "agent2@example.com")
	if st, code, _ := apiErr(err); st != 409 || code != "agent_seat_limit_reached" {
		t.Fatalf("a second agent on starter: got %v", err)
	}
	// The owner giving itself agent access needs a free agent seat too.
	_, err = owner.UpdateMember(bg, a.OrgID, a.MemberID, client.UpdateMemberRequest{AgentAccess: client.Ptr(true)})
	if st, code, _ := apiErr(err); st != 409 || code != "agent_seat_limit_reached" {
		t.Fatalf("the owner's own agent access on a full plan: got %v", err)
	}
	must(inviteAs(owner, a.OrgID, "read_only", false, "plain@example.com"))(t) // 3 of 3 seats
	if _, err := inviteAs(owner, a.OrgID, "", true, "both@example.com"); !client.IsCode(err, "seat_limit_reached") {
		t.Fatalf("both limits hit: got %v, want seat_limit_reached", err)
	}

	must(op.AdminSetPlan(bg, a.OrgID, "business"))(t) // 15 seats, 5 agent seats
	for _, em := range []string{"agent2@example.com", "agent3@example.com"} {
		if _, err := inviteAs(owner, a.OrgID, "", true, em); err != nil {
			t.Fatalf("agent %s on business: got %v", em, err)
		}
	}
	must(owner.UpdateMember(bg, a.OrgID, a.MemberID, client.UpdateMemberRequest{AgentAccess: client.Ptr(true)}))(t)
	if o := seatsOf(t, e, a.Token, a.OrgID); o.AgentSeats.Used != 4 || o.AgentSeats.Billable != 3 {
		t.Fatalf("four agents: got %+v, want used 4, billable 3", o.AgentSeats)
	}
	m := must(owner.UpdateMember(bg, a.OrgID, first[0].MemberID, client.UpdateMemberRequest{AgentAccess: client.Ptr(false)}))(t)
	if m.AgentAccess || seatsOf(t, e, a.Token, a.OrgID).AgentSeats.Used != 3 {
		t.Fatalf("removing agent access: member %+v, want the agent seat freed", m)
	}

	p := New(t, "practice")
	pa := p.Signup("owner@example.com", "Practice")
	_, err = inviteAs(p.api(pa.Token), pa.OrgID, "", true, "x@example.com")
	if st, _, field := apiErr(err); st != 422 || field != "agent_access" {
		t.Fatalf("agent access where the model has none: got %v", err)
	}
}

// R17 under concurrency: agent-access grants racing for the last agent seat.
func TestR17ConcurrentAgentGrantsForLastSeat(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	must(e.api(OperatorToken).AdminSetPlan(bg, a.OrgID, "business"))(t)
	must(inviteAs(owner, a.OrgID, "", true, "g1@example.com", "g2@example.com", "g3@example.com", "g4@example.com"))(t)
	var ids []string
	for i := range 10 {
		res := must(owner.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{fmt.Sprintf("c%d@example.com", i)}, Role: "read_only"}))(t)
		ids = append(ids, res[0].MemberID)
	}
	statuses := make([]int, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			if _, err := owner.UpdateMember(bg, a.OrgID, id, client.UpdateMemberRequest{AgentAccess: client.Ptr(true)}); err != nil {
				statuses[i] = client.StatusOf(err)
			} else {
				statuses[i] = 200
			}
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
