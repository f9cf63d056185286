package apitest

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/server"
)

// R1: sign-up creates the user and an organization it owns, with the
// model's owner role, and a verification email whose link verifies.
func TestR1SignupCreatesOwnerAndVerifies(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("founder@example.com", "Founders LLP")

	m := getMember(t, e, a.Token, a.OrgID, a.MemberID)
	if !m.IsOwner || m.Role != "practice_admin" || m.Status != "active" {
		t.Fatalf("owner member: got owner=%v role=%s status=%s, want true practice_admin active", m.IsOwner, m.Role, m.Status)
	}
	me := e.Must(http.StatusOK, "GET", "/api/v1/me", a.Token, nil).M(t)
	if me["user"].(map[string]any)["email_verified"] != false {
		t.Fatalf("a new account is unverified until the link is followed")
	}
	token := e.LastToken("founder@example.com", "verify")
	r := e.Must(http.StatusOK, "POST", "/api/v1/verify-email", "", map[string]any{"token": token}).M(t)
	if r["user"].(map[string]any)["email_verified"] != true {
		t.Fatalf("verify: got %v, want email_verified true", r)
	}
	if got := e.Do("POST", "/api/v1/verify-email", "", map[string]any{"token": token}); got.Status != 404 {
		t.Fatalf("a used verification token: got %d, want 404", got.Status)
	}
}

func TestR1SignupBillingContactWhereModelHasOne(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("boss@example.com", "Acme")
	o := e.Must(http.StatusOK, "GET", org(a.OrgID), a.Token, nil).M(t)
	if o["billing_contact_member_id"] != a.MemberID || o["owner_member_id"] != a.MemberID {
		t.Fatalf("got %v, want owner and billing contact %s", o, a.MemberID)
	}
}

func TestR1SignupRefusals(t *testing.T) {
	e := New(t, "practice")
	e.Signup("taken@example.com", "One")
	r := e.Do("POST", "/api/v1/signup", "", map[string]any{"email": "TAKEN@example.com", "password": Password, "first_name": "a", "last_name": "b", "organization_name": "x"})
	if r.Status != 409 || r.ErrorCode() != "email_taken" {
		t.Fatalf("same address in another case: got %d %s, want 409 email_taken", r.Status, r.Body)
	}
	closed := New(t, "practice", func(o *Options) { o.SignupOpen = false })
	r = closed.Do("POST", "/api/v1/signup", "", map[string]any{"email": "a@example.com", "password": Password, "first_name": "a", "last_name": "b", "organization_name": "x"})
	if r.Status != 403 {
		t.Fatalf("closed sign-up: got %d, want 403", r.Status)
	}
}

// R2: password rules answer 422 validation_failed on field password.
func TestR2PasswordPolicy(t *testing.T) {
	e := New(t, "practice")
	cases := []struct{ name, password string }{
		{"too short", "short-pass-14c"},
		{"too long", strings.Repeat("x", 257)},
		{"common", "passwordpassword"},
		{"the email", "someone.long@example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.Do("POST", "/api/v1/signup", "", map[string]any{"email": "someone.long@example.com", "password": c.password, "first_name": "a", "last_name": "b", "organization_name": "x"})
			if r.Status != 422 || r.ErrorCode() != "validation_failed" || r.ErrorField() != "password" {
				t.Fatalf("got %d %s, want 422 validation_failed field password", r.Status, r.Body)
			}
		})
	}
	if r := e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": "someone.long@example.com", "password": Password}); r.Status != 401 {
		t.Fatalf("refused sign-ups create no account: login got %d, want 401", r.Status)
	}
}

// R2: login reveals nothing: an unknown address and a wrong password get
// the same status and body.
func TestR2LoginSameAnswerForUnknownAndWrong(t *testing.T) {
	e := New(t, "practice")
	e.Signup("known@example.com", "Org")
	unknown := e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": "nobody@example.com", "password": Password})
	wrong := e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": "known@example.com", "password": "wrong-password-123456"})
	if unknown.Status != 401 || wrong.Status != 401 || !bytes.Equal(unknown.Body, wrong.Body) {
		t.Fatalf("got %d %s and %d %s, want the same 401", unknown.Status, unknown.Body, wrong.Status, wrong.Body)
	}
	if unknown.ErrorCode() != "invalid_credentials" {
		t.Fatalf("got %s, want invalid_credentials", unknown.ErrorCode())
	}
}

