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

var secretRE = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)

// 2FA through the portal: enrolment with a QR code and recovery codes,
// then a login that asks for the code in a second step without asking the
// password again; a wrong code is refused.
func TestTOTPEnrolmentAndLoginStep(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	base := c.signup("owner@example.com", "Ada", "Org")
	c.get(base + "/profile")
	p := c.post("/account/totp", url.Values{"back": {base + "/profile"}})
	mustContain(t, p, `<svg class="qr"`, "Scan this code")
	m := secretRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no secret on the page:\n%s", p.Body)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	enrol := regexp.MustCompile(`name="enrolment" value="([^"]+)"`).FindStringSubmatch(p.Body)[1]
	p = c.post("/account/totp/confirm", url.Values{"code": {"000000"}, "enrolment": {enrol}, "back": {base + "/profile"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Scan this code") {
		t.Fatalf("a wrong first code: %d, want 422 with the QR code again", p.Status)
	}
	code := totp.Code(secret, e.Clock.Now())
	p = c.post("/account/totp/confirm", url.Values{"code": {code}, "enrolment": {enrol}, "back": {base + "/profile"}})
	mustContain(t, p, "Two-factor authentication is on", `id="recovery-codes"`)

	c.get(base + "/users")
	c.post("/logout", url.Values{})
	p = c.login("owner@example.com")
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "authenticator app") || strings.Contains(p.Body, `name="password"`) {
		t.Fatalf("login of a 2FA account: %d, want the code step without a password field\n%s", p.Status, p.Body)
	}
	pending := regexp.MustCompile(`name="pending" value="([^"]+)"`).FindStringSubmatch(p.Body)[1]
	p = c.post("/login", url.Values{"pending": {pending}, "code": {"123456"}, "next": {"/"}})
	if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "That code is not correct") {
		t.Fatalf("a wrong code: %d", p.Status)
	}
	e.Clock.Advance(30 * time.Second) // each step's code works once
	pending = regexp.MustCompile(`name="pending" value="([^"]+)"`).FindStringSubmatch(p.Body)[1]
	p = c.post("/login", url.Values{"pending": {pending}, "code": {totp.Code(secret, e.Clock.Now())}, "next": {base + "/users"}})
	mustContain(t, p, "Users", "owner@example.com")
	if !strings.HasSuffix(p.URL, "/users") {
		t.Fatalf("after the code step: %s", p.URL)
	}
	// Turning 2FA off needs a current code.
	e.Clock.Advance(30 * time.Second)
	c.get(base + "/profile")
	p = c.post("/account/totp/disable", url.Values{"code": {"000000"}, "back": {base + "/profile"}})
	mustContain(t, p, "The code is not correct", "Turn off two-factor authentication")
	e.Clock.Advance(30 * time.Second)
	p = c.post("/account/totp/disable", url.Values{"code": {totp.Code(secret, e.Clock.Now())}, "back": {base + "/profile"}})
	mustContain(t, p, "Two-factor authentication is off.", "Set up two-factor authentication")
	// The sealed first step expires.
	e.Clock.Advance(6 * time.Minute)
	c.post("/logout", url.Values{})
	c.get("/login")
	p = c.post("/login", url.Values{"pending": {pending}, "code": {totp.Code(secret, e.Clock.Now())}})
	if !strings.Contains(p.Body, "That took too long") {
		t.Fatalf("an expired code step was accepted: %d", p.Status)
	}
}

