package apitest

import (
	"encoding/base32"
	"net/http"
	"strings"
	"testing"
	"time"

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
	e := New(t, "practice")
	a := e.Signup("mfa@example.com", "Org")
	en := e.Must(http.StatusOK, "POST", "/api/v1/me/totp", a.Token, nil).M(t)
	secret := secretOf(t, en["secret"].(string))
	if !strings.HasPrefix(en["otpauth_url"].(string), "otpauth://totp/") {
		t.Fatalf("otpauth_url: %v", en["otpauth_url"])
	}
	if r := e.Do("POST", "/api/v1/me/totp/confirm", a.Token, map[string]any{"code": "000000"}); r.Status != 422 {
		t.Fatalf("wrong confirm code: got %d, want 422", r.Status)
	}
	conf := e.Must(http.StatusOK, "POST", "/api/v1/me/totp/confirm", a.Token, map[string]any{"code": totp.Code(secret, e.Clock.Now())}).M(t)
	codes := conf["recovery_codes"].([]any)
	if len(codes) != 10 {
		t.Fatalf("recovery codes: got %d, want 10", len(codes))
	}
	if m := getMember(t, e, a.Token, a.OrgID, a.MemberID); m.TwoFactor == nil || !*m.TwoFactor {
		t.Fatalf("member two_factor: got %v, want true", m.TwoFactor)
	}

	login := map[string]any{"email": "mfa@example.com", "password": Password}
	if r := e.Do("POST", "/api/v1/sessions", "", login); r.Status != 401 || r.ErrorCode() != "totp_required" {
		t.Fatalf("login without code: got %d %s, want 401 totp_required", r.Status, r.Body)
	}
	e.Clock.Advance(30 * time.Second)
	login["totp_code"] = totp.Code(secret, e.Clock.Now())
	e.Must(http.StatusCreated, "POST", "/api/v1/sessions", "", login)
	if r := e.Do("POST", "/api/v1/sessions", "", login); r.Status != 401 || r.ErrorCode() != "invalid_credentials" {
		t.Fatalf("the same code twice: got %d %s, want 401", r.Status, r.Body)
	}
	login["totp_code"] = codes[0]
	e.Must(http.StatusCreated, "POST", "/api/v1/sessions", "", login)
	if r := e.Do("POST", "/api/v1/sessions", "", login); r.Status != 401 {
		t.Fatalf("a recovery code twice: got %d, want 401", r.Status)
	}
	e.Clock.Advance(30 * time.Second)
	e.Must(http.StatusNoContent, "POST", "/api/v1/me/totp/disable", a.Token, map[string]any{"code": totp.Code(secret, e.Clock.Now())})
	delete(login, "totp_code")
	e.Must(http.StatusCreated, "POST", "/api/v1/sessions", "", login)
}