// R2: after 10 failures for one address in 15 minutes, attempts (a correct
// password included) get 429 with Retry-After; the cooling-off grows.
func TestR2LoginLockout(t *testing.T) {
	e := New(t, "practice")
	e.Signup("target@example.com", "Org")
	bad := map[string]any{"email": "target@example.com", "password": "not-the-password-123"}
	good := map[string]any{"email": "target@example.com", "password": Password}
	for i := 0; i < 10; i++ {
		if r := e.Do("POST", "/api/v1/sessions", "", bad); r.Status != 401 {
			t.Fatalf("attempt %d: got %d, want 401", i+1, r.Status)
		}
	}
	r := e.Do("POST", "/api/v1/sessions", "", good)
	if r.Status != 429 || r.ErrorCode() != "rate_limited" || r.Header.Get("Retry-After") != "60" {
		t.Fatalf("correct password while locked: got %d %s Retry-After=%q, want 429 rate_limited 60", r.Status, r.Body, r.Header.Get("Retry-After"))
	}
	e.Clock.Advance(61 * time.Second)
	e.Must(http.StatusCreated, "POST", "/api/v1/sessions", "", good)

	for i := 0; i < 10; i++ {
		e.Do("POST", "/api/v1/sessions", "", bad)
	}
	r = e.Do("POST", "/api/v1/sessions", "", good)
	if r.Status != 429 || r.Header.Get("Retry-After") != "120" {
		t.Fatalf("second lock-out: got %d Retry-After=%q, want 429 and 120", r.Status, r.Header.Get("Retry-After"))
	}
	// Another address is not affected.
	e.Signup("other@example.com", "Org2")
	e.Must(http.StatusCreated, "POST", "/api/v1/sessions", "", map[string]any{"email": "other@example.com", "password": Password})
}

// R2: a per-IP limit guards against spraying many addresses.
func TestR2LoginPerIPLimit(t *testing.T) {
	e := New(t, "practice", func(o *Options) { o.LoginIPLimit = 5 })
	e.Signup("victim@example.com", "Org")
	for i := 0; i < 5; i++ {
		e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": "spray" + string(rune('a'+i)) + "@example.com", "password": "guess-guess-guess-1"})
	}
	if r := e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": "victim@example.com", "password": Password}); r.Status != 429 {
		t.Fatalf("after the IP limit: got %d, want 429", r.Status)
	}
}

// R2: tokens are revocable; logout ends the session server-side.
func TestR2LogoutRevokesToken(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("out@example.com", "Org")
	e.Must(http.StatusNoContent, "DELETE", "/api/v1/sessions/current", a.Token, nil)
	if r := e.Do("GET", "/api/v1/me", a.Token, nil); r.Status != 401 || r.ErrorCode() != "unauthenticated" {
		t.Fatalf("after logout: got %d %s, want 401 unauthenticated", r.Status, r.Body)
	}
}

// Sessions end after 30 minutes idle (docs/security.md item 23).
func TestSessionIdleExpiry(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("idle@example.com", "Org")
	e.Clock.Advance(29 * time.Minute)
	e.Must(http.StatusOK, "GET", "/api/v1/me", a.Token, nil)
	e.Clock.Advance(31 * time.Minute)
	if r := e.Do("GET", "/api/v1/me", a.Token, nil); r.Status != 401 {
		t.Fatalf("idle session: got %d, want 401", r.Status)
	}
}

// R2: sign-ups (per address) and invitations (per inviter) are rate limited.
func TestSignupAndInviteRateLimits(t *testing.T) {
	e := New(t, "practice")
	var last *Resp
	for i := 0; i < 21; i++ {
		last = e.Do("POST", "/api/v1/signup", "", map[string]any{"email": fmt.Sprintf("s%d@example.com", i), "password": Password, "first_name": "a", "last_name": "b", "organization_name": "x"})
	}
	if last.Status != 429 || last.Header.Get("Retry-After") == "" {
		t.Fatalf("21st sign-up from one address: got %d, want 429 with Retry-After", last.Status)
	}
	e.Clock.Advance(time.Hour)
	a := e.Signup("owner@example.com", "Org")
	for i := 0; i < 120; i++ {
		invite(t, e, a.Token, a.OrgID, "client", fmt.Sprintf("i%d@example.com", i))
	}
	if r := e.Do("POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": []string{"one-more@example.com"}}); r.Status != 429 {
		t.Fatalf("121st invitation call: got %d, want 429", r.Status)
	}
}

