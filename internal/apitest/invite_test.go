package apitest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/client"
)

// R3: one call invites many addresses with the same role; bad, duplicate
// and existing addresses are reported per address and the rest go ahead.
func TestR3InviteReportsPerAddress(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper",
		"one@example.com", "not-an-email", "Two@Example.com", "two@example.com", "owner@example.com")
	want := []struct{ status, code string }{
		{"invited", ""}, {"error", "validation_failed"}, {"invited", ""}, {"error", "duplicate"}, {"error", "already_member"},
	}
	for i, w := range want {
		got := res[i]
		code := ""
		if got.Error != nil {
			code = got.Error.Code
		}
		if got.Status != w.status || code != w.code {
			t.Errorf("%s: got %s/%s, want %s/%s", got.Email, got.Status, code, w.status, w.code)
		}
	}
	if res[0].AcceptURL == "" || !strings.HasPrefix(res[0].AcceptURL, e.URL+"/invite/") {
		t.Errorf("accept_url: got %q, want %s/invite/<token>", res[0].AcceptURL, e.URL)
	}
	// An already-invited address is a member too.
	again := invite(t, e, a.Token, a.OrgID, "bookkeeper", "ONE@example.com")
	if again[0].Error == nil || again[0].Error.Code != "already_member" {
		t.Fatalf("re-inviting a pending address: got %+v, want already_member", again[0])
	}
}

func TestR3InviteListBounds(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	owner := e.api(a.Token)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("u%d@example.com", i)
	}
	for name, emails := range map[string][]string{"empty": {}, "101": many} {
		_, err := owner.Invite(bg, a.OrgID, client.InviteRequest{Emails: emails})
		if st, _, field := apiErr(err); st != 422 || field != "emails" {
			t.Errorf("%s: got %v, want 422 on emails", name, err)
		}
	}
	res := invite(t, e, a.Token, a.OrgID, "", many[:100]...)
	if len(res) != 100 || res[99].Status != "invited" {
		t.Fatalf("100 addresses: got %d results, last %+v", len(res), res[len(res)-1])
	}
	b := must(owner.ListMembers(bg, a.OrgID, client.MemberQuery{Statuses: []string{client.StatusInvited}, Limit: 200}))(t)
	if len(b.Members) != 100 || b.Members[0].Role != "bookkeeper" {
		t.Fatalf("got %d invited members (role %q), want 100 with the default role bookkeeper", len(b.Members), b.Members[0].Role)
	}
}

// R3: only holders of users.manage invite; the role must not exceed the
// inviter's (R8); an unknown role is 422.
func TestR3InviteRefusals(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	mgr := addMember(t, e, a, "client_manager", "mgr@example.com")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	cases := []struct {
		name, token, role string
		status            int
		code              string
	}{
		{"bookkeeper lacks users.manage", bk.Token, "client", 403, "forbidden"},
		{"manager cannot grant admin", mgr.Token, "practice_admin", 403, "escalation"},
		{"unknown role", a.Token, "wizard", 422, "validation_failed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.api(c.token).Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"x@example.com"}, Role: c.role})
			if !isErr(err, c.status, c.code) {
				t.Fatalf("got %v, want %d %s", err, c.status, c.code)
			}
		})
	}
	invite(t, e, mgr.Token, a.OrgID, "client_manager", "peer@example.com")
}

// R4: a verified account joins at once where the model says join, and gets
// a notice; an unverified one gets an invitation.
func TestR4ExistingVerifiedAccountJoins(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	other := e.Signup("known@example.com", "Elsewhere")
	must(e.api("").VerifyEmail(bg, e.LastToken("known@example.com", "verify")))(t)
	e.Signup("unverified@example.com", "Third")

	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "KNOWN@example.com", "unverified@example.com")
	if res[0].Status != "added" || res[0].AcceptURL != "" {
		t.Fatalf("verified account: got %+v, want added without a link", res[0])
	}
	if res[1].Status != "invited" {
		t.Fatalf("unverified account: got %+v, want invited", res[1])
	}
	m := getMember(t, e, other.Token, a.OrgID, res[0].MemberID)
	if m.Status != "active" || m.UserID == nil || *m.UserID != other.UserID {
		t.Fatalf("joined member: got %+v, want active for %s", m, other.UserID)
	}
	var notice bool
	for _, em := range e.Emails() {
		if strings.Contains(em.To, "known@example.com") && strings.Contains(em.Body, "added") {
			notice = true
		}
	}
	if !notice {
		t.Fatalf("the joined account got no notice email")
	}
}

// R4: where the model says invite (marketing), even a verified account
// gets an invitation to accept.
func TestR4InvitePolicyStillInvites(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	b := e.Signup("known@example.com", "Other")
	must(e.api("").VerifyEmail(bg, e.LastToken("known@example.com", "verify")))(t)
	res := invite(t, e, a.Token, a.OrgID, "read_only", "known@example.com")
	if res[0].Status != "invited" {
		t.Fatalf("got %+v, want invited", res[0])
	}
	tok := e.LastToken("known@example.com", "invite")
	acc := must(e.api(b.Token).AcceptInvitation(bg, client.AcceptRequest{Token: tok}))(t)
	if acc.Member.Status != "active" {
		t.Fatalf("accept with a session: got %+v", acc.Member)
	}
}

