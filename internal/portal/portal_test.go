package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apitest"
)

// Every page of the practice preset renders for its owner, through forms
// only (no JavaScript): sign-up, clients, invite, the member's pages.
func TestPracticePagesWithoutJavaScript(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	base := c.signup("owner@example.com", "Ada", "Lovelace & Co")

	mustContain(t, c.get(base+"/clients"), "Add client")
	for _, name := range []string{"Acme Ltd", "Beta Ltd"} {
		mustContain(t, c.post(base+"/clients", url.Values{"name": {name}}), name+" added.")
	}
	mustContain(t, c.get(base+"/users/invite"), "Email addresses", "Bookkeeper", "Acme Ltd")
	p := c.post(base+"/users/invite", url.Values{"emails": {"bob@example.com, carol@example.com, not-an-address"},
		"role": {"client"}, "client_mode": {"specific"}, "clients": {clientID(t, c, base, "Acme Ltd")}})
	mustContain(t, p, "Invitation sent", "bob@example.com", "carol@example.com", "Not sent", "not a valid email address")

	users := c.get(base + "/users")
	mustContain(t, users, "bob@example.com", "Invited", "Acme Ltd", "Lovelace &amp; Co")
	bob := c.memberID("bob@example.com")
	mustContain(t, c.get(base+"/users/"+bob), "Activity", "Member: invited")
	mustContain(t, c.get(base+"/users/"+bob+"/clients"), "Beta Ltd", "Save client access")
	mustContain(t, c.get(base+"/users/"+bob+"/role"), "Bookkeeper", "Save role")
	mustContain(t, c.get(base+"/users/"+bob+"/confirm/revoke"), "Cancel invitation", "The invitation link stops working") // bob is invited
	mustContain(t, c.get(base+"/roles"), "Practice administrator", "Client manager", "New role")
	mustContain(t, c.get(base+"/roles/bookkeeper"), "Permissions", "Give feedback")
	mustContain(t, c.get(base+"/settings"), "Standard", "Enforced authentication")
	mustContain(t, c.get(base+"/profile"), "Your profile", "Set up two-factor authentication")
	mustContain(t, c.get("/orgs"), "Lovelace &amp; Co")
	mustContain(t, c.get(base+"/users?status=invited&q=bob"), "bob@example.com")
	if p := c.get(base + "/users?status=active"); strings.Contains(p.Body, "bob@example.com") {
		t.Fatal("the active filter lists an invited member")
	}

	// Assign clients, resend, revoke and delete, by forms.
	c.get(base + "/users/" + bob + "/clients")
	p = c.post(base+"/users/"+bob+"/clients", url.Values{"mode": {"specific"}, "clients": {clientID(t, c, base, "Beta Ltd")}})
	mustContain(t, p, "Client access of bob@example.com saved.")
	if r := row(t, p.Body, "bob@example.com"); !strings.Contains(r, "Beta Ltd") || strings.Contains(r, "Acme Ltd") {
		t.Fatalf("Bob's clients after unchecking Acme and checking Beta:\n%s", r)
	}
	e.Clock.Advance(time.Minute)
	mustContain(t, c.post(base+"/users/"+bob+"/resend", url.Values{}), "Invitation sent again.")
	mustContain(t, c.post(base+"/users/"+bob+"/revoke", url.Values{}), "Access revoked.")
	mustContain(t, c.post(base+"/users/"+bob+"/delete", url.Values{}), "Deleted permanently.")
	if p := c.get(base + "/users"); strings.Contains(p.Body, "bob@example.com") {
		t.Fatal("a deleted member is still listed")
	}

	// Enforced authentication adds its column.
	c.get(base + "/settings")
	mustContain(t, c.post(base+"/settings", url.Values{"name": {"Lovelace & Co"}, "enforced_auth": {"google"}}), "Settings saved.")
	mustContain(t, c.get(base+"/users"), "Enforced auth", "<td>Google</td>")
}

var clientRowRE = `<input type="checkbox" name="clients" value="`

// clientID finds a client's id in the invite form's picker.
func clientID(t *testing.T, c *formClient, base, name string) string {
	t.Helper()
	p := c.get(base + "/users/invite")
	for _, part := range strings.Split(p.Body, clientRowRE)[1:] {
		id, rest, _ := strings.Cut(part, `"`)
		if label, _, _ := strings.Cut(rest, "</label>"); strings.Contains(label, name) {
			return id
		}
	}
	t.Fatalf("no client %s in the picker", name)
	return ""
}

// The session cookie is HttpOnly and SameSite=Lax; the pages carry a CSP
// without 'unsafe-inline'.
func TestCookieAndHeaders(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	c.get("/signup")
	form := url.Values{"email": {"owner@example.com"}, "password": {apitest.Password}, "first_name": {"Ada"},
		"last_name": {"Tester"}, "organization_name": {"Org"}, "csrf": {c.csrf()}}
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/signup", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, ck := range c.http.Jar.Cookies(req.URL) {
		req.AddCookie(ck)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "roster_session" {
			session = ck
		}
	}
	if res.StatusCode != http.StatusSeeOther || session == nil {
		t.Fatalf("sign-up: status %d, cookies %v", res.StatusCode, res.Cookies())
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over http", session)
	}
	p := c.get("/login")
	csp := p.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Fatalf("CSP %q", csp)
	}
}