// R2: accepting an invitation as an existing account checks its password
// with Login's throttle, so an attacker who invites a victim's address
// cannot guess the victim's password without limit; the lock-out is shared
// with login.
func TestR2AcceptAsExistingAccountIsThrottled(t *testing.T) {
	e := New(t, "marketing") // invitations must be accepted: existing accounts get one too
	e.Signup("victim@example.com", "Victim Co")
	eve := e.Signup("eve@example.com", "Eve Co")
	res := invite(t, e, eve.Token, eve.OrgID, "read_only", "victim@example.com")
	tok := res[0].AcceptURL[strings.LastIndex(res[0].AcceptURL, "/")+1:]
	guess := func(pw string) *Resp {
		return e.Do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": tok, "password": pw})
	}
	for i := range 10 {
		if r := guess(fmt.Sprintf("wrong-guess-number-%02d", i)); r.Status != 401 {
			t.Fatalf("guess %d: got %d %s, want 401", i+1, r.Status, r.Body)
		}
	}
	if r := guess(Password); r.Status != 429 || r.ErrorCode() != "rate_limited" {
		t.Fatalf("the right password after 10 wrong guesses: got %d %s, want 429 rate_limited", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": "victim@example.com", "password": Password}); r.Status != 429 {
		t.Fatalf("login during the lock-out the guesses caused: got %d, want 429", r.Status)
	}
}

// R2 behind a load balancer (--trusted-proxies): the per-IP limit counts
// each client's address from X-Forwarded-For, not the balancer's, so one
// sprayer does not lock every user out; the header of an untrusted peer is
// ignored.
func TestR2PerIPLimitBehindTrustedProxy(t *testing.T) {
	proxies, err := server.ParseTrustedProxies("127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, "practice", func(o *Options) { o.LoginIPLimit = 3; o.TrustedProxies = proxies })
	e.Signup("victim@example.com", "Org")
	login := func(from, email, password string) int {
		body := fmt.Sprintf(`{"email": %q, "password": %q}`, email, password)
		req, _ := http.NewRequest("POST", e.URL+"/api/v1/sessions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", from)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for i := range 3 {
		login("198.51.100.66", fmt.Sprintf("spray%d@example.com", i), "guess-guess-guess-1")
	}
	if s := login("198.51.100.66", "victim@example.com", Password); s != 429 {
		t.Fatalf("the sprayer's own address after its limit: got %d, want 429", s)
	}
	if s := login("203.0.113.7", "victim@example.com", Password); s != 201 {
		t.Fatalf("another client behind the same balancer: got %d, want 201", s)
	}
}

// --signup-ip-limit: N sign-ups from one address, then 429 with
// Retry-After; a negative limit (the flag's 0) turns the limit off.
func TestSignupIPLimitOption(t *testing.T) {
	signup := func(e *Env, i int) *Resp {
		return e.Do("POST", "/api/v1/signup", "", map[string]any{"email": fmt.Sprintf("s%d@example.com", i), "password": Password, "first_name": "a", "last_name": "b", "organization_name": "x"})
	}
	e := New(t, "practice", func(o *Options) { o.SignupIPLimit = 3 })
	for i := range 3 {
		if r := signup(e, i); r.Status != 201 {
			t.Fatalf("sign-up %d of 3: got %d %s", i+1, r.Status, r.Body)
		}
	}
	if r := signup(e, 3); r.Status != 429 || r.ErrorCode() != "rate_limited" || r.Header.Get("Retry-After") == "" {
		t.Fatalf("4th sign-up with a limit of 3: got %d %s, want 429 rate_limited with Retry-After", r.Status, r.Body)
	}
	off := New(t, "practice", func(o *Options) { o.SignupIPLimit = -1 })
	for i := range 25 { // past the default of 20
		if r := signup(off, i); r.Status != 201 {
			t.Fatalf("sign-up %d with no limit: got %d %s", i+1, r.Status, r.Body)
		}
	}
}