// Row actions are shown only to those who may use them: the service
// answers (R8: nobody acts above themselves, on the owner's role, or on
// themselves).
func TestRowActionsFollowTheRules(t *testing.T) {
	e := apitest.New(t, "practice")
	owner := newClient(t, e)
	base := owner.signup("owner@example.com", "Ada", "Org")
	for _, who := range []struct{ email, role string }{{"cm@example.com", "client_manager"}, {"bk@example.com", "bookkeeper"}} {
		owner.get(base + "/users/invite")
		owner.post(base+"/users/invite", url.Values{"emails": {who.email}, "role": {who.role}})
		acceptAsNew(t, e, who.email)
	}
	cm := newClient(t, e)
	cm.login("cm@example.com")
	p := cm.get(base + "/users")
	ownerRow := row(t, p.Body, "owner@example.com")
	for _, forbidden := range []string{"/role", "/confirm/revoke", "/confirm/transfer"} {
		if strings.Contains(ownerRow, forbidden) {
			t.Errorf("a client manager is offered %s on the owner", forbidden)
		}
	}
	if bk := row(t, p.Body, "bk@example.com"); !strings.Contains(bk, "/role") || !strings.Contains(bk, "/clients") || !strings.Contains(bk, "/confirm/revoke") {
		t.Errorf("a client manager is not offered the actions on a bookkeeper:\n%s", bk)
	}
	if self := row(t, p.Body, "cm@example.com"); strings.Contains(self, "/role") || strings.Contains(self, "/confirm/revoke") {
		t.Error("a client manager is offered a change of its own role")
	}
	bk := newClient(t, e)
	bk.login("bk@example.com")
	p = bk.get(base + "/users")
	if strings.Contains(p.Body, "/role\"") || strings.Contains(p.Body, "invite-button") || strings.Contains(p.Body, "/confirm/") {
		t.Error("a bookkeeper is offered management actions")
	}
	// A forged form is refused by the service all the same.
	ownerID := bk.memberID("owner@example.com")
	p = bk.post(base+"/users/"+ownerID+"/revoke", url.Values{})
	if !strings.Contains(p.Body, "The users.manage permission is required") {
		t.Fatalf("a bookkeeper's forged revoke: %d\n%s", p.Status, p.Body)
	}
}

// row is the Users table row of one address.
func row(t *testing.T, body, email string) string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `data-email="`+email+`"`)
	if !ok {
		t.Fatalf("no row for %s", email)
	}
	r, _, _ := strings.Cut(rest, "</tr>")
	return r
}

// acceptAsNew accepts the newest invitation of email with a new account.
func acceptAsNew(t *testing.T, e *apitest.Env, email string) {
	t.Helper()
	c := newClient(t, e)
	link := acceptLink(e, email)
	c.get(link)
	p := c.post(link, url.Values{"first_name": {"New"}, "last_name": {strings.Split(email, "@")[0]}, "password": {apitest.Password}})
	mustContain(t, p, "You joined")
}

// An existing account accepts by logging in, or with one click when it is
// already signed in; another signed-in account is told to log out.
func TestAcceptAsExistingAccount(t *testing.T) {
	e := apitest.New(t, "marketing") // existing accounts are invited, not added
	owner := newClient(t, e)
	base := owner.signup("owner@example.com", "Ada", "First Account")
	other := newClient(t, e)
	other.signup("sam@example.com", "Sam", "Sam's Account")

	owner.get(base + "/users/invite")
	owner.post(base+"/users/invite", url.Values{"emails": {"sam@example.com"}})
	link := acceptLink(e, "sam@example.com")

	stranger := newClient(t, e)
	stranger.signup("eve@example.com", "Eve", "Eve's Account")
	mustContain(t, stranger.get(link), "You are logged in as", "eve@example.com", "Log out")

	anon := newClient(t, e)
	p := anon.get(link)
	mustContain(t, p, "Log in and join")
	p = anon.post(link, url.Values{"password": {"not-the-password-at-all"}})
	if p.Status != http.StatusUnauthorized {
		t.Fatalf("a wrong password: %d", p.Status)
	}
	mustContain(t, other.get(link), "Join First Account")
	p = other.post(link, url.Values{})
	mustContain(t, p, "You joined First Account.")
	if !strings.HasPrefix(p.URL, base) {
		t.Fatalf("after joining: %s, want %s/...", p.URL, base)
	}
	mustContain(t, other.get("/orgs"), "First Account", "Sam&#39;s Account")
	if p := other.get(link); p.Status != http.StatusGone {
		t.Fatalf("a used invitation: %d, want 410", p.Status)
	}
}