// Over HTTPS the cookie is __Host- and Secure (docs/security.md item 22).
func TestSecureCookieOverHTTPS(t *testing.T) {
	e := apitest.New(t, "practice", func(o *apitest.Options) { o.BaseURL = "https://roster.example" })
	res, err := http.Get(e.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var anon *http.Cookie
	for _, ck := range res.Cookies() {
		anon = ck
	}
	if anon == nil || anon.Name != "__Host-roster_anon" || !anon.Secure || !anon.HttpOnly {
		t.Fatalf("cookie over https: %+v", anon)
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS over https")
	}
}

// A form without the token, with another session's token, or from another
// site is refused and changes nothing (docs/security.md item 27).
func TestCSRFRefusals(t *testing.T) {
	e := apitest.New(t, "practice")
	owner := newClient(t, e)
	base := owner.signup("owner@example.com", "Ada", "Org")
	other := newClient(t, e)
	other.signup("other@example.com", "Eve", "Other")
	owner.get(base + "/clients")
	good := owner.csrf()
	cases := []struct {
		name   string
		form   url.Values
		header map[string]string
	}{
		{"no token", url.Values{"name": {"X"}}, nil},
		{"another session's token", url.Values{"name": {"X"}, "csrf": {other.csrf()}}, nil},
		{"cross-site", url.Values{"name": {"X"}, "csrf": {good}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"foreign origin", url.Values{"name": {"X"}, "csrf": {good}}, map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tc := range cases {
		if p := owner.postRaw(base+"/clients", tc.form, tc.header); p.Status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", tc.name, p.Status)
		}
	}
	if p := owner.get(base + "/clients"); strings.Contains(p.Body, "<strong>X</strong>") {
		t.Fatal("a refused form created a client")
	}
	if p := owner.postRaw(base+"/clients", url.Values{"name": {"Kept"}, "csrf": {good}}, nil); !strings.Contains(p.Body, "Kept added.") {
		t.Fatalf("the right token was refused: %d", p.Status)
	}
}

// Logout is a POST that ends the session on the server: the old cookie is
// refused afterwards (docs/security.md item 24).
func TestLogoutEndsServerSession(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	base := c.signup("owner@example.com", "Ada", "Org")
	u, _ := url.Parse(e.URL)
	old := c.http.Jar.Cookies(u)
	if p := c.get("/logout"); p.Status != http.StatusMethodNotAllowed {
		t.Fatalf("GET /logout: %d, want 405", p.Status)
	}
	c.get(base + "/users")
	if p := c.post("/logout", url.Values{}); !strings.Contains(p.Body, "You are logged out.") {
		t.Fatalf("logout: %d %s", p.Status, p.Body)
	}
	replay := newClient(t, e)
	replay.http.Jar.SetCookies(u, old)
	if p := replay.get(base + "/users"); p.URL != "/login" {
		t.Fatalf("the old session cookie still opens %s", p.URL)
	}
}

// The emailed links: GET shows, POST acts; unknown tokens are 404.
func TestEmailLinks(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	c.signup("owner@example.com", "Ada", "Org")
	vt := e.LastToken("owner@example.com", "verify")
	mustContain(t, c.get("/verify/"+vt), "Confirm my email address")
	p := c.post("/verify/"+vt, url.Values{})
	mustContain(t, p, "owner@example.com", "is confirmed")
	if p := c.get("/invite/unknown-token"); p.Status != http.StatusNotFound {
		t.Fatalf("unknown invitation: %d, want 404", p.Status)
	}
}

// The portal shares the API's rate limits: sign-ups from one address count
// together, whichever door they come through (R2).
func TestSignupLimitSharedWithAPI(t *testing.T) {
	e := apitest.New(t, "practice")
	for i := range 20 {
		e.Signup("user"+string(rune('a'+i))+"@example.com", "Org")
	}
	c := newClient(t, e)
	c.get("/signup")
	p := c.post("/signup", url.Values{"email": {"late@example.com"}, "password": {apitest.Password}, "first_name": {"L"},
		"last_name": {"T"}, "organization_name": {"Late"}})
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Too many sign-ups") {
		t.Fatalf("the 21st sign-up from one address: %d, want 429", p.Status)
	}
}

// Every main page renders for an owner of each preset, with the model's
// own words.
func TestMainPagesOfEveryPreset(t *testing.T) {
	cases := []struct {
		preset, org string
		clients     bool
	}{
		{"practice", "Practice", true},
		{"wealth", "Organization", true},
		{"marketing", "Account", false},
		{"accounts", "Organisation", false},
	}
	for _, tc := range cases {
		t.Run(tc.preset, func(t *testing.T) {
			e := apitest.New(t, tc.preset)
			c := newClient(t, e)
			base := c.signup("owner@example.com", "Ada", "Org "+tc.preset)
			pages := []string{"/users", "/users/invite", "/roles", "/settings", "/profile", "/users/" + c.memberID("owner@example.com")}
			if tc.clients {
				pages = append(pages, "/clients", "/clients?status=archived")
			} else if p := c.get(base + "/clients"); p.Status != http.StatusNotFound {
				t.Errorf("/clients without clients: %d, want 404", p.Status)
			}
			for _, path := range pages {
				mustContain(t, c.get(base+path), tc.org)
			}
		})
	}
}
