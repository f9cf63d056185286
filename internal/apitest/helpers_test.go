package apitest

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/roster-dev/roster/client"
)

// org is a path prefix for an organization (for the requests that stay on
// e.Do: bodies the typed client cannot send).
func org(id string) string { return "/api/v1/orgs/" + id }

// invite invites addresses with a role and returns the results.
func invite(t *testing.T, e *Env, token, orgID, role string, emails ...string) []client.InviteResult {
	t.Helper()
	return must(e.api(token).Invite(bg, orgID, client.InviteRequest{Emails: emails, Role: role}))(t)
}

// joined is a member who accepted an invitation with a new account.
type joined struct {
	Token    string
	UserID   string
	MemberID string
	Email    string
}

// addMember invites email with role and accepts from the emailed link,
// creating the account.
func addMember(t *testing.T, e *Env, owner Account, role, email string) joined {
	t.Helper()
	res := invite(t, e, owner.Token, owner.OrgID, role, email)
	if res[0].Status != "invited" {
		t.Fatalf("invite %s: got %+v, want invited", email, res[0])
	}
	tok := e.LastToken(email, "invite")
	acc := must(e.api("").AcceptInvitation(bg, client.AcceptRequest{
		Token: tok, Password: Password, FirstName: "Mem", LastName: "Ber",
	}))(t)
	if acc.Member.ID != res[0].MemberID {
		t.Fatalf("R3: member id changed on acceptance: got %s, want %s", acc.Member.ID, res[0].MemberID)
	}
	return joined{Token: acc.Token, UserID: acc.User.ID, MemberID: acc.Member.ID, Email: email}
}

func getMember(t *testing.T, e *Env, token, orgID, memberID string) client.Member {
	t.Helper()
	return *must(e.api(token).GetMember(bg, orgID, memberID))(t)
}

// check asks the operator's check API.
func check(t *testing.T, e *Env, orgID, userID, perm, clientID string) client.Decision {
	t.Helper()
	return *must(e.api(OperatorToken).Check(bg, orgID, client.CheckRequest{UserID: userID, Permission: perm, ClientID: clientID}))(t)
}

func createClient(t testing.TB, e *Env, token, orgID, name string) string {
	t.Helper()
	return must(e.api(token).CreateClient(bg, orgID, client.CreateClientRequest{Name: name}))(t).ID
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
