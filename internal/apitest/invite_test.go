package apitest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// R3: one call invites many addresses with the same role; bad, duplicate
// and existing addresses are reported per address and the rest go ahead.
func TestR3InviteReportsPerAddress(t *testing.T) {
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
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprintf("u%d@example.com", i)
	}
	for name, emails := range map[string][]string{"empty": {}, "101": many} {
		r := e.Do("POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": emails})
		if r.Status != 422 || r.ErrorField() != "emails" {
			t.Errorf("%s: got %d %s, want 422 on emails", name, r.Status, r.Body)
		}
	}
	res := invite(t, e, a.Token, a.OrgID, "", many[:100]...)
	if len(res) != 100 || res[99].Status != "invited" {
		t.Fatalf("100 addresses: got %d results, last %+v", len(res), res[len(res)-1])
	}
	r := e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?status=invited&limit=200", a.Token, nil)
	var b struct{ Members []member }
	r.JSON(t, &b)
	if len(b.Members) != 100 || b.Members[0].Role != "bookkeeper" {
		t.Fatalf("got %d invited members (role %q), want 100 with the default role bookkeeper", len(b.Members), b.Members[0].Role)
	}
}

// R3: only holders of users.manage invite; the role must not exceed the
// inviter's (R8); an unknown role is 422.
func TestR3InviteRefusals(t *testing.T) {
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
			r := e.Do("POST", org(a.OrgID)+"/invitations", c.token, map[string]any{"emails": []string{"x@example.com"}, "role": c.role})
			if r.Status != c.status || r.ErrorCode() != c.code {
				t.Fatalf("got %d %s, want %d %s", r.Status, r.Body, c.status, c.code)
			}
		})
	}
	invite(t, e, mgr.Token, a.OrgID, "client_manager", "peer@example.com")
}

// R4: a verified account joins at once where the model says join, and gets
// a notice; an unverified one gets an invitation.
func TestR4ExistingVerifiedAccountJoins(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	other := e.Signup("known@example.com", "Elsewhere")
	e.Must(http.StatusOK, "POST", "/api/v1/verify-email", "", map[string]any{"token": e.LastToken("known@example.com", "verify")})
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
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	b := e.Signup("known@example.com", "Other")
	e.Must(http.StatusOK, "POST", "/api/v1/verify-email", "", map[string]any{"token": e.LastToken("known@example.com", "verify")})
	res := invite(t, e, a.Token, a.OrgID, "read_only", "known@example.com")
	if res[0].Status != "invited" {
		t.Fatalf("got %+v, want invited", res[0])
	}
	tok := e.LastToken("known@example.com", "invite")
	r := e.Must(http.StatusOK, "POST", "/api/v1/invitations/accept", b.Token, map[string]any{"token": tok})
	if r.M(t)["member"].(map[string]any)["status"] != "active" {
		t.Fatalf("accept with a session: got %s", r.Body)
	}
}

// R5: an invitation expires; it stays listed as invited with its expiry in
// the past, no longer holds a seat, and cannot be accepted; a resend gives a
// fresh token and kills the old one.
func TestR5ExpiryAndResend(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "late@example.com")
	old := e.LastToken("late@example.com", "invite")
	e.Clock.Advance(7*24*time.Hour + time.Second)
	a.Token = e.Login("owner@example.com")

	m := getMember(t, e, a.Token, a.OrgID, res[0].MemberID)
	exp, _ := time.Parse(time.RFC3339, m.Invitation.ExpiresAt)
	if m.Status != "invited" || !exp.Before(e.Clock.Now()) {
		t.Fatalf("expired invitation: got status %s expires %s, want invited and in the past", m.Status, m.Invitation.ExpiresAt)
	}
	if r := e.Do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": old, "password": Password, "first_name": "L", "last_name": "Ate"}); r.Status != 410 || r.ErrorCode() != "invitation_expired" {
		t.Fatalf("accepting expired: got %d %s, want 410 invitation_expired", r.Status, r.Body)
	}
	o := e.Must(http.StatusOK, "GET", org(a.OrgID), a.Token, nil).M(t)
	if used := o["seats"].(map[string]any)["used"]; used != float64(1) {
		t.Fatalf("an expired invitation holds no seat: got used=%v, want 1", used)
	}
	e.Clock.Advance(time.Second)
	r := e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+res[0].MemberID+"/resend", a.Token, nil).M(t)
	fresh := e.LastToken("late@example.com", "invite")
	if fresh == old || !strings.HasSuffix(r["accept_url"].(string), fresh) {
		t.Fatalf("resend: got accept_url %v and emailed %s, want a fresh token", r["accept_url"], fresh)
	}
	if r := e.Do("GET", "/api/v1/invitations/"+old, "", nil); r.Status != 404 {
		t.Fatalf("superseded token: got %d, want 404", r.Status)
	}
	e.Must(http.StatusOK, "POST", "/api/v1/invitations/accept", "", map[string]any{"token": fresh, "password": Password, "first_name": "L", "last_name": "Ate"})
	if r := e.Do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": fresh, "password": Password}); r.Status != 410 || r.ErrorCode() != "invitation_used" {
		t.Fatalf("accepting twice: got %d %s, want 410 invitation_used", r.Status, r.Body)
	}
	if r := e.Do("POST", org(a.OrgID)+"/members/"+res[0].MemberID+"/resend", a.Token, nil); r.Status != 409 || r.ErrorCode() != "not_pending" {
		t.Fatalf("resend to an active member: got %d %s, want 409 not_pending", r.Status, r.Body)
	}
}

// R5: a cancelled invitation is refused with 410 invitation_used; an
// unknown token is 404; another account cannot accept (403).
func TestR5TokenRefusals(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "cancel@example.com", "mine@example.com")
	cancelTok := e.LastToken("cancel@example.com", "invite")
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+res[0].MemberID+"/revoke", a.Token, nil)
	if r := e.Do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": cancelTok, "password": Password, "first_name": "C", "last_name": "X"}); r.Status != 410 || r.ErrorCode() != "invitation_used" {
		t.Fatalf("cancelled: got %d %s, want 410 invitation_used", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": "nope", "password": Password}); r.Status != 404 {
		t.Fatalf("unknown token: got %d, want 404", r.Status)
	}
	stranger := e.Signup("stranger@example.com", "S")
	mine := e.LastToken("mine@example.com", "invite")
	if r := e.Do("POST", "/api/v1/invitations/accept", stranger.Token, map[string]any{"token": mine}); r.Status != 403 || r.ErrorCode() != "forbidden" {
		t.Fatalf("another account accepting: got %d %s, want 403 forbidden", r.Status, r.Body)
	}
	p := e.Must(http.StatusOK, "GET", "/api/v1/invitations/"+mine, "", nil).M(t)
	if p["email"] != "mine@example.com" || p["role"] != "bookkeeper" || p["account_exists"] != false {
		t.Fatalf("preview: got %v", p)
	}
}

// R6: invited members are listed with status invited and no 2FA value, and
// are not counted as members of any role.
func TestR6InvitedMembersListedNotInRoles(t *testing.T) {
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
	var roles struct {
		Roles []struct {
			Key     string
			Members []struct {
				MemberID string `json:"member_id"`
			}
		}
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/roles", a.Token, nil).JSON(t, &roles)
	for _, r := range roles.Roles {
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
