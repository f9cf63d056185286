package apitest

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/client"
	"github.com/roster-dev/roster/internal/totp"
)

func secretOf(t *testing.T, b32 string) []byte {
	t.Helper()
	s, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(b32))
	if err != nil {
		t.Fatalf("secret %q: %v", b32, err)
	}
	return s
}

// R2 with TOTP: enrolment, login with a code, each code once, recovery codes
// once, and disabling.
func TestTOTPEnrolmentAndLogin(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("mfa@example.com", "Org")
	me, anon := e.api(a.Token), e.api("")
	en := must(me.BeginTOTP(bg))(t)
	secret := secretOf(t, en.Secret)
	if !strings.HasPrefix(en.OTPAuthURL, "otpauth://totp/") {
		t.Fatalf("otpauth_url: %v", en.OTPAuthURL)
	}
	if _, err := me.ConfirmTOTP(bg, "000000"); client.StatusOf(err) != 422 {
		t.Fatalf("wrong confirm code: got %v, want 422", err)
	}
	codes := must(me.ConfirmTOTP(bg, totp.Code(secret, e.Clock.Now())))(t)
	if len(codes) != 10 {
		t.Fatalf("recovery codes: got %d, want 10", len(codes))
	}
	if m := getMember(t, e, a.Token, a.OrgID, a.MemberID); m.TwoFactor == nil || !*m.TwoFactor {
		t.Fatalf("member two_factor: got %v, want true", m.TwoFactor)
	}

	login := client.LoginRequest{Email: "mfa@example.com", Password: Password}
	if _, err := anon.Login(bg, login); !isErr(err, 401, "totp_required") {
		t.Fatalf("login without code: got %v, want 401 totp_required", err)
	}
	e.Clock.Advance(30 * time.Second)
	login.TOTPCode = totp.Code(secret, e.Clock.Now())
	must(anon.Login(bg, login))(t)
	if _, err := anon.Login(bg, login); !isErr(err, 401, "invalid_credentials") {
		t.Fatalf("the same code twice: got %v, want 401", err)
	}
	login.TOTPCode = codes[0]
	must(anon.Login(bg, login))(t)
	if _, err := anon.Login(bg, login); client.StatusOf(err) != 401 {
		t.Fatalf("a recovery code twice: got %v, want 401", err)
	}
	e.Clock.Advance(30 * time.Second)
	if err := me.DisableTOTP(bg, totp.Code(secret, e.Clock.Now())); err != nil {
		t.Fatalf("disable: %v", err)
	}
	login.TOTPCode = ""
	must(anon.Login(bg, login))(t)
}