// R5: an invitation expires; it stays listed as invited with its expiry in
// the past, no longer holds a seat, and cannot be accepted; a resend gives a
// fresh token and kills the old one.
func TestR5ExpiryAndResend(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "late@example.com")
	old := e.LastToken("late@example.com", "invite")
	e.Clock.Advance(7*24*time.Hour + time.Second)
	a.Token = e.Login("owner@example.com")
	owner, anon := e.api(a.Token), e.api("")

	m := getMember(t, e, a.Token, a.OrgID, res[0].MemberID)
	if m.Status != "invited" || m.Invitation == nil || !m.Invitation.ExpiresAt.Before(e.Clock.Now()) {
		t.Fatalf("expired invitation: got status %s invitation %+v, want invited and in the past", m.Status, m.Invitation)
	}
	_, err := anon.AcceptInvitation(bg, client.AcceptRequest{Token: old, Password: Password, FirstName: "L", LastName: "Ate"})
	if !isErr(err, 410, "invitation_expired") {
		t.Fatalf("accepting expired: got %v, want 410 invitation_expired", err)
	}
	if o := must(owner.GetOrganization(bg, a.OrgID))(t); o.Seats.Used != 1 {
		t.Fatalf("an expired invitation holds no seat: got used=%v, want 1", o.Seats.Used)
	}
	e.Clock.Advance(time.Second)
	r := must(owner.ResendInvitation(bg, a.OrgID, res[0].MemberID))(t)
	fresh := e.LastToken("late@example.com", "invite")
	if fresh == old || !strings.HasSuffix(r.AcceptURL, fresh) {
		t.Fatalf("resend: got accept_url %v and emailed %s, want a fresh token", r.AcceptURL, fresh)
	}
	if _, err := anon.PreviewInvitation(bg, old); client.StatusOf(err) != 404 {
		t.Fatalf("superseded token: got %v, want 404", err)
	}
	must(anon.AcceptInvitation(bg, client.AcceptRequest{Token: fresh, Password: Password, FirstName: "L", LastName: "Ate"}))(t)
	if _, err := anon.AcceptInvitation(bg, client.AcceptRequest{Token: fresh, Password: Password}); !isErr(err, 410, "invitation_used") {
		t.Fatalf("accepting twice: got %v, want 410 invitation_used", err)
	}
	if _, err := owner.ResendInvitation(bg, a.OrgID, res[0].MemberID); !isErr(err, 409, "not_pending") {
		t.Fatalf("resend to an active member: got %v, want 409 not_pending", err)
	}
}

// R5: a cancelled invitation is refused with 410 invitation_used; an
// unknown token is 404; another account cannot accept (403).
func TestR5TokenRefusals(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	anon := e.api("")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "cancel@example.com", "mine@example.com")
	cancelTok := e.LastToken("cancel@example.com", "invite")
	must(e.api(a.Token).Revoke(bg, a.OrgID, res[0].MemberID))(t)
	if _, err := anon.AcceptInvitation(bg, client.AcceptRequest{Token: cancelTok, Password: Password, FirstName: "C", LastName: "X"}); !isErr(err, 410, "invitation_used") {
		t.Fatalf("cancelled: got %v, want 410 invitation_used", err)
	}
	if _, err := anon.AcceptInvitation(bg, client.AcceptRequest{Token: "nope", Password: Password}); client.StatusOf(err) != 404 {
		t.Fatalf("unknown token: got %v, want 404", err)
	}
	stranger := e.Signup("stranger@example.com", "S")
	mine := e.LastToken("mine@example.com", "invite")
	if _, err := e.api(stranger.Token).AcceptInvitation(bg, client.AcceptRequest{Token: mine}); !isErr(err, 403, "forbidden") {
		t.Fatalf("another account accepting: got %v, want 403 forbidden", err)
	}
	p := must(anon.PreviewInvitation(bg, mine))(t)
	if p.Email != "mine@example.com" || p.Role != "bookkeeper" || p.AccountExists {
		t.Fatalf("preview: got %+v", p)
	}
}

// R6: invited members are listed with status invited and no 2FA value, and
// are not counted as members of any role.
func TestR6InvitedMembersListedNotInRoles(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "pending@example.com")
	m := getMember(t, e, a.Token, a.OrgID, res[0].MemberID)
	if m.Status != "invited" || m.TwoFactor != nil {
		t.Fatalf("got status %s two_factor %v, want invited and null", m.Status, m.TwoFactor)
	}
	owner := getMember(t, e, a.Token, a.OrgID, a.MemberID)
	if owner.TwoFactor == nil || *owner.TwoFactor {
		t.Fatalf("an active member has a 2FA value: got %v, want false", owner.TwoFactor)
	}
	for _, r := range must(e.api(a.Token).ListRoles(bg, a.OrgID))(t) {
		for _, mm := range r.Members {
			if mm.MemberID == res[0].MemberID {
				t.Fatalf("the invited member is listed under role %s", r.Key)
			}
		}
		if r.Key == "practice_admin" && (len(r.Members) != 1 || r.Members[0].MemberID != a.MemberID) {
			t.Fatalf("practice_admin members: got %v, want the owner", r.Members)
		}
	}
}
