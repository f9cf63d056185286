package portal_test

import (
	"encoding/base32"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apitest"
	"github.com/roster-dev/roster/internal/totp"
)

// An emailed link's token must look like a token: a {token} such as
// "..%2Fo%2F…" would otherwise be echoed into the page's form and aim the
// victim's own CSRF-protected post at another action (found in review:
// ownership transfer from the owner's browser). The forms post back to
// the link itself.
func TestLinkTokensCannotAimForms(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	base := c.signup("owner@example.com", "Ada", "Org")
	for _, path := range []string{"/verify/..%2Fo%2F" + base[3:] + "%2Fusers", "/invite/..%2Flogout", "/verify/short"} {
		p := c.get(path)
		if p.Status != http.StatusNotFound || strings.Contains(p.Body, "..") && strings.Contains(p.Body, "action=\"/") {
			t.Fatalf("GET %s: status %d, want 404 and no form aimed elsewhere\n%s", path, p.Status, p.Body)
		}
	}
	res := c.get("/verify/" + strings.Repeat("A", 43))
	if !strings.Contains(res.Body, `<form method="post" action=""`) {
		t.Fatalf("the verification form does not post back to its own link:\n%s", res.Body)
	}
}

// A redirect target stays on this site, whatever the browser would make of
// control characters and backslashes.
func TestNextStaysLocal(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	c.signup("owner@example.com", "Ada", "Org")
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, next := range []string{"/\t/evil.example", "/\\evil.example", "//evil.example", "https://evil.example"} {
		p := c.get("/login?next=" + url.QueryEscape(next))
		if loc := p.Header.Get("Location"); p.Status != http.StatusSeeOther || loc != "/" {
			t.Fatalf("next=%q: got %d Location %q, want 303 to /", next, p.Status, loc)
		}
	}
}

// The sealed password step of a 2FA login works only in the browser that
// typed the password, only until its first expiry (a wrong code does not
// extend it), and not after the login it led to.
func TestSealedLoginStepIsBound(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	base := c.signup("owner@example.com", "Ada", "Org")
	secret := enableTOTP(t, e, c, base)
	c.post("/logout", url.Values{})

	p := c.login("owner@example.com")
	pending := pendingRE.FindStringSubmatch(p.Body)[1]
	thief := newClient(t, e)
	thief.get("/login")
	if p := thief.post("/login", url.Values{"pending": {pending}, "code": {totp.Code(secret, e.Clock.Now())}}); !strings.Contains(p.Body, "That took too long") {
		t.Fatalf("the sealed step replayed from another browser: %d", p.Status)
	}
	e.Clock.Advance(4 * time.Minute)
	p = c.post("/login", url.Values{"pending": {pending}, "code": {"000000"}})
	renewed := pendingRE.FindStringSubmatch(p.Body)[1]
	e.Clock.Advance(90 * time.Second) // 5.5 minutes after the password
	if p := c.post("/login", url.Values{"pending": {renewed}, "code": {totp.Code(secret, e.Clock.Now())}}); !strings.Contains(p.Body, "That took too long") {
		t.Fatalf("a wrong code extended the sealed step: %d", p.Status)
	}

	p = c.login("owner@example.com")
	pending = pendingRE.FindStringSubmatch(p.Body)[1]
	e.Clock.Advance(30 * time.Second)
	mustContain(t, c.post("/login", url.Values{"pending": {pending}, "code": {totp.Code(secret, e.Clock.Now())}}), "Users")
	c.post("/logout", url.Values{})
	c.get("/login")
	e.Clock.Advance(30 * time.Second)
	if p := c.post("/login", url.Values{"pending": {pending}, "code": {totp.Code(secret, e.Clock.Now())}}); !strings.Contains(p.Body, "That took too long") {
		t.Fatalf("the sealed step was used twice: %d", p.Status)
	}
}

// A CSRF token issued before the login is refused after it, and logging in
// again ends the session the browser held.
func TestLoginRotatesTokens(t *testing.T) {
	e := apitest.New(t, "practice")
	apitestAccount := e.Signup("owner@example.com", "Org")
	c := newClient(t, e)
	c.get("/login")
	before := c.csrf()
	p := c.post("/login", url.Values{"email": {"owner@example.com"}, "password": {apitest.Password}})
	base := orgBase(t, p.URL)
	if p := c.postRaw("/account/names", url.Values{"first_name": {"Mallory"}, "last_name": {"X"}, "csrf": {before}, "back": {base + "/profile"}}, nil); p.Status != http.StatusForbidden {
		t.Fatalf("a pre-login CSRF token after login: %d, want 403", p.Status)
	}
	u, _ := url.Parse(e.URL)
	var old string
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "roster_session" {
			old = ck.Value
		}
	}
	c.get("/login?next=/")
	c.post("/login", url.Values{"email": {"owner@example.com"}, "password": {apitest.Password}})
	if r := e.Do("GET", "/api/v1/me", old, nil); r.Status != http.StatusUnauthorized {
		t.Fatalf("the session before the second login: %d, want 401", r.Status)
	}
	e.Must(http.StatusOK, "GET", "/api/v1/me", apitestAccount.Token, nil) // other sessions stay
}

var pendingRE = regexp.MustCompile(`name="pending" value="([^"]+)"`)

// enableTOTP turns 2FA on through the profile pages and returns the secret.
func enableTOTP(t *testing.T, e *apitest.Env, c *formClient, base string) []byte {
	t.Helper()
	c.get(base + "/profile")
	p := c.post("/account/totp", url.Values{"back": {base + "/profile"}})
	m := secretRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no secret on the page:\n%s", p.Body)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	enrol := regexp.MustCompile(`name="enrolment" value="([^"]+)"`).FindStringSubmatch(p.Body)[1]
	mustContain(t, c.post("/account/totp/confirm", url.Values{"code": {totp.Code(secret, e.Clock.Now())}, "enrolment": {enrol}, "back": {base + "/profile"}}), "Two-factor authentication is on")
	e.Clock.Advance(30 * time.Second)
	return secret
}