// On a plan without custom roles no New role button is shown and the
// service refuses a forged form; on a plan with them a role is created,
// re-ordered, edited and deleted with reassignment.
func TestCustomRolesWithoutJavaScript(t *testing.T) {
	e := apitest.New(t, "marketing")
	c := newClient(t, e)
	base := c.signup("owner@example.com", "Ada", "Acct")
	p := c.get(base + "/roles")
	mustContain(t, p, "Custom roles come with a larger plan")
	if strings.Contains(p.Body, "/roles/new") {
		t.Fatal("New role is offered on the starter plan")
	}
	p = c.post(base+"/roles", url.Values{"name": {"Analyst"}, "permissions": {"reports.view"}})
	if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "no custom roles") {
		t.Fatalf("a forged role form on starter: %d", p.Status)
	}
	e.Must(http.StatusOK, "PATCH", "/api/v1/admin/orgs/"+strings.TrimPrefix(base, "/o/"), apitest.OperatorToken, map[string]any{"plan": "business"})

	for _, name := range []string{"Analyst", "Writer"} {
		c.get(base + "/roles/new")
		p = c.post(base+"/roles", url.Values{"name": {name}, "icon": {"★"}, "permissions": {"reports.export", "people.view"}})
		mustContain(t, p, "Role "+name+" added.")
	}
	if strings.Index(p.Body, `data-role="analyst"`) > strings.Index(p.Body, `data-role="writer"`) {
		t.Fatal("custom roles are not in creation order")
	}
	p = c.post(base+"/roles/order", url.Values{"order": {"writer", "analyst"}})
	mustContain(t, p, "Order saved.")
	if strings.Index(p.Body, `data-role="writer"`) > strings.Index(p.Body, `data-role="analyst"`) {
		t.Fatal("the new order is not shown")
	}
	mustContain(t, c.get(base+"/roles/analyst"), "Edit Analyst", `value="reports.view" checked`)
	p = c.post(base+"/roles/analyst", url.Values{"name": {"Analyst"}, "description": {"Reads reports"}, "permissions": {"dashboards.create"}})
	mustContain(t, p, "Role Analyst saved.")
	mustContain(t, c.get(base+"/roles/analyst"), `value="dashboards.view" checked`, "Reads reports")

	c.get(base + "/users/invite")
	c.post(base+"/users/invite", url.Values{"emails": {"x@example.com"}, "role": {"analyst"}})
	c.get(base + "/roles/analyst")
	p = c.post(base+"/roles/analyst/delete", url.Values{})
	mustContain(t, p, "hold role analyst")
	c.get(base + "/roles/analyst")
	p = c.post(base+"/roles/analyst/delete", url.Values{"reassign_to": {"editor"}})
	mustContain(t, p, "Role deleted.")
	if p := c.get(base + "/users?role=editor"); !strings.Contains(p.Body, "x@example.com") {
		t.Fatal("the role's member was not reassigned")
	}
}

