package apitest

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/client"
	"github.com/roster-dev/roster/internal/server"
)

// signupReq is a sign-up of address with the test password.
func signupReq(email string) client.SignupRequest {
	return client.SignupRequest{Email: email, Password: Password, FirstName: "a", LastName: "b", OrganizationName: "x"}
}

// retryAfter returns the Retry-After of a client error, or 0.
func retryAfter(err error) time.Duration {
	var e *client.Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// R1: sign-up creates the user and an organization it owns, with the
// model's owner role, and a verification email whose link verifies.
func TestR1SignupCreatesOwnerAndVerifies(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("founder@example.com", "Founders LLP")

	m := getMember(t, e, a.Token, a.OrgID, a.MemberID)
	if !m.IsOwner || m.Role != "practice_admin" || m.Status != "active" {
		t.Fatalf("owner member: got owner=%v role=%s status=%s, want true practice_admin active", m.IsOwner, m.Role, m.Status)
	}
	if me := must(e.api(a.Token).Me(bg))(t); me.User.EmailVerified {
		t.Fatalf("a new account is unverified until the link is followed")
	}
	token := e.LastToken("founder@example.com", "verify")
	anon := e.api("")
	if u := must(anon.VerifyEmail(bg, token))(t); !u.EmailVerified {
		t.Fatalf("verify: got %+v, want email_verified true", u)
	}
	if _, err := anon.VerifyEmail(bg, token); client.StatusOf(err) != 404 {
		t.Fatalf("a used verification token: got %v, want 404", err)
	}
}

func TestR1SignupBillingContactWhereModelHasOne(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("boss@example.com", "Acme")
	o := must(e.api(a.Token).GetOrganization(bg, a.OrgID))(t)
	if o.BillingContactMemberID == nil || *o.BillingContactMemberID != a.MemberID || o.OwnerMemberID != a.MemberID {
		t.Fatalf("got %+v, want owner and billing contact %s", o, a.MemberID)
	}
}

func TestR1SignupRefusals(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	e.Signup("taken@example.com", "One")
	if _, err := e.api("").Signup(bg, signupReq("TAKEN@example.com")); !isErr(err, 409, "email_taken") {
		t.Fatalf("same address in another case: got %v, want 409 email_taken", err)
	}
	closed := New(t, "practice", func(o *Options) { o.SignupOpen = false })
	if _, err := closed.api("").Signup(bg, signupReq("a@example.com")); client.StatusOf(err) != 403 {
		t.Fatalf("closed sign-up: got %v, want 403", err)
	}
}

// R2: password rules answer 422 validation_failed on field password.
func TestR2PasswordPolicy(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	cases := []struct{ name, password string }{
		{"too short", "short-pass-14c"},
		{"too long", strings.Repeat("x", 257)},
		{"common", "passwordpassword"},
		{"the email", "someone.long@example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := signupReq("someone.long@example.com")
			req.Password = c.password
			_, err := e.api("").Signup(bg, req)
			if st, code, field := apiErr(err); st != 422 || code != "validation_failed" || field != "password" {
				t.Fatalf("got %v, want 422 validation_failed field password", err)
			}
		})
	}
	if _, err := e.api("").Login(bg, client.LoginRequest{Email: "someone.long@example.com", Password: Password}); client.StatusOf(err) != 401 {
		t.Fatalf("refused sign-ups create no account: login got %v, want 401", err)
	}
}

// R2: login reveals nothing: an unknown address and a wrong password get
// the same status and body.
func TestR2LoginSameAnswerForUnknownAndWrong(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	// e.Do: the assertion is on the raw bodies, byte for byte.
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
	t.Parallel()
	e := New(t, "practice")
	e.Signup("target@example.com", "Org")
	anon := e.api("")
	bad := client.LoginRequest{Email: "target@example.com", Password: "not-the-password-123"}
	good := client.LoginRequest{Email: "target@example.com", Password: Password}
	for i := 0; i < 10; i++ {
		if _, err := anon.Login(bg, bad); client.StatusOf(err) != 401 {
			t.Fatalf("attempt %d: got %v, want 401", i+1, err)
		}
	}
	_, err := anon.Login(bg, good)
	if !isErr(err, 429, "rate_limited") || retryAfter(err) != 60*time.Second {
		t.Fatalf("correct password while locked: got %v Retry-After=%v, want 429 rate_limited 60s", err, retryAfter(err))
	}
	e.Clock.Advance(61 * time.Second)
	must(anon.Login(bg, good))(t)

	for i := 0; i < 10; i++ {
		_, _ = anon.Login(bg, bad)
	}
	_, err = anon.Login(bg, good)
	if client.StatusOf(err) != 429 || retryAfter(err) != 120*time.Second {
		t.Fatalf("second lock-out: got %v Retry-After=%v, want 429 and 120s", err, retryAfter(err))
	}
	// Another address is not affected.
	e.Signup("other@example.com", "Org2")
	must(anon.Login(bg, client.LoginRequest{Email: "other@example.com", Password: Password}))(t)
}

