package apitest

import (
	"net/http"
	"strings"
	"testing"
)

type memberAuth struct {
	ID           string  `json:"id"`
	Status       string  `json:"status"`
	TwoFactor    *bool   `json:"two_factor"`
	EnforcedAuth *string `json:"enforced_auth"`
}

// Marketing: the organization's enforced authentication (google, okta,
// microsoft or none) is set by the settings permission and shown on every
// member; the 2FA column is empty (null) for invited members.
func TestMarketingEnforcedAuthAndTwoFactorColumns(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	ro := addMember(t, e, a, "read_only", "ro@example.com")
	pending := invite(t, e, a.Token, a.OrgID, "read_only", "pending@example.com")
	members := func() map[string]memberAuth {
		var page struct{ Members []memberAuth }
		e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members", a.Token, nil).JSON(t, &page)
		out := map[string]memberAuth{}
		for _, m := range page.Members {
			out[m.ID] = m
		}
		return out
	}
	ms := members()
	if ms[a.MemberID].EnforcedAuth != nil || ms[a.MemberID].TwoFactor == nil || *ms[a.MemberID].TwoFactor {
		t.Fatalf("owner before SSO: got %+v, want enforced_auth null and two_factor false", ms[a.MemberID])
	}
	if ms[pending[0].MemberID].TwoFactor != nil {
		t.Fatalf("an invited member's 2FA: got %v, want null", *ms[pending[0].MemberID].TwoFactor)
	}
	if r := e.Do("PATCH", org(a.OrgID), ro.Token, map[string]any{"enforced_auth": "okta"}); r.Status != 403 {
		t.Fatalf("read_only setting SSO: got %d, want 403", r.Status)
	}
	if r := e.Do("PATCH", org(a.OrgID), a.Token, map[string]any{"enforced_auth": "saml"}); r.Status != 422 || r.ErrorField() != "enforced_auth" {
		t.Fatalf("an unknown provider: got %d %s", r.Status, r.Body)
	}
	o := e.Must(http.StatusOK, "PATCH", org(a.OrgID), a.Token, map[string]any{"enforced_auth": "okta"}).M(t)
	if o["enforced_auth"] != "okta" {
		t.Fatalf("organization after PATCH: enforced_auth %v", o["enforced_auth"])
	}
	for id, m := range members() {
		if m.EnforcedAuth == nil || *m.EnforcedAuth != "okta" {
			t.Fatalf("member %s: enforced_auth %v, want okta", id, m.EnforcedAuth)
		}
	}
	e.Must(http.StatusOK, "PATCH", org(a.OrgID), a.Token, map[string]any{"enforced_auth": nil})
	if m := members()[ro.MemberID]; m.EnforcedAuth != nil {
		t.Fatalf("after clearing SSO: enforced_auth %v, want null", *m.EnforcedAuth)
	}
}

// Accounts (seed 004): the primary user adds a user by first name, last
// name and email, always as authorised; the email carries a set-password
// link and never a password; the new user sets its password from it.
func TestAccountsAddUser(t *testing.T) {
	e := New(t, "accounts")
	p := e.Signup("primary@example.com", "Org")
	add := func(body map[string]any) *Resp { return e.Do("POST", org(p.OrgID)+"/invitations", p.Token, body) }
	for _, tc := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"emails": []string{"new@example.com"}, "last_name": "User"}, "first_name"},
		{map[string]any{"emails": []string{"new@example.com"}, "first_name": "New"}, "last_name"},
		{map[string]any{"emails": []string{"new@example.com"}, "first_name": "New", "last_name": "User", "role": "primary"}, "role"},
		{map[string]any{"emails": []string{"a@example.com", "b@example.com"}, "first_name": "New", "last_name": "User"}, "first_name"},
		{map[string]any{"emails": []string{"new@example.com"}, "first_name": "New", "last_name": "User", "agent_access": true}, "agent_access"},
	} {
		if r := add(tc.body); r.Status != 422 || r.ErrorField() != tc.field {
			t.Errorf("add %v: got %d %s, want 422 on %s", tc.body, r.Status, r.Body, tc.field)
		}
	}
	if n := memberCount(t, e, p.Token, p.OrgID); n != 1 {
		t.Fatalf("refused additions created members: %d", n)
	}
	r := add(map[string]any{"emails": []string{"new@example.com"}, "first_name": "New", "last_name": "User"})
	var b struct{ Results []inviteResult }
	r.JSON(t, &b)
	if r.Status != 200 || b.Results[0].Status != "invited" {
		t.Fatalf("adding a user: got %d %s", r.Status, r.Body)
	}
	m := getMember(t, e, p.Token, p.OrgID, b.Results[0].MemberID)
	if m.Role != "authorised" || m.FirstName != "New" || m.LastName != "User" {
		t.Fatalf("the new user: got %+v, want authorised New User", m)
	}
	var mail Email
	for _, em := range e.Emails() {
		if strings.Contains(em.To, "new@example.com") {
			mail = em
		}
	}
	if !strings.Contains(mail.Body, "/invite/") || !strings.Contains(strings.ToLower(mail.Body), "set your password") {
		t.Fatalf("the email lacks a set-password link:\n%s", mail.Body)
	}
	if strings.Contains(mail.Body, Password) || strings.Contains(strings.ToLower(mail.Body), "your password is") {
		t.Fatalf("the email carries a password:\n%s", mail.Body)
	}
	tok := e.LastToken("new@example.com", "invite")
	var acc struct {
		User struct {
			FirstName string `json:"first_name"`
		}
		Member struct{ Role, Status string }
	}
	e.Must(http.StatusOK, "POST", "/api/v1/invitations/accept", "", map[string]any{"token": tok, "password": Password}).JSON(t, &acc)
	if acc.User.FirstName != "New" || acc.Member.Role != "authorised" || acc.Member.Status != "active" {
		t.Fatalf("after setting the password: got %+v", acc)
	}
	if o := seatsOf(t, e, p.Token, p.OrgID); o.Seats.Limit != nil {
		t.Fatalf("accounts: seat limit %v, want unlimited", *o.Seats.Limit)
	}
}

