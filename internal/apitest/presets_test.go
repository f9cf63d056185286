package apitest

import (
	"strings"
	"testing"

	"github.com/roster-dev/roster/client"
)

// Marketing: the organization's enforced authentication (google, okta,
// microsoft or none) is set by the settings permission and shown on every
// member; the 2FA column is empty (null) for invited members.
func TestMarketingEnforcedAuthAndTwoFactorColumns(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	ro := addMember(t, e, a, "read_only", "ro@example.com")
	pending := invite(t, e, a.Token, a.OrgID, "read_only", "pending@example.com")
	owner := e.api(a.Token)
	members := func() map[string]client.Member {
		out := map[string]client.Member{}
		for _, m := range must(owner.ListMembers(bg, a.OrgID, client.MemberQuery{}))(t).Members {
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
	sso := func(provider string) client.UpdateOrganizationRequest {
		return client.UpdateOrganizationRequest{EnforcedAuth: &provider}
	}
	if _, err := e.api(ro.Token).UpdateOrganization(bg, a.OrgID, sso("okta")); client.StatusOf(err) != 403 {
		t.Fatalf("read_only setting SSO: got %v, want 403", err)
	}
	if _, err := owner.UpdateOrganization(bg, a.OrgID, sso("saml")); client.StatusOf(err) != 422 || client.FieldOf(err) != "enforced_auth" {
		t.Fatalf("an unknown provider: got %v", err)
	}
	o := must(owner.UpdateOrganization(bg, a.OrgID, sso("okta")))(t)
	if o.EnforcedAuth == nil || *o.EnforcedAuth != "okta" {
		t.Fatalf("organization after PATCH: enforced_auth %v", o.EnforcedAuth)
	}
	for id, m := range members() {
		if m.EnforcedAuth == nil || *m.EnforcedAuth != "okta" {
			t.Fatalf("member %s: enforced_auth %v, want okta", id, m.EnforcedAuth)
		}
	}
	must(owner.UpdateOrganization(bg, a.OrgID, client.UpdateOrganizationRequest{ClearEnforcedAuth: true}))(t)
	if m := members()[ro.MemberID]; m.EnforcedAuth != nil {
		t.Fatalf("after clearing SSO: enforced_auth %v, want null", *m.EnforcedAuth)
	}
}

// Accounts (seed 004): the primary user adds a user by first name, last
// name and email, always as authorised; the email carries a set-password
// link and never a password; the new user sets its password from it.
func TestAccountsAddUser(t *testing.T) {
	t.Parallel()
	e := New(t, "accounts")
	p := e.Signup("primary@example.com", "Org")
	primary := e.api(p.Token)
	one := []string{"new@example.com"}
	for _, tc := range []struct {
		req   client.InviteRequest
		field string
	}{
		{client.InviteRequest{Emails: one, LastName: "User"}, "first_name"},
		{client.InviteRequest{Emails: one, FirstName: "New"}, "last_name"},
		{client.InviteRequest{Emails: one, FirstName: "New", LastName: "User", Role: "primary"}, "role"},
		{client.InviteRequest{Emails: []string{"a@example.com", "b@example.com"}, FirstName: "New", LastName: "User"}, "first_name"},
		{client.InviteRequest{Emails: one, FirstName: "New", LastName: "User", AgentAccess: true}, "agent_access"},
	} {
		if _, err := primary.Invite(bg, p.OrgID, tc.req); client.StatusOf(err) != 422 || client.FieldOf(err) != tc.field {
			t.Errorf("add %+v: got %v, want 422 on %s", tc.req, err, tc.field)
		}
	}
	if n := memberCount(t, e, p.Token, p.OrgID); n != 1 {
		t.Fatalf("refused additions created members: %d", n)
	}
	res, err := primary.Invite(bg, p.OrgID, client.InviteRequest{Emails: one, FirstName: "New", LastName: "User"})
	if err != nil || res[0].Status != "invited" {
		t.Fatalf("adding a user: got %+v, %v", res, err)
	}
	m := getMember(t, e, p.Token, p.OrgID, res[0].MemberID)
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
	acc := must(e.api("").AcceptInvitation(bg, client.AcceptRequest{Token: tok, Password: Password}))(t)
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
	t.Parallel()
	e := New(t, "accounts")
	p := e.Signup("primary@example.com", "Org")
	primary := e.api(p.Token)
	res := must(primary.Invite(bg, p.OrgID, client.InviteRequest{Emails: []string{"user@example.com"}, FirstName: "Una", LastName: "User"}))(t)
	tok := e.LastToken("user@example.com", "invite")
	acc := must(e.api("").AcceptInvitation(bg, client.AcceptRequest{Token: tok, Password: Password}))(t)
	user := e.api(acc.Token)
	id := res[0].MemberID

	if _, err := primary.UpdateMember(bg, p.OrgID, id, client.UpdateMemberRequest{FirstName: client.Ptr("Renamed")}); client.StatusOf(err) != 403 {
		t.Fatalf("the primary user renaming a user: got %v, want 403 (R15)", err)
	}
	if _, err := primary.UpdateMember(bg, p.OrgID, id, client.UpdateMemberRequest{Role: client.Ptr("primary")}); client.StatusOf(err) != 422 || client.FieldOf(err) != "role" {
		t.Fatalf("making a user primary: got %v, want 422", err)
	}
	must(user.UpdateMe(bg, client.UpdateMeRequest{FirstName: client.Ptr("Una-Maria")}))(t)
	if m := getMember(t, e, p.Token, p.OrgID, id); m.FirstName != "Una-Maria" {
		t.Fatalf("the user's own edit: got %q", m.FirstName)
	}

	if m := must(primary.Revoke(bg, p.OrgID, id))(t); m.Status != "revoked" {
		t.Fatalf("disable: got %+v", m)
	}
	if _, err := user.GetOrganization(bg, p.OrgID); client.StatusOf(err) != 404 {
		t.Fatalf("a disabled user reading the organisation: got %v, want 404", err)
	}
	if m := must(primary.Reactivate(bg, p.OrgID, id))(t); m.Status != "active" {
		t.Fatalf("re-enable: got %+v", m)
	}
	must(user.GetOrganization(bg, p.OrgID))(t)
	if err := primary.DeleteMember(bg, p.OrgID, id); !isErr(err, 409, "not_revoked") {
		t.Fatalf("deleting an enabled user: got %v", err)
	}
	must(primary.Revoke(bg, p.OrgID, id))(t)
	if err := primary.DeleteMember(bg, p.OrgID, id); err != nil {
		t.Fatalf("deleting a disabled user: %v", err)
	}
	if _, err := primary.Revoke(bg, p.OrgID, p.MemberID); client.StatusOf(err) != 403 {
		t.Fatalf("the primary user disabling itself: got %v, want 403", err)
	}

	// Added disabled at once: listed as revoked, no email, no seat.
	before := len(e.Emails())
	res = must(primary.Invite(bg, p.OrgID, client.InviteRequest{Emails: []string{"later@example.com"}, FirstName: "Lat", LastName: "Er", Disabled: true}))(t)
	if m := getMember(t, e, p.Token, p.OrgID, res[0].MemberID); m.Status != "revoked" || len(e.Emails()) != before {
		t.Fatalf("added disabled: status %s, %d new emails; want revoked and none", m.Status, len(e.Emails())-before)
	}
	// Enabling one who never set a password sends the set-password link.
	if m := must(primary.Reactivate(bg, p.OrgID, res[0].MemberID))(t); m.Status != "invited" {
		t.Fatalf("enabling a never-joined user: got %+v, want invited", m)
	}
	e.LastToken("later@example.com", "invite")
}

// Accounts: an address that already has an account joins at once (R4).
func TestAccountsExistingAccountJoins(t *testing.T) {
	t.Parallel()
	e := New(t, "accounts")
	p := e.Signup("primary@example.com", "Org")
	other := e.Signup("other@example.com", "Theirs")
	must(e.api("").VerifyEmail(bg, e.LastToken("other@example.com", "verify")))(t)
	res := must(e.api(p.Token).Invite(bg, p.OrgID, client.InviteRequest{Emails: []string{"other@example.com"}, FirstName: "Oth", LastName: "Er"}))(t)
	if res[0].Status != "added" {
		t.Fatalf("an existing account: got %+v, want added", res[0])
	}
	if m := getMember(t, e, other.Token, p.OrgID, res[0].MemberID); m.Status != "active" || m.Role != "authorised" {
		t.Fatalf("the joined account: got %+v", m)
	}
}
