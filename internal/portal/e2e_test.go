package portal_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apitest"
)

// The practice preset in a browser: sign-up, clients, invite two
// addresses, accept one from the emailed link in a fresh browser context,
// assign specific clients, a role change in force at once for the other
// user, revoke (locked out) and reactivate.
func TestBrowserPractice(t *testing.T) {
	e := apitest.New(t, "practice")
	ada := newPerson(t, e, "Ada (owner)")
	ada.signup("ada@example.com", "Ada", "Lovelace", "Lovelace & Co")
	base := ada.orgBase()

	ada.open(base + "/clients")
	for _, name := range []string{"Acme Ltd", "Beta Ltd", "Gamma Ltd"} {
		e.Clock.Advance(time.Minute) // lists are ordered by creation time
		ada.fill("#client-name", name)
		ada.submit(`#add-client button[type=submit]`)
		ada.sees(name + " added.")
	}
	ada.submit(`tr[data-client="Gamma Ltd"] button`) // archive: a past client
	ada.sees("Gamma Ltd archived.")
	ada.screenshot("clients")

	// Invite two addresses at once as bookkeepers.
	e.Clock.Advance(time.Minute)
	ada.open(base + "/users")
	ada.submit("#invite-button")
	ada.fill("#emails", "bob@example.com, carol@example.com")
	ada.click(`input[name=role][value=bookkeeper]`)
	ada.screenshot("invite")
	ada.submit(`#invite-form button[type=submit]`)
	ada.sees("Results", "bob@example.com", "carol@example.com", "Invitation sent")
	ada.screenshot("invite-results")

	// Bob accepts from the .eml link, in a browser context of his own.
	bob := newPerson(t, e, "Bob")
	if st := bob.open(acceptLink(e, "bob@example.com")); st != http.StatusOK {
		t.Fatalf("accept page: %d", st)
	}
	bob.sees("Join Lovelace & Co", "Bookkeeper", "ada@example.com")
	bob.fill("#first_name", "Bob", "#last_name", "Jones", "#password", "bobs-own-long-passphrase")
	bob.screenshot("accept")
	bob.submit(`form button[type=submit]`)
	bob.sees("You joined Lovelace & Co.", "Users")
	if bob.has("#invite-button") {
		t.Fatal("a bookkeeper sees the Invite button")
	}

	// Ada narrows Bob to Acme and the past Gamma.
	ada.open(base + "/users")
	ada.sees("Bob Jones", "Active", "carol@example.com")
	ada.screenshot("users")
	row := ada.openMenu("bob@example.com")
	ada.screenshot("users-actions")
	ada.submit(row + ` a[href$="/clients"]`)
	ada.click(`input[name=mode][value=specific]`)
	ada.check("Acme Ltd")
	ada.check("Gamma Ltd") // archived: a past client
	ada.screenshot("assign-clients")
	ada.submit(`form button[type=submit].btn-primary`)
	ada.sees("Client access of Bob Jones saved.")
	bob.open(base + "/clients")
	bob.sees("Acme Ltd")
	bob.doesNotSee("Beta Ltd")

	// A role change is in force at Bob's very next request (R7).
	ada.open(base + "/users")
	ada.menu("bob@example.com", `a[href$="/role"]`)
	ada.click(`input[name=role][value=client_manager]`)
	ada.screenshot("change-role")
	ada.submit(`form button[type=submit].btn-primary`)
	ada.sees("Bob Jones now has the role Client manager.")
	bob.open(base + "/users")
	bob.sees("Client manager")
	if !bob.has("#invite-button") {
		t.Fatal("Bob, now a client manager, does not see the Invite button at his next request")
	}

	// Revoke: Bob is locked out at once; reactivate: he is back.
	ada.menu("bob@example.com", `a[href$="/confirm/revoke"]`)
	ada.sees("They will lose access")
	ada.submit(`form button.btn-danger`)
	ada.sees("Access revoked.", "Revoked")
	if st := bob.open(base + "/users"); st != http.StatusNotFound {
		t.Fatalf("revoked Bob opens the Users page: %d, want 404", st)
	}
	bob.sees("no longer have access")
	ada.open(base + "/users?status=revoked")
	ada.menu("bob@example.com", `form[action$="/reactivate"] button`)
	ada.sees("Reactivated.")
	if st := bob.open(base + "/users"); st != http.StatusOK {
		t.Fatalf("reactivated Bob: %d", st)
	}
	bob.sees("Users", "Client manager")

	// The remaining main pages, for the README.
	ada.open(base + "/roles")
	ada.sees("Practice administrator", "Bookkeeper")
	ada.screenshot("roles")
	ada.open(base + "/settings")
	ada.sees("Standard", "Seats used")
	ada.screenshot("settings")
	ada.open(base + "/users")
	ada.menu("bob@example.com", `.menu-panel a:first-child`)
	ada.sees("Activity", "Member: role changed", "Member: revoked")
	ada.screenshot("member")
	ada.open(base + "/profile")
	ada.sees("Your profile", "Your account", "Organization: created")
	ada.screenshot("profile")
	ada.submit("#totp-start")
	ada.sees("Scan this code", "Turn on")
	ada.screenshot("two-factor")
}