// R2: a per-IP limit guards against spraying many addresses.
func TestR2LoginPerIPLimit(t *testing.T) {
	t.Parallel()
	e := New(t, "practice", func(o *Options) { o.LoginIPLimit = 5 })
	e.Signup("victim@example.com", "Org")
	anon := e.api("")
	for i := 0; i < 5; i++ {
		_, _ = anon.Login(bg, client.LoginRequest{Email: "spray" + string(rune('a'+i)) + "@example.com", Password: "guess-guess-guess-1"})
	}
	if _, err := anon.Login(bg, client.LoginRequest{Email: "victim@example.com", Password: Password}); client.StatusOf(err) != 429 {
		t.Fatalf("after the IP limit: got %v, want 429", err)
	}
}

// R2: tokens are revocable; logout ends the session server-side.
func TestR2LogoutRevokesToken(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("out@example.com", "Org")
	me := e.api(a.Token)
	if err := me.Logout(bg); err != nil {
		t.Fatalf("logout: %v", err)
	}
	if _, err := me.Me(bg); !isErr(err, 401, "unauthenticated") {
		t.Fatalf("after logout: got %v, want 401 unauthenticated", err)
	}
}

// Sessions end after 30 minutes idle (docs/security.md item 23).
func TestSessionIdleExpiry(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("idle@example.com", "Org")
	me := e.api(a.Token)
	e.Clock.Advance(29 * time.Minute)
	must(me.Me(bg))(t)
	e.Clock.Advance(31 * time.Minute)
	if _, err := me.Me(bg); client.StatusOf(err) != 401 {
		t.Fatalf("idle session: got %v, want 401", err)
	}
}

// R2: sign-ups (per address) and invitations (per inviter) are rate limited.
func TestSignupAndInviteRateLimits(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	var last error
	for i := 0; i < 21; i++ {
		_, last = e.api("").Signup(bg, signupReq(fmt.Sprintf("s%d@example.com", i)))
	}
	if client.StatusOf(last) != 429 || retryAfter(last) == 0 {
		t.Fatalf("21st sign-up from one address: got %v, want 429 with Retry-After", last)
	}
	e.Clock.Advance(time.Hour)
	a := e.Signup("owner@example.com", "Org")
	for i := 0; i < 120; i++ {
		invite(t, e, a.Token, a.OrgID, "client", fmt.Sprintf("i%d@example.com", i))
	}
	if _, err := e.api(a.Token).Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"one-more@example.com"}}); client.StatusOf(err) != 429 {
		t.Fatalf("121st invitation call: got %v, want 429", err)
	}
}

// R2: accepting an invitation as an existing account checks its password
// with Login's throttle, so an attacker who invites a victim's address
// cannot guess the victim's password without limit; the lock-out is shared
// with login.
func TestR2AcceptAsExistingAccountIsThrottled(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing") // invitations must be accepted: existing accounts get one too
	e.Signup("victim@example.com", "Victim Co")
	eve := e.Signup("eve@example.com", "Eve Co")
	res := invite(t, e, eve.Token, eve.OrgID, "read_only", "victim@example.com")
	tok := res[0].AcceptURL[strings.LastIndex(res[0].AcceptURL, "/")+1:]
	anon := e.api("")
	guess := func(pw string) error {
		_, err := anon.AcceptInvitation(bg, client.AcceptRequest{Token: tok, Password: pw})
		return err
	}
	for i := range 10 {
		if err := guess(fmt.Sprintf("wrong-guess-number-%02d", i)); client.StatusOf(err) != 401 {
			t.Fatalf("guess %d: got %v, want 401", i+1, err)
		}
	}
	if err := guess(Password); !isErr(err, 429, "rate_limited") {
		t.Fatalf("the right password after 10 wrong guesses: got %v, want 429 rate_limited", err)
	}
	if _, err := anon.Login(bg, client.LoginRequest{Email: "victim@example.com", Password: Password}); client.StatusOf(err) != 429 {
		t.Fatalf("login during the lock-out the guesses caused: got %v, want 429", err)
	}
}

// R2 behind a load balancer (--trusted-proxies): the per-IP limit counts
// each client's address from X-Forwarded-For, not the balancer's, so one
// sprayer does not lock every user out; the header of an untrusted peer is
// ignored.
func TestR2PerIPLimitBehindTrustedProxy(t *testing.T) {
	t.Parallel()
	proxies, err := server.ParseTrustedProxies("127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	e := New(t, "practice", func(o *Options) { o.LoginIPLimit = 3; o.TrustedProxies = proxies })
	e.Signup("victim@example.com", "Org")
	// A raw request: the test sets X-Forwarded-For.
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
	t.Parallel()
	signup := func(e *Env, i int) error {
		_, err := e.api("").Signup(bg, signupReq(fmt.Sprintf("s%d@example.com", i)))
		return err
	}
	e := New(t, "practice", func(o *Options) { o.SignupIPLimit = 3 })
	for i := range 3 {
		if err := signup(e, i); err != nil {
			t.Fatalf("sign-up %d of 3: got %v", i+1, err)
		}
	}
	if err := signup(e, 3); !isErr(err, 429, "rate_limited") || retryAfter(err) == 0 {
		t.Fatalf("4th sign-up with a limit of 3: got %v, want 429 rate_limited with Retry-After", err)
	}
	off := New(t, "practice", func(o *Options) { o.SignupIPLimit = -1 })
	for i := range 25 { // past the default of 20
		if err := signup(off, i); err != nil {
			t.Fatalf("sign-up %d with no limit: got %v", i+1, err)
		}
	}
}