// Accounts: the primary user disables (revokes), re-enables and deletes
// users, may add one disabled at once, and cannot edit their other
// details; users edit their own.
func TestAccountsDisableEnableDelete(t *testing.T) {
	e := New(t, "accounts")
	p := e.Signup("primary@example.com", "Org")
	u := e.Must(http.StatusOK, "POST", org(p.OrgID)+"/invitations", p.Token, map[string]any{
		"emails": []string{"user@example.com"}, "first_name": "Una", "last_name": "User"})
	var b struct{ Results []inviteResult }
	u.JSON(t, &b)
	tok := e.LastToken("user@example.com", "invite")
	var acc struct{ Token string }
	e.Must(http.StatusOK, "POST", "/api/v1/invitations/accept", "", map[string]any{"token": tok, "password": Password}).JSON(t, &acc)
	id := b.Results[0].MemberID

	if r := e.Do("PATCH", org(p.OrgID)+"/members/"+id, p.Token, map[string]any{"first_name": "Renamed"}); r.Status != 403 {
		t.Fatalf("the primary user renaming a user: got %d, want 403 (R15)", r.Status)
	}
	if r := e.Do("PATCH", org(p.OrgID)+"/members/"+id, p.Token, map[string]any{"role": "primary"}); r.Status != 422 || r.ErrorField() != "role" {
		t.Fatalf("making a user primary: got %d %s, want 422", r.Status, r.Body)
	}
	e.Must(http.StatusOK, "PATCH", "/api/v1/me", acc.Token, map[string]any{"first_name": "Una-Maria"})
	if m := getMember(t, e, p.Token, p.OrgID, id); m.FirstName != "Una-Maria" {
		t.Fatalf("the user's own edit: got %q", m.FirstName)
	}

	if m := e.Must(http.StatusOK, "POST", org(p.OrgID)+"/members/"+id+"/revoke", p.Token, nil); m.M(t)["status"] != "revoked" {
		t.Fatalf("disable: got %s", m.Body)
	}
	if r := e.Do("GET", org(p.OrgID), acc.Token, nil); r.Status != 404 {
		t.Fatalf("a disabled user reading the organisation: got %d, want 404", r.Status)
	}
	if m := e.Must(http.StatusOK, "POST", org(p.OrgID)+"/members/"+id+"/reactivate", p.Token, nil); m.M(t)["status"] != "active" {
		t.Fatalf("re-enable: got %s", m.Body)
	}
	e.Must(http.StatusOK, "GET", org(p.OrgID), acc.Token, nil)
	if r := e.Do("DELETE", org(p.OrgID)+"/members/"+id, p.Token, nil); r.Status != 409 || r.ErrorCode() != "not_revoked" {
		t.Fatalf("deleting an enabled user: got %d %s", r.Status, r.Body)
	}
	e.Must(http.StatusOK, "POST", org(p.OrgID)+"/members/"+id+"/revoke", p.Token, nil)
	e.Must(http.StatusNoContent, "DELETE", org(p.OrgID)+"/members/"+id, p.Token, nil)
	if r := e.Do("POST", org(p.OrgID)+"/members/"+p.MemberID+"/revoke", p.Token, nil); r.Status != 403 {
		t.Fatalf("the primary user disabling itself: got %d, want 403", r.Status)
	}

	// Added disabled at once: listed as revoked, no email, no seat.
	before := len(e.Emails())
	d := e.Must(http.StatusOK, "POST", org(p.OrgID)+"/invitations", p.Token, map[string]any{
		"emails": []string{"later@example.com"}, "first_name": "Lat", "last_name": "Er", "disabled": true})
	d.JSON(t, &b)
	if m := getMember(t, e, p.Token, p.OrgID, b.Results[0].MemberID); m.Status != "revoked" || len(e.Emails()) != before {
		t.Fatalf("added disabled: status %s, %d new emails; want revoked and none", m.Status, len(e.Emails())-before)
	}
	// Enabling one who never set a password sends the set-password link.
	if m := e.Must(http.StatusOK, "POST", org(p.OrgID)+"/members/"+b.Results[0].MemberID+"/reactivate", p.Token, nil); m.M(t)["status"] != "invited" {
		t.Fatalf("enabling a never-joined user: got %s, want invited", m.Body)
	}
	e.LastToken("later@example.com", "invite")
}

// Accounts: an address that already has an account joins at once (R4).
func TestAccountsExistingAccountJoins(t *testing.T) {
	e := New(t, "accounts")
	p := e.Signup("primary@example.com", "Org")
	other := e.Signup("other@example.com", "Theirs")
	e.Must(http.StatusOK, "POST", "/api/v1/verify-email", "", map[string]any{"token": e.LastToken("other@example.com", "verify")})
	res := e.Must(http.StatusOK, "POST", org(p.OrgID)+"/invitations", p.Token, map[string]any{
		"emails": []string{"other@example.com"}, "first_name": "Oth", "last_name": "Er"})
	var b struct{ Results []inviteResult }
	res.JSON(t, &b)
	if b.Results[0].Status != "added" {
		t.Fatalf("an existing account: got %+v, want added", b.Results[0])
	}
	if m := getMember(t, e, other.Token, p.OrgID, b.Results[0].MemberID); m.Status != "active" || m.Role != "authorised" {
		t.Fatalf("the joined account: got %+v", m)
	}
}