// The marketing preset: on a plan with custom roles, the owner creates a
// role, invites someone into it, and transfers ownership to them.
func TestBrowserMarketingCustomRoleAndTransfer(t *testing.T) {
	e := apitest.New(t, "marketing")
	r := e.Must(http.StatusCreated, "POST", "/api/v1/admin/orgs", apitest.OperatorToken,
		map[string]any{"name": "Globex Marketing", "owner_email": "olivia@example.com", "plan": "business"})
	org := r.M(t)["organization"].(map[string]any)["id"].(string)
	base := "/o/" + org

	olivia := newPerson(t, e, "Olivia (owner)")
	olivia.open(acceptLink(e, "olivia@example.com"))
	olivia.fill("#first_name", "Olivia", "#last_name", "Owens", "#password", apitest.Password)
	olivia.submit(`form button[type=submit]`)
	olivia.sees("You joined Globex Marketing.")

	olivia.open(base + "/roles")
	olivia.submit(`a[href$="/roles/new"]`)
	olivia.fill("#name", "Analyst", "#description", "Dashboards and reports, read-only elsewhere")
	for _, key := range []string{"dashboards.create", "dashboards.edit", "reports.create", "reports.export", "people.view"} {
		olivia.click(`input[name=permissions][value="` + key + `"]`)
	}
	olivia.screenshot("role-edit")
	olivia.submit(`#role-form button[type=submit]`)
	olivia.sees("Role Analyst added.", "Analyst", "custom")
	olivia.screenshot("roles-custom")
	roles := e.Must(http.StatusOK, "GET", "/api/v1/orgs/"+org+"/roles", e.Login("olivia@example.com"), nil)
	var body struct {
		Roles []struct {
			Key         string
			Permissions []string
		}
	}
	roles.JSON(t, &body)
	i := slices.IndexFunc(body.Roles, func(r struct {
		Key         string
		Permissions []string
	}) bool {
		return r.Key == "analyst"
	})
	if i < 0 || !slices.Contains(body.Roles[i].Permissions, "dashboards.view") || !slices.Contains(body.Roles[i].Permissions, "reports.export") {
		t.Fatalf("the analyst role as stored: %+v", body.Roles)
	}

	olivia.open(base + "/settings")
	olivia.fill("#team-name", "Support")
	olivia.submit(`form[action$="/teams"] button[type=submit]`)
	olivia.sees("Team Support added.", "Business", "Agent seats used")
	olivia.screenshot("settings-marketing")

	olivia.open(base + "/users/invite")
	olivia.fill("#emails", "dan@example.com")
	olivia.click(`input[name=role][value=analyst]`)
	olivia.check("Enable agent access")
	olivia.check("Support")
	olivia.screenshot("invite-marketing")
	olivia.submit(`#invite-form button[type=submit]`)
	olivia.sees("Invitation sent")
	dan := newPerson(t, e, "Dan")
	dan.open(acceptLink(e, "dan@example.com"))
	dan.fill("#first_name", "Dan", "#last_name", "Brown", "#password", "dans-long-passphrase-7")
	dan.submit(`form button[type=submit]`)
	dan.sees("You joined Globex Marketing.", "Analyst")

	olivia.open(base + "/users")
	olivia.sees("Dan Brown", "Analyst", "Access", "Support")
	olivia.menu("dan@example.com", `a[href$="/confirm/transfer"]`)
	olivia.sees("They become the owner")
	olivia.submit(`form button.btn-primary`)
	olivia.sees("Ownership transferred.")
	if olivia.has(`a[href$="/confirm/transfer"]`) {
		t.Fatal("the former owner is still offered ownership transfer")
	}
	dan.open(base + "/users")
	dan.sees("Owner", "Admin")
	if !dan.has(`tr[data-email="dan@example.com"] .tag-owner`) {
		t.Fatal("Dan's row has no Owner tag after the transfer")
	}
	dan.screenshot("marketing-users")
}

// The accounts preset: the primary user adds a user by name and email, and
// disables them.
func TestBrowserAccountsAddAndDisable(t *testing.T) {
	e := apitest.New(t, "accounts")
	pat := newPerson(t, e, "Pat (primary)")
	pat.signup("pat@example.com", "Pat", "Primary", "Primary Holdings")
	base := pat.orgBase()
	pat.submit("#invite-button")
	pat.sees("Add a user", "Authorised user")
	pat.fill("#first_name", "Quinn", "#last_name", "Authorised", "#emails", "quinn@example.com")
	pat.submit(`#invite-form button[type=submit]`)
	pat.sees("Invitation sent", "quinn@example.com")
	pat.open(base + "/users")
	pat.sees("Quinn Authorised", "Invited")
	pat.menu("quinn@example.com", `a[href$="/confirm/revoke"]`)
	pat.sees("Disable: Quinn Authorised?")
	pat.submit(`form button.btn-danger`)
	pat.sees("Disabled.")
	if status := pat.text(`tr[data-email="quinn@example.com"] .pill`); status != "Disabled" {
		t.Fatalf("Quinn's status reads %q, want Disabled", status)
	}
	pat.screenshot("accounts-users")
	if link := acceptLink(e, "quinn@example.com"); pat.open(link) != http.StatusGone {
		t.Fatal("the disabled user's invitation still opens")
	}
}
