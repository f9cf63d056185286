package apitest

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/client"
	"github.com/roster-dev/roster/internal/totp"
)

// R15 and R21: PATCH of one's own member with names and a refused role
// change is 403 and saves nothing, names included; names alone on one's own
// member are saved.
func TestR15NamesAndRefusedRoleChangeAreOneRequest(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	cm := addMember(t, e, a, "client_manager", "cm@example.com")
	self := e.api(cm.Token)
	patchSelf := func(req client.UpdateMemberRequest) func() error {
		return func() error { return discard(self.UpdateMember(bg, a.OrgID, cm.MemberID, req)) }
	}
	refusedUnchanged(t, e, 403, "forbidden", "names and a role on oneself",
		patchSelf(client.UpdateMemberRequest{FirstName: client.Ptr("Changed"), Role: client.Ptr("practice_admin")}))
	if m := getMember(t, e, a.Token, a.OrgID, cm.MemberID); m.FirstName != "Mem" || m.Role != "client_manager" {
		t.Fatalf("after a refused request: %s %s, want Mem client_manager", m.FirstName, m.Role)
	}
	// A bad name on one's own member is 422 and changes nothing either.
	refusedUnchanged(t, e, 422, "validation_failed", "a blank name", patchSelf(client.UpdateMemberRequest{FirstName: client.Ptr("  ")}))
	if err := patchSelf(client.UpdateMemberRequest{FirstName: client.Ptr("Cam"), LastName: client.Ptr("Manager")})(); err != nil {
		t.Fatalf("names on one's own member: %v", err)
	}
	if m := getMember(t, e, a.Token, a.OrgID, cm.MemberID); m.FirstName != "Cam" || m.LastName != "Manager" {
		t.Fatalf("names on one's own member: got %s %s", m.FirstName, m.LastName)
	}
	// Another member's names, even with an allowed change beside them.
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	refusedUnchanged(t, e, 403, "forbidden", "another member's names", func() error {
		return discard(e.api(a.Token).UpdateMember(bg, a.OrgID, bk.MemberID, client.UpdateMemberRequest{FirstName: client.Ptr("X"), Role: client.Ptr("view_only")}))
	})
}

// R1: the sign-up response's member carries the person's names.
func TestR1SignupMemberHasNames(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	acc := must(e.api("").Signup(bg, client.SignupRequest{Email: "named@example.com", Password: Password,
		FirstName: "Ada", LastName: "Lovelace", OrganizationName: "Org"}))(t)
	if acc.Member.FirstName != "Ada" || acc.Member.LastName != "Lovelace" {
		t.Fatalf("sign-up member names: got %q %q", acc.Member.FirstName, acc.Member.LastName)
	}
}

// enableTOTP turns 2FA on for the account behind token and returns its secret.
func enableTOTP(t *testing.T, e *Env, token string) []byte {
	t.Helper()
	me := e.api(token)
	secret := secretOf(t, must(me.BeginTOTP(bg))(t).Secret)
	must(me.ConfirmTOTP(bg, totp.Code(secret, e.Clock.Now())))(t)
	return secret
}

// docs/security.md item 15: turning 2FA on or off ends the user's other sessions
// (the one that made the change stays) and sends a notice email.
func TestTwoFactorChangesEndOtherSessions(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("mfa@example.com", "Org")
	other := e.Login("mfa@example.com")
	stranger := e.Signup("else@example.com", "Else")
	alive := func(token string) bool { _, err := e.api(token).Me(bg); return err == nil }

	secret := enableTOTP(t, e, a.Token)
	if alive(other) || !alive(a.Token) || !alive(stranger.Token) {
		t.Fatalf("after 2FA on: other session alive %v, own %v, another user's %v; want false true true", alive(other), alive(a.Token), alive(stranger.Token))
	}
	e.Clock.Advance(30 * time.Second)
	other = loginWithCode(t, e, "mfa@example.com", totp.Code(secret, e.Clock.Now()))
	e.Clock.Advance(30 * time.Second)
	if err := e.api(a.Token).DisableTOTP(bg, totp.Code(secret, e.Clock.Now())); err != nil {
		t.Fatalf("disable: %v", err)
	}
	if alive(other) || !alive(a.Token) {
		t.Fatalf("after 2FA off: other session alive %v, own %v", alive(other), alive(a.Token))
	}
	var notices []string
	for _, m := range e.Emails() {
		if m.To == "mfa@example.com" && strings.Contains(m.Body, "signed out") {
			notices = append(notices, m.Subject)
		}
	}
	if len(notices) != 2 || !strings.Contains(notices[0], "on") || !strings.Contains(notices[1], "off") {
		t.Fatalf("notice emails: got %q, want one for on and one for off", notices)
	}
}