// The accounts preset has one role to give: the form shows no role choice,
// asks for names, and can add the user disabled.
func TestAccountsAddUserForm(t *testing.T) {
	e := apitest.New(t, "accounts")
	c := newClient(t, e)
	base := c.signup("pat@example.com", "Pat", "Holdings")
	p := c.get(base + "/users/invite")
	mustContain(t, p, "Add a user", "Authorised user", "Add as disabled")
	if strings.Contains(p.Body, `type="radio" name="role"`) {
		t.Fatal("the accounts preset offers a role choice")
	}
	p = c.post(base+"/users/invite", url.Values{"emails": {"q@example.com"}, "role": {"authorised"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "First and last name are required") {
		t.Fatalf("names missing: %d", p.Status)
	}
	p = c.post(base+"/users/invite", url.Values{"emails": {"q@example.com"}, "role": {"authorised"},
		"first_name": {"Q"}, "last_name": {"R"}, "disabled": {"on"}})
	mustContain(t, p, "Added")
	p = c.get(base + "/users?status=revoked")
	mustContain(t, p, "q@example.com")
	if r := row(t, p.Body, "q@example.com"); !strings.Contains(r, "/reactivate") || !strings.Contains(r, "/confirm/delete") {
		t.Fatalf("a disabled user's row lacks re-enable and delete:\n%s", r)
	}
}

// Paging: the Users table shows 25 per page with a link to the next.
func TestUsersPaging(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	base := c.signup("owner@example.com", "Ada", "Org")
	var emails []string
	for i := range 30 {
		emails = append(emails, "u"+string(rune('a'+i%26))+strings.Repeat("x", i/26)+"@example.com")
	}
	c.get(base + "/users/invite")
	mustContain(t, c.post(base+"/users/invite", url.Values{"emails": {strings.Join(emails, "\n")}}), "Results")
	p := c.get(base + "/users")
	if n := strings.Count(p.Body, "<tr data-email="); n != 25 {
		t.Fatalf("first page: %d rows, want 25", n)
	}
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(p.Body)
	if next == nil {
		t.Fatal("no next page link")
	}
	p = c.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := strings.Count(p.Body, "<tr data-email="); n != 6 {
		t.Fatalf("second page: %d rows, want 6", n)
	}
	mustContain(t, p, "First page")
}

// Teams and agent access by forms (marketing): a member's teams are set on
// their page; agent access is switched from the row, and the plan's agent
// seats hold (R17): the refusal is shown, nothing changes.
func TestTeamsAndAgentAccessForms(t *testing.T) {
	e := apitest.New(t, "marketing") // starter: 3 seats, 1 agent seat
	c := newClient(t, e)
	base := c.signup("owner@example.com", "Ada", "Acct")
	c.get(base + "/settings")
	mustContain(t, c.post(base+"/teams", url.Values{"name": {"Support"}}), "Team Support added.")
	teamID := regexp.MustCompile(`/teams/(tm_[a-z0-9]+)/delete`).FindStringSubmatch(c.last)[1]
	c.get(base + "/users/invite")
	c.post(base+"/users/invite", url.Values{"emails": {"x@example.com, y@example.com"}, "role": {"read_only"}})
	c.get(base + "/users")
	x, y := c.memberID("x@example.com"), c.memberID("y@example.com")

	mustContain(t, c.get(base+"/users/"+x), "Save teams")
	p := c.post(base+"/users/"+x+"/teams", url.Values{"teams": {teamID}})
	mustContain(t, p, "Teams of x@example.com saved.")
	if r := row(t, c.get(base+"/users").Body, "x@example.com"); !strings.Contains(r, "Support") {
		t.Fatalf("x's row lacks its team:\n%s", r)
	}
	p = c.post(base+"/users/"+x+"/agent", url.Values{"agent_access": {"on"}, "back": {base + "/users"}})
	mustContain(t, p, "x@example.com now has agent access.")
	p = c.post(base+"/users/"+y+"/agent", url.Values{"agent_access": {"on"}, "back": {base + "/users"}})
	mustContain(t, p, "agent seats")
	if r := row(t, p.Body, "y@example.com"); !strings.Contains(r, "No access") {
		t.Fatalf("a refused agent seat was given:\n%s", r)
	}
}

// R11 in the portal: a manager who sees only some clients is not offered
// "all clients" when inviting, assigning or defining a role; a forged form
// is refused by the service all the same.
func TestRestrictedManagerIsOfferedOnlySpecificClients(t *testing.T) {
	e := apitest.New(t, "practice")
	owner := newClient(t, e)
	base := owner.signup("owner@example.com", "Ada", "Org")
	owner.post(base+"/clients", url.Values{"name": {"Client one"}})
	owner.post(base+"/roles", url.Values{"name": {"Lead"}, "client_access": {"specific"},
		"permissions": {"users.manage", "clients.settings", "clients.feedback", "clients.view"}})
	owner.post(base+"/users/invite", url.Values{"emails": {"lead@example.com"}, "role": {"lead"}})
	acceptAsNew(t, e, "lead@example.com")
	owner.post(base+"/users/invite", url.Values{"emails": {"bk@example.com"}, "role": {"bookkeeper"}})
	acceptAsNew(t, e, "bk@example.com")
	if p := owner.get(base + "/users/invite"); !strings.Contains(p.Body, `name="client_mode" value="all"`) {
		t.Fatal("the owner is not offered all clients")
	}
	lead := newClient(t, e)
	lead.login("lead@example.com")
	if p := lead.get(base + "/users/invite"); strings.Contains(p.Body, `name="client_mode" value="all"`) {
		t.Error("a restricted manager is offered all clients when inviting")
	}
	lead.get(base + "/users")
	bk := lead.memberID("bk@example.com")
	if p := lead.get(base + "/users/" + bk + "/clients"); strings.Contains(p.Body, `name="mode" value="all"`) {
		t.Error("a restricted manager is offered all clients when assigning")
	}
	if p := lead.get(base + "/roles/new"); strings.Contains(p.Body, `<option value="all_by_default"`) {
		t.Error("a restricted manager is offered all_by_default for a new role")
	}
	p := lead.post(base+"/users/invite", url.Values{"emails": {"new@example.com"}, "role": {"bookkeeper"}, "client_mode": {"all"}})
	if !strings.Contains(p.Body, "only specific clients you see") {
		t.Fatalf("a forged 'all clients' invitation: %d\n%s", p.Status, p.Body)
	}
}
