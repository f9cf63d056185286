package apitest

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
)

// org is a path prefix for an organization.
func org(id string) string { return "/api/v1/orgs/" + id }

// invite invites addresses with a role and returns the results.
func invite(t *testing.T, e *Env, token, orgID, role string, emails ...string) []inviteResult {
	t.Helper()
	r := e.Must(http.StatusOK, "POST", org(orgID)+"/invitations", token, map[string]any{"emails": emails, "role": role})
	var b struct{ Results []inviteResult }
	r.JSON(t, &b)
	return b.Results
}

type inviteResult struct {
	Email     string `json:"email"`
	Status    string `json:"status"`
	MemberID  string `json:"member_id"`
	AcceptURL string `json:"accept_url"`
	Error     *struct {
		Code string `json:"code"`
	} `json:"error"`
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
	r := e.Must(http.StatusOK, "POST", "/api/v1/invitations/accept", "", map[string]any{
		"token": tok, "password": Password, "first_name": "Mem", "last_name": "Ber",
	})
	var b struct {
		Token  string
		User   struct{ ID string }
		Member struct{ ID string }
	}
	r.JSON(t, &b)
	if b.Member.ID != res[0].MemberID {
		t.Fatalf("R3: member id changed on acceptance: got %s, want %s", b.Member.ID, res[0].MemberID)
	}
	return joined{Token: b.Token, UserID: b.User.ID, MemberID: b.Member.ID, Email: email}
}

type member struct {
	ID           string  `json:"id"`
	UserID       *string `json:"user_id"`
	Email        string  `json:"email"`
	FirstName    string  `json:"first_name"`
	LastName     string  `json:"last_name"`
	Role         string  `json:"role"`
	Status       string  `json:"status"`
	IsOwner      bool    `json:"is_owner"`
	TwoFactor    *bool   `json:"two_factor"`
	ClientAccess struct {
		Mode    string   `json:"mode"`
		Clients []string `json:"clients"`
	} `json:"client_access"`
	Invitation *struct {
		ExpiresAt string `json:"expires_at"`
	} `json:"invitation"`
}

func getMember(t *testing.T, e *Env, token, orgID, memberID string) member {
	t.Helper()
	var m member
	e.Must(http.StatusOK, "GET", org(orgID)+"/members/"+memberID, token, nil).JSON(t, &m)
	return m
}

type decision struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
}

// check asks the operator's check API.
func check(t *testing.T, e *Env, orgID, userID, perm, client string) decision {
	t.Helper()
	body := map[string]any{"user_id": userID, "permission": perm}
	if client != "" {
		body["client_id"] = client
	}
	var d decision
	e.Must(http.StatusOK, "POST", org(orgID)+"/check", OperatorToken, body).JSON(t, &d)
	return d
}

func createClient(t *testing.T, e *Env, token, orgID, name string) string {
	t.Helper()
	var c struct{ ID string }
	e.Must(http.StatusCreated, "POST", org(orgID)+"/clients", token, map[string]any{"name": name}).JSON(t, &c)
	return c.ID
}

func jsonDecode(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