func loginWithCode(t *testing.T, e *Env, email, code string) string {
	t.Helper()
	return must(e.api("").Login(bg, client.LoginRequest{Email: email, Password: Password, TOTPCode: code}))(t).Token
}

// docs/security.md item 19: wrong second-factor codes have their own counter,
// 5 misses per 5 minutes per user, then 429 with Retry-After until the
// window ends; they do not lock the password out, and the password's
// counter does not hold the codes back.
func TestTOTPMissesHaveTheirOwnLimit(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("mfa@example.com", "Org")
	secret := enableTOTP(t, e, a.Token)
	anon, me := e.api(""), e.api(a.Token)
	login := client.LoginRequest{Email: "mfa@example.com", Password: Password, TOTPCode: "000000"}
	if totp.Code(secret, e.Clock.Now()) == "000000" {
		login.TOTPCode = "000001"
	}
	for i := range 5 {
		if _, err := anon.Login(bg, login); !isErr(err, 401, "invalid_credentials") {
			t.Fatalf("wrong code %d: got %v, want 401", i+1, err)
		}
	}
	_, err := anon.Login(bg, login)
	if !isErr(err, 429, "rate_limited") {
		t.Fatalf("sixth code within 5 minutes: got %v, want 429", err)
	}
	var ce *client.Error
	if !errors.As(err, &ce) || ce.RetryAfter < 240*time.Second || ce.RetryAfter > 300*time.Second {
		t.Fatalf("Retry-After: got %v, want the rest of the 5-minute window", err)
	}
	// Even the right code waits: the counter is the user's, not the code's.
	login.TOTPCode = totp.Code(secret, e.Clock.Now())
	if _, err := anon.Login(bg, login); client.StatusOf(err) != 429 {
		t.Fatalf("the right code while locked: got %v, want 429", err)
	}
	// After the window the right code signs in.
	e.Clock.Advance(5*time.Minute + time.Second)
	login.TOTPCode = totp.Code(secret, e.Clock.Now())
	must(anon.Login(bg, login))(t)

	// Disabling 2FA with wrong codes shares the same counter.
	e.Clock.Advance(30 * time.Second)
	for range 5 {
		_ = me.DisableTOTP(bg, "999999")
	}
	if err := me.DisableTOTP(bg, totp.Code(secret, e.Clock.Now())); client.StatusOf(err) != 429 {
		t.Fatalf("disable after 5 wrong codes: got %v, want 429", err)
	}
	login.TOTPCode = "123456"
	if _, err := anon.Login(bg, login); client.StatusOf(err) != 429 {
		t.Fatalf("login after 5 wrong disable codes: got %v, want 429 (one counter per user)", err)
	}
}

// Wrong codes after the right password do not add to the address's password
// counter (10 per 15 minutes): 10 wrong codes in 10 minutes, never 5 in one
// TOTP window, leave a wrong password answered 401, not 429.
func TestTOTPMissesDoNotLockThePassword(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("mfa@example.com", "Org")
	secret := enableTOTP(t, e, a.Token)
	anon := e.api("")
	for i, batch := range []int{4, 4, 2} {
		if i > 0 {
			e.Clock.Advance(5*time.Minute + time.Second)
		}
		for range batch {
			if _, err := anon.Login(bg, client.LoginRequest{Email: "mfa@example.com", Password: Password, TOTPCode: "bad-code"}); client.StatusOf(err) != 401 {
				t.Fatalf("a wrong code: got %v, want 401", err)
			}
		}
	}
	if _, err := anon.Login(bg, client.LoginRequest{Email: "mfa@example.com", Password: "wrong-password-here"}); client.StatusOf(err) != 401 {
		t.Fatalf("a wrong password after 10 wrong codes: got %v, want 401, not 429", err)
	}
	e.Clock.Advance(30 * time.Second)
	loginWithCode(t, e, "mfa@example.com", totp.Code(secret, e.Clock.Now()))
}

// R18: a member's activity includes an ownership transfer and a
// billing-contact change made to them, which target the organization.
func TestR18ActivityIncludesTransfersToTheMember(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	ad := addMember(t, e, a, "admin", "admin@example.com")
	bystander := addMember(t, e, a, "admin", "other@example.com")
	owner := e.api(a.Token)
	must(owner.SetBillingContact(bg, a.OrgID, ad.MemberID))(t)
	must(owner.TransferOwnership(bg, a.OrgID, ad.MemberID))(t)
	actions := func(member string) []string {
		var out []string
		for _, ev := range auditOf(t, e, ad.Token, a.OrgID, client.AuditQuery{MemberID: member}) {
			out = append(out, ev.Action)
		}
		return out
	}
	got := strings.Join(actions(ad.MemberID), " ")
	for _, want := range []string{"organization.ownership_transferred", "organization.billing_contact_changed"} {
		if !strings.Contains(got, want) {
			t.Errorf("activity of the new owner: %s missing from %s", want, got)
		}
	}
	if got := strings.Join(actions(a.MemberID), " "); !strings.Contains(got, "organization.ownership_transferred") {
		t.Errorf("activity of the previous owner: the transfer is missing from %s", got)
	}
	if got := strings.Join(actions(bystander.MemberID), " "); strings.Contains(got, "organization.") {
		t.Errorf("activity of a bystander holds organization events: %s", got)
	}
}

// docs/security.md R4: concurrent sign-ups of one address written in
// different cases make one account; the others are 409 email_taken (or
// refused by the per-address sign-up limit), never a second account or a
// 5xx.
func TestR4ConcurrentSignupsOneAccount(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	variants := []string{"ada@example.com", "Ada@Example.com", "ADA@EXAMPLE.COM", " ada@example.com", "aDa@eXample.com"}
	statuses := make(chan int, 4*len(variants))
	var wg sync.WaitGroup
	for i := range 4 * len(variants) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.Do("POST", "/api/v1/signup", "", map[string]any{"email": variants[i%len(variants)], "password": Password,
				"first_name": "Ada", "last_name": "L", "organization_name": fmt.Sprintf("Org %d", i)})
			statuses <- r.Status
		}()
	}
	wg.Wait()
	close(statuses)
	created := 0
	for s := range statuses {
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict, http.StatusTooManyRequests:
		default:
			t.Errorf("a concurrent sign-up answered %d", s)
		}
	}
	if created != 1 {
		t.Fatalf("%d sign-ups succeeded, want exactly 1", created)
	}
	if n := strings.Count(e.TableCounts(), "users=1 "); n != 1 {
		t.Fatalf("users table: %s, want one account", e.TableCounts())
	}
}

// docs/security.md item 20: no way in skips a required second factor. Every
// entry point that takes a password, for a user with 2FA on: without a code
// it is 401 totp_required and gives no session; with a wrong code 401
// invalid_credentials; with the right one it works.
func TestNoEntryPointSkipsTheSecondFactor(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing") // existing accounts are invited and accept with their password
	owner := e.Signup("owner@example.com", "Acme")
	mfa := e.Signup("mfa@example.com", "Own")
	secret := enableTOTP(t, e, mfa.Token)
	invite(t, e, owner.Token, owner.OrgID, "read_only", "mfa@example.com")
	acceptToken := e.LastToken("mfa@example.com", "invite")
	entries := []struct {
		name string
		call func(code string) *Resp
	}{
		{"login", func(code string) *Resp {
			return e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": "mfa@example.com", "password": Password, "totp_code": code})
		}},
		{"accepting an invitation with the password", func(code string) *Resp {
			return e.Do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": acceptToken, "password": Password, "totp_code": code})
		}},
	}
	for _, entry := range entries {
		if r := entry.call(""); r.Status != 401 || r.ErrorCode() != "totp_required" || strings.Contains(string(r.Body), `"token"`) {
			t.Errorf("%s without a code: got %d %s, want 401 totp_required", entry.name, r.Status, r.Body)
		}
		if r := entry.call("000000"); r.Status != 401 || r.ErrorCode() != "invalid_credentials" {
			if totp.Code(secret, e.Clock.Now()) != "000000" {
				t.Errorf("%s with a wrong code: got %d %s, want 401 invalid_credentials", entry.name, r.Status, r.Body)
			}
		}
		e.Clock.Advance(30 * time.Second)
		if r := entry.call(totp.Code(secret, e.Clock.Now())); r.Status >= 300 {
			t.Errorf("%s with the right code: got %d %s", entry.name, r.Status, r.Body)
		}
	}
}
