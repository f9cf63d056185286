package client_test

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roster-dev/roster/client"
	"github.com/roster-dev/roster/internal/apitest"
	"github.com/roster-dev/roster/internal/totp"
)

// TestMain runs the tests on SQLite, then on PostgreSQL where it is
// reachable, as internal/apitest does.
func TestMain(m *testing.M) { os.Exit(apitest.RunBothStores(m)) }

var ctx = context.Background()

// node starts a node with a preset and returns it with an anonymous client.
func node(t *testing.T, preset string) (*apitest.Env, *client.Client) {
	t.Helper()
	e := apitest.New(t, preset)
	return e, client.New(e.URL+"/", client.WithHTTPClient(e.Server.Client()), client.WithUserAgent("roster-client-test"))
}

func signup(t *testing.T, c *client.Client, email, org string) *client.Account {
	t.Helper()
	a, err := c.Signup(ctx, client.SignupRequest{Email: email, Password: apitest.Password, FirstName: "Ada", LastName: "Owner", OrganizationName: org})
	if err != nil {
		t.Fatalf("sign up %s: %v", email, err)
	}
	return a
}

// join invites email with role into the owner's organization and accepts
// from the emailed link with a new account.
func join(t *testing.T, e *apitest.Env, c *client.Client, owner *client.Account, role, email string) *client.Account {
	t.Helper()
	e.Clock.Advance(time.Second) // lists are ordered by creation time
	res, err := c.As(owner.Token).Invite(ctx, owner.Organization.ID, client.InviteRequest{Emails: []string{email}, Role: role})
	if err != nil || len(res) != 1 || res[0].Status != client.InviteInvited {
		t.Fatalf("invite %s: got %+v, %v", email, res, err)
	}
	a, err := c.AcceptInvitation(ctx, client.AcceptRequest{Token: e.LastToken(email, "invite"), Password: apitest.Password, FirstName: "Mem", LastName: "Ber"})
	if err != nil {
		t.Fatalf("accept %s: %v", email, err)
	}
	if a.Member.ID != res[0].MemberID {
		t.Fatalf("accepted member: got %s, want %s", a.Member.ID, res[0].MemberID)
	}
	return a
}

func apiError(t *testing.T, err error) *client.Error {
	t.Helper()
	var e *client.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want a *client.Error", err, err)
	}
	return e
}

// wantErr fails unless err is an *Error with that status, code and (when
// not "") field.
func wantErr(t *testing.T, what string, err error, status int, code, field string) *client.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %d %s", what, status, code)
	}
	e := apiError(t, err)
	if e.Status != status || e.Code != code || (field != "" && e.Field != field) {
		t.Fatalf("%s: got %d %s %q (%s), want %d %s %q", what, e.Status, e.Code, e.Field, e.Message, status, code, field)
	}
	if !client.IsCode(err, code) || client.StatusOf(err) != status || client.FieldOf(err) != e.Field {
		t.Fatalf("%s: the helpers disagree with the error %+v", what, e)
	}
	if e.RequestID == "" {
		t.Fatalf("%s: no request id in %+v", what, e)
	}
	return e
}

func TestService(t *testing.T) {
	_, c := node(t, "practice")
	if err := c.Health(ctx); err != nil {
		t.Fatalf("health: %v", err)
	}
	if err := c.Ready(ctx); err != nil {
		t.Fatalf("ready: %v", err)
	}
	doc, err := c.OpenAPI(ctx)
	if err != nil || !strings.Contains(string(doc), `"openapi"`) || !strings.Contains(string(doc), "/api/v1/orgs/{org}/members") {
		t.Fatalf("openapi: got %.80s, %v", doc, err)
	}
}

func TestAccounts(t *testing.T) {
	e, c := node(t, "practice")
	a := signup(t, c, "ada@example.com", "Acme")
	if a.Token == "" || a.User.Email != "ada@example.com" || a.Organization.Name != "Acme" || !a.Member.IsOwner || a.Organization.OwnerMemberID != a.Member.ID {
		t.Fatalf("sign-up: got %+v", a)
	}
	if a.User.EmailVerified {
		t.Fatalf("a new address is verified already")
	}
	u, err := c.VerifyEmail(ctx, e.LastToken("ada@example.com", "verify"))
	if err != nil || !u.EmailVerified {
		t.Fatalf("verify email: got %+v, %v", u, err)
	}
	_, err = c.VerifyEmail(ctx, "not-a-token")
	wantErr(t, "an unknown verify token", err, 404, client.CodeNotFound, "")
	_, err = c.Signup(ctx, client.SignupRequest{Email: "ADA@example.com", Password: apitest.Password, FirstName: "A", LastName: "B", OrganizationName: "Other"})
	wantErr(t, "signing up twice", err, 409, client.CodeEmailTaken, "")

	_, err = c.Login(ctx, client.LoginRequest{Email: "ada@example.com", Password: "wrong-password-123456"})
	wantErr(t, "a wrong password", err, 401, client.CodeInvalidCredentials, "")
	s, err := c.Login(ctx, client.LoginRequest{Email: "ada@example.com", Password: apitest.Password})
	if err != nil || s.Token == "" || s.User.ID != a.User.ID {
		t.Fatalf("login: got %+v, %v", s, err)
	}
	ada := c.As(s.Token)
	if ada.Token() != s.Token || c.Token() != "" {
		t.Fatalf("As changed the original client")
	}
	me, err := ada.Me(ctx)
	if err != nil || me.User.ID != a.User.ID || len(me.Memberships) != 1 || !me.Memberships[0].IsOwner || me.Memberships[0].Organization.ID != a.Organization.ID {
		t.Fatalf("me: got %+v, %v", me, err)
	}
	u, err = ada.UpdateMe(ctx, client.UpdateMeRequest{FirstName: client.Ptr("Grace")})
	if err != nil || u.FirstName != "Grace" || u.LastName != "Owner" {
		t.Fatalf("update me: got %+v, %v", u, err)
	}
	_, err = c.Me(ctx)
	wantErr(t, "me without a token", err, 401, client.CodeUnauthenticated, "")

	// Two-factor authentication.
	en, err := ada.BeginTOTP(ctx)
	if err != nil || !strings.HasPrefix(en.OTPAuthURL, "otpauth://totp/") {
		t.Fatalf("begin TOTP: got %+v, %v", en, err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(en.Secret))
	if err != nil {
		t.Fatal(err)
	}
	_, err = ada.ConfirmTOTP(ctx, "000000")
	wantErr(t, "a wrong confirmation code", err, 422, client.CodeValidationFailed, "")
	codes, err := ada.ConfirmTOTP(ctx, totp.Code(secret, e.Clock.Now()))
	if err != nil || len(codes) != 10 {
		t.Fatalf("confirm TOTP: got %v, %v", codes, err)
	}
	_, err = c.Login(ctx, client.LoginRequest{Email: "ada@example.com", Password: apitest.Password})
	wantErr(t, "login without the second factor", err, 401, client.CodeTOTPRequired, "")
	e.Clock.Advance(30 * time.Second)
	s, err = c.Login(ctx, client.LoginRequest{Email: "ada@example.com", Password: apitest.Password, TOTPCode: totp.Code(secret, e.Clock.Now())})
	if err != nil {
		t.Fatalf("login with a code: %v", err)
	}
	ada = c.As(s.Token)
	e.Clock.Advance(30 * time.Second)
	if err := ada.DisableTOTP(ctx, totp.Code(secret, e.Clock.Now())); err != nil {
		t.Fatalf("disable TOTP: %v", err)
	}
	if me, err := ada.Me(ctx); err != nil || me.User.TwoFactor {
		t.Fatalf("after disabling TOTP: got %+v, %v", me, err)
	}

	if err := ada.Logout(ctx); err != nil {
		t.Fatalf("logout: %v", err)
	}
	_, err = ada.Me(ctx)
	wantErr(t, "me after logout", err, 401, client.CodeUnauthenticated, "")
}

// 429 carries Retry-After: ten failed logins lock the address for a minute.
func TestRateLimitedRetryAfter(t *testing.T) {
	_, c := node(t, "practice")
	signup(t, c, "target@example.com", "Org")
	for i := range 10 {
		_, err := c.Login(ctx, client.LoginRequest{Email: "target@example.com", Password: "not-the-password-123"})
		if client.StatusOf(err) != 401 {
			t.Fatalf("attempt %d: got %v, want 401", i+1, err)
		}
	}
	_, err := c.Login(ctx, client.LoginRequest{Email: "target@example.com", Password: apitest.Password})
	if e := wantErr(t, "the right password while locked", err, 429, client.CodeRateLimited, ""); e.RetryAfter != time.Minute {
		t.Fatalf("Retry-After: got %v, want 1m", e.RetryAfter)
	}
}

func TestOrganizationAndMembers(t *testing.T) {
	e, c := node(t, "practice")
	a := signup(t, c, "owner@example.com", "Acme")
	owner := c.As(a.Token)
	orgID := a.Organization.ID

	o, err := owner.GetOrganization(ctx, orgID)
	if err != nil || o.ID != orgID || o.Plan != "standard" || o.Seats.Limit != nil || o.Seats.Used != 1 || !o.CustomRolesAvailable {
		t.Fatalf("get organization: got %+v, %v", o, err)
	}
	o, err = owner.UpdateOrganization(ctx, orgID, client.UpdateOrganizationRequest{Name: client.Ptr("Acme Ltd"), ClearEnforcedAuth: true})
	if err != nil || o.Name != "Acme Ltd" || o.EnforcedAuth != nil {
		t.Fatalf("update organization: got %+v, %v", o, err)
	}
	_, err = owner.UpdateOrganization(ctx, orgID, client.UpdateOrganizationRequest{EnforcedAuth: client.Ptr("")})
	wantErr(t, "an empty enforced_auth", err, 422, client.CodeValidationFailed, "enforced_auth")
	_, err = owner.GetOrganization(ctx, "org_nothere")
	wantErr(t, "an unknown organization", err, 404, client.CodeNotFound, "")

	mgr := join(t, e, c, a, "client_manager", "mgr@example.com")
	bk := join(t, e, c, a, "bookkeeper", "bk@example.com")

	// Invitations: per-address results; whole-call refusals.
	res, err := owner.Invite(ctx, orgID, client.InviteRequest{Emails: []string{"new@example.com", "not-an-address", "NEW@example.com", "bk@example.com"}, Role: "view_only"})
	if err != nil || len(res) != 4 {
		t.Fatalf("invite: got %+v, %v", res, err)
	}
	if res[0].Status != client.InviteInvited || res[0].AcceptURL == "" || res[1].Error == nil || res[1].Error.Code != client.CodeValidationFailed ||
		res[2].Error == nil || res[2].Error.Code != client.CodeDuplicate || res[3].Error == nil || res[3].Error.Code != client.CodeAlreadyMember {
		t.Fatalf("invite results: got %+v", res)
	}
	pending := res[0].MemberID
	_, err = owner.Invite(ctx, orgID, client.InviteRequest{Emails: []string{"x@example.com"}, Role: "no_such_role"})
	wantErr(t, "an unknown role", err, 422, client.CodeValidationFailed, "role")
	_, err = c.As(mgr.Token).Invite(ctx, orgID, client.InviteRequest{Emails: []string{"x@example.com"}, Role: "practice_admin"})
	wantErr(t, "inviting above oneself", err, 403, client.CodeEscalation, "")

	p, err := c.PreviewInvitation(ctx, e.LastToken("new@example.com", "invite"))
	if err != nil || p.Email != "new@example.com" || p.Role != "view_only" || p.Organization.ID != orgID || p.AccountExists {
		t.Fatalf("preview: got %+v, %v", p, err)
	}
	_, err = c.PreviewInvitation(ctx, "no-such-token")
	wantErr(t, "an unknown invitation", err, 404, client.CodeNotFound, "")
	e.Clock.Advance(time.Second)
	rs, err := owner.ResendInvitation(ctx, orgID, pending)
	if err != nil || rs.AcceptURL == "" || rs.Member.Status != client.StatusInvited || rs.Member.Invitation == nil {
		t.Fatalf("resend: got %+v, %v", rs, err)
	}
	_, err = owner.ResendInvitation(ctx, orgID, bk.Member.ID)
	wantErr(t, "resending to an active member", err, 409, client.CodeNotPending, "")

	// Lists, filters and paging.
	page, err := owner.ListMembers(ctx, orgID, client.MemberQuery{Limit: 2})
	if err != nil || len(page.Members) != 2 || page.NextCursor == "" {
		t.Fatalf("first page: got %+v, %v", page, err)
	}
	page, err = owner.ListMembers(ctx, orgID, client.MemberQuery{Limit: 2, Cursor: page.NextCursor})
	if err != nil || len(page.Members) != 2 || page.NextCursor != "" {
		t.Fatalf("last page: got %+v, %v", page, err)
	}
	var emails []string
	for m, err := range owner.AllMembers(ctx, orgID, client.MemberQuery{Limit: 1, Statuses: []string{client.StatusActive}}) {
		if err != nil {
			t.Fatal(err)
		}
		emails = append(emails, m.Email)
	}
	if want := []string{"owner@example.com", "mgr@example.com", "bk@example.com"}; !slices.Equal(emails, want) {
		t.Fatalf("every active member: got %v, want %v", emails, want)
	}
	page, err = owner.ListMembers(ctx, orgID, client.MemberQuery{Roles: []string{"bookkeeper", "view_only"}, Q: "example.com"})
	if err != nil || len(page.Members) != 2 {
		t.Fatalf("role filter: got %+v, %v", page, err)
	}
	_, err = owner.ListMembers(ctx, orgID, client.MemberQuery{Limit: 201})
	wantErr(t, "a limit above 200", err, 422, client.CodeValidationFailed, "limit")
	for _, err := range owner.AllMembers(ctx, "org_nothere", client.MemberQuery{}) {
		wantErr(t, "walking another organization", err, 404, client.CodeNotFound, "")
	}

	// One member: get, update, access, client access.
	m, err := owner.GetMember(ctx, orgID, bk.Member.ID)
	if err != nil || m.Email != "bk@example.com" || m.Role != "bookkeeper" || m.Status != client.StatusActive || m.ClientAccess.Mode != client.AccessAll || m.UserID == nil {
		t.Fatalf("get member: got %+v, %v", m, err)
	}
	_, err = owner.GetMember(ctx, orgID, "mem_nothere")
	wantErr(t, "an unknown member", err, 404, client.CodeNotFound, "")
	m, err = c.As(mgr.Token).UpdateMember(ctx, orgID, bk.Member.ID, client.UpdateMemberRequest{Role: client.Ptr("view_only")})
	if err != nil || m.Role != "view_only" {
		t.Fatalf("update member: got %+v, %v", m, err)
	}
	_, err = c.As(mgr.Token).UpdateMember(ctx, orgID, bk.Member.ID, client.UpdateMemberRequest{Role: client.Ptr("practice_admin")})
	wantErr(t, "promoting above oneself", err, 403, client.CodeEscalation, "")
	_, err = owner.UpdateMember(ctx, orgID, a.Member.ID, client.UpdateMemberRequest{Role: client.Ptr("bookkeeper")})
	wantErr(t, "the owner changing its own role", err, 403, client.CodeForbidden, "")
	_, err = owner.UpdateMember(ctx, orgID, bk.Member.ID, client.UpdateMemberRequest{FirstName: client.Ptr("Zed")})
	wantErr(t, "renaming another member (R15)", err, 403, client.CodeForbidden, "")

	cl, err := owner.CreateClient(ctx, orgID, client.CreateClientRequest{Name: "Alpha Ltd", ExternalID: "crm-1"})
	if err != nil || cl.Name != "Alpha Ltd" || cl.ExternalID == nil || *cl.ExternalID != "crm-1" || cl.Status != client.ClientActive {
		t.Fatalf("create client: got %+v, %v", cl, err)
	}
	m, err = owner.SetClientAccess(ctx, orgID, bk.Member.ID, client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{cl.ID}})
	if err != nil || m.ClientAccess.Mode != client.AccessSpecific || !slices.Equal(m.ClientAccess.Clients, []string{cl.ID}) {
		t.Fatalf("set client access: got %+v, %v", m, err)
	}
	_, err = owner.SetClientAccess(ctx, orgID, bk.Member.ID, client.ClientAccess{Mode: "some"})
	wantErr(t, "a bad mode", err, 422, client.CodeValidationFailed, "")
	acc, err := owner.MemberAccess(ctx, orgID, bk.Member.ID)
	if err != nil || !slices.Contains(acc.Permissions, "clients.view") || slices.Contains(acc.Permissions, "users.manage") || !slices.Equal(acc.Clients.Clients, []string{cl.ID}) {
		t.Fatalf("member access: got %+v, %v", acc, err)
	}

	// Revocation, reactivation, deletion.
	err = owner.DeleteMember(ctx, orgID, bk.Member.ID)
	wantErr(t, "deleting an active member", err, 409, client.CodeNotRevoked, "")
	if m, err = owner.Revoke(ctx, orgID, bk.Member.ID); err != nil || m.Status != client.StatusRevoked {
		t.Fatalf("revoke: got %+v, %v", m, err)
	}
	if m, err = owner.Reactivate(ctx, orgID, bk.Member.ID); err != nil || m.Status != client.StatusActive {
		t.Fatalf("reactivate: got %+v, %v", m, err)
	}
	_, err = owner.Reactivate(ctx, orgID, bk.Member.ID)
	wantErr(t, "reactivating an active member", err, 409, client.CodeNotRevoked, "")
	_, err = owner.Revoke(ctx, orgID, a.Member.ID)
	wantErr(t, "revoking oneself", err, 403, client.CodeForbidden, "")
	admin2 := join(t, e, c, a, "practice_admin", "admin2@example.com")
	_, err = c.As(admin2.Token).Revoke(ctx, orgID, a.Member.ID)
	wantErr(t, "revoking the owner", err, 409, client.CodeOwnerProtected, "")
	if _, err = owner.Revoke(ctx, orgID, pending); err != nil {
		t.Fatalf("cancel an invitation: %v", err)
	}
	if err := owner.DeleteMember(ctx, orgID, pending); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = owner.GetMember(ctx, orgID, pending)
	wantErr(t, "a deleted member", err, 404, client.CodeNotFound, "")

	// Ownership.
	_, err = owner.SetBillingContact(ctx, orgID, mgr.Member.ID)
	wantErr(t, "a billing contact in a model without one", err, 404, client.CodeNotFound, "")
	o, err = owner.TransferOwnership(ctx, orgID, mgr.Member.ID)
	if err != nil || o.OwnerMemberID != mgr.Member.ID {
		t.Fatalf("transfer ownership: got %+v, %v", o, err)
	}
}

func TestBillingContact(t *testing.T) {
	e, c := node(t, "marketing")
	a := signup(t, c, "owner@example.com", "Acme")
	m := join(t, e, c, a, "read_only", "billing@example.com")
	o, err := c.As(a.Token).SetBillingContact(ctx, a.Organization.ID, m.Member.ID)
	if err != nil || o.BillingContactMemberID == nil || *o.BillingContactMemberID != m.Member.ID {
		t.Fatalf("billing contact: got %+v, %v", o, err)
	}
}

func TestRolesAndPermissions(t *testing.T) {
	e, c := node(t, "practice")
	a := signup(t, c, "owner@example.com", "Acme")
	owner, orgID := c.As(a.Token), a.Organization.ID
	fs, err := owner.ListPermissions(ctx, orgID)
	if err != nil || len(fs) == 0 || fs[0].Key != "users" || fs[0].Permissions[0].Key != "users.manage" {
		t.Fatalf("permissions: got %+v, %v", fs, err)
	}
	roles, err := owner.ListRoles(ctx, orgID)
	if err != nil || len(roles) != 5 || roles[0].Key != "practice_admin" || !roles[0].System || len(roles[0].Members) != 1 {
		t.Fatalf("roles: got %+v, %v", roles, err)
	}
	r1, err := owner.CreateRole(ctx, orgID, client.RoleRequest{Name: client.Ptr("Auditor"), Permissions: &[]string{"clients.view"}, ClientAccess: client.Ptr(client.AccessSpecific)})
	if err != nil || r1.Key != "auditor" || r1.System || r1.ClientAccess != client.AccessSpecific {
		t.Fatalf("create role: got %+v, %v", r1, err)
	}
	r2, err := owner.CreateRole(ctx, orgID, client.RoleRequest{Name: client.Ptr("Reviewer"), Permissions: &[]string{"clients.view", "clients.feedback"}, Icon: client.Ptr("🔍")})
	if err != nil {
		t.Fatalf("create a second role: %v", err)
	}
	_, err = owner.CreateRole(ctx, orgID, client.RoleRequest{Name: client.Ptr("Auditor"), Permissions: &[]string{"clients.view"}})
	wantErr(t, "two roles of one name", err, 409, client.CodeNameTaken, "")
	_, err = owner.UpdateRole(ctx, orgID, "bookkeeper", client.RoleRequest{Description: client.Ptr("x")})
	wantErr(t, "editing a system role", err, 403, client.CodeForbidden, "")
	r1, err = owner.UpdateRole(ctx, orgID, r1.Key, client.RoleRequest{Description: client.Ptr("Reads the books")})
	if err != nil || r1.Description != "Reads the books" || r1.Name != "Auditor" {
		t.Fatalf("update role: got %+v, %v", r1, err)
	}
	mgr := join(t, e, c, a, "client_manager", "mgr@example.com")
	_, err = c.As(mgr.Token).CreateRole(ctx, orgID, client.RoleRequest{Name: client.Ptr("Payer"), Permissions: &[]string{"practice.billing"}})
	wantErr(t, "a role above oneself", err, 403, client.CodeEscalation, "")

	roles, err = owner.ReorderRoles(ctx, orgID, []string{r2.Key, r1.Key})
	if err != nil || roles[len(roles)-2].Key != r2.Key || roles[len(roles)-1].Key != r1.Key {
		t.Fatalf("reorder: got %+v, %v", roles, err)
	}
	join(t, e, c, a, r1.Key, "auditor@example.com")
	err = owner.DeleteRole(ctx, orgID, r1.Key, "")
	wantErr(t, "deleting a role in use", err, 409, client.CodeRoleInUse, "")
	if err := owner.DeleteRole(ctx, orgID, r1.Key, r2.Key); err != nil {
		t.Fatalf("delete with reassignment: %v", err)
	}
	if err := owner.DeleteRole(ctx, orgID, r2.Key, ""); client.StatusOf(err) != 409 {
		t.Fatalf("deleting the role the members moved to: got %v, want 409", err)
	}
}

func TestTeamsClientsAudit(t *testing.T) {
	_, c := node(t, "marketing")
	a := signup(t, c, "owner@example.com", "Acme")
	owner, orgID := c.As(a.Token), a.Organization.ID
	sales, err := owner.CreateTeam(ctx, orgID, "Sales")
	if err != nil || sales.Name != "Sales" || sales.Members == nil {
		t.Fatalf("create team: got %+v, %v", sales, err)
	}
	_, err = owner.CreateTeam(ctx, orgID, "sales")
	wantErr(t, "a team name taken", err, 409, client.CodeNameTaken, "")
	tp, err := owner.ListTeams(ctx, orgID, client.PageQuery{Limit: 1})
	if err != nil || len(tp.Teams) != 1 || tp.NextCursor != "" {
		t.Fatalf("teams: got %+v, %v", tp, err)
	}
	if err := owner.DeleteTeam(ctx, orgID, sales.ID); err != nil {
		t.Fatalf("delete team: %v", err)
	}
	_, err = owner.ListClients(ctx, orgID, client.ClientQuery{})
	wantErr(t, "clients in a model without them", err, 404, client.CodeNotFound, "")

	ap, err := owner.ListAudit(ctx, orgID, client.AuditQuery{Limit: 1})
	if err != nil || len(ap.Events) != 1 || ap.NextCursor == "" || ap.Events[0].Action == "" {
		t.Fatalf("audit: got %+v, %v", ap, err)
	}
	first := ap.Events[0]
	ap, err = owner.ListAudit(ctx, orgID, client.AuditQuery{Limit: 1, Cursor: ap.NextCursor})
	if err != nil || len(ap.Events) != 1 || ap.Events[0].ID == first.ID {
		t.Fatalf("audit second page: got %+v, %v", ap, err)
	}
	ap, err = owner.ListAudit(ctx, orgID, client.AuditQuery{Action: first.Action, Actor: a.User.ID})
	if err != nil || len(ap.Events) == 0 || ap.Events[0].Action != first.Action || ap.Events[0].Actor.UserID == nil || *ap.Events[0].Actor.UserID != a.User.ID {
		t.Fatalf("audit filtered by action %s: got %+v, %v", first.Action, ap, err)
	}
	if ap, err = owner.ListAudit(ctx, orgID, client.AuditQuery{MemberID: "mem_nothere"}); err != nil || len(ap.Events) != 0 {
		t.Fatalf("audit of an unknown member: got %+v, %v", ap, err)
	}
}

func TestClientsChecksAndOperator(t *testing.T) {
	e, c := node(t, "practice")
	op := c.As(apitest.OperatorToken)
	created, err := op.AdminCreateOrganization(ctx, client.CreateOrganizationRequest{Name: "Books & Co", OwnerEmail: "boss@example.com"})
	if err != nil || created.Organization.Name != "Books & Co" || created.Owner.Email != "boss@example.com" || created.AcceptURL == nil {
		t.Fatalf("admin create: got %+v, %v", created, err)
	}
	orgID := created.Organization.ID
	o, err := op.AdminSetPlan(ctx, orgID, "standard")
	if err != nil || o.Plan != "standard" {
		t.Fatalf("admin set plan: got %+v, %v", o, err)
	}
	_, err = op.AdminSetPlan(ctx, orgID, "platinum")
	wantErr(t, "an unknown plan", err, 422, client.CodeValidationFailed, "plan")
	_, err = op.AdminSetPlan(ctx, "org_nothere", "standard")
	wantErr(t, "an unknown organization", err, 404, client.CodeNotFound, "")

	boss, err := c.AcceptInvitation(ctx, client.AcceptRequest{Token: e.LastToken("boss@example.com", "invite"), Password: apitest.Password, FirstName: "Big", LastName: "Boss"})
	if err != nil || !boss.Member.IsOwner {
		t.Fatalf("the owner accepts: got %+v, %v", boss, err)
	}
	_, err = op.AdminSetPlan(ctx, orgID, "standard")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.As(boss.Token).AdminSetPlan(ctx, orgID, "standard")
	wantErr(t, "the owner changing its plan", err, 403, client.CodeForbidden, "")

	owner := c.As(boss.Token)
	c1, err := owner.CreateClient(ctx, orgID, client.CreateClientRequest{Name: "Alpha"})
	if err != nil || c1.ExternalID != nil {
		t.Fatalf("create client: got %+v, %v", c1, err)
	}
	c2, err := owner.CreateClient(ctx, orgID, client.CreateClientRequest{Name: "Beta"})
	if err != nil {
		t.Fatal(err)
	}
	c1, err = owner.UpdateClient(ctx, orgID, c1.ID, client.UpdateClientRequest{Status: client.Ptr(client.ClientArchived)})
	if err != nil || c1.Status != client.ClientArchived || c1.Name != "Alpha" {
		t.Fatalf("archive: got %+v, %v", c1, err)
	}
	cp, err := owner.ListClients(ctx, orgID, client.ClientQuery{})
	if err != nil || len(cp.Clients) != 1 || cp.Clients[0].ID != c2.ID || cp.NextCursor != "" {
		t.Fatalf("active clients: got %+v, %v", cp, err)
	}
	cp, err = owner.ListClients(ctx, orgID, client.ClientQuery{Status: "all", Limit: 1})
	if err != nil || len(cp.Clients) != 1 || cp.NextCursor == "" {
		t.Fatalf("first page of all clients: got %+v, %v", cp, err)
	}

	d, err := owner.Check(ctx, orgID, client.CheckRequest{UserID: boss.User.ID, Permission: "clients.view", ClientID: c2.ID})
	if err != nil || !d.Allowed || d.Reason != client.ReasonGranted {
		t.Fatalf("check: got %+v, %v", d, err)
	}
	_, err = owner.Check(ctx, orgID, client.CheckRequest{UserID: boss.User.ID, Permission: "clients.view"})
	wantErr(t, "a per-client check without a client", err, 422, client.CodeValidationFailed, "client_id")
	ds, err := op.CheckBatch(ctx, []client.BatchCheck{
		{OrgID: orgID, UserID: boss.User.ID, Permission: "practice.settings"},
		{OrgID: orgID, UserID: boss.User.ID, Permission: "clients.view", ClientID: "cli_nothere"},
		{OrgID: orgID, UserID: "usr_nothere", Permission: "practice.settings"},
	})
	if err != nil || len(ds) != 3 || ds[0].Reason != client.ReasonGranted || ds[1].Reason != client.ReasonUnknownClient || ds[2].Reason != client.ReasonNotMember {
		t.Fatalf("batch: got %+v, %v", ds, err)
	}
	_, err = op.CheckBatch(ctx, nil)
	wantErr(t, "an empty batch", err, 422, client.CodeValidationFailed, "checks")
	_, err = op.CheckBatch(ctx, []client.BatchCheck{{OrgID: orgID, UserID: boss.User.ID, Permission: "clients.view"}})
	wantErr(t, "a malformed batch item", err, 422, client.CodeValidationFailed, "")
	_, err = owner.CheckBatch(ctx, nil)
	wantErr(t, "a batch without the operator token", err, 403, client.CodeForbidden, "")
}

// The client sends JSON with its token, decodes any non-2xx answer, and
// never retries on its own.
func TestTransport(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.EscapedPath() {
		case "/api/v1/orgs/org_1/invitations":
			if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("Authorization") != "Bearer tok" || r.Header.Get("User-Agent") == "" {
				http.Error(w, "bad headers", http.StatusBadRequest)
				return
			}
			w.Header().Set("Retry-After", "2")
			w.Header().Set("X-Request-Id", "req-1")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, `{"error":{"code":"unavailable","message":"the service is temporarily unavailable"}}`)
		case "/api/v1/orgs/org%2F2":
			http.Error(w, "wrong escaping", http.StatusTeapot)
		default:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>bad gateway</html>")
		}
	}))
	defer srv.Close()
	c := client.New(srv.URL, client.WithToken("tok"), client.WithHTTPClient(srv.Client()))

	_, err := c.Invite(ctx, "org_1", client.InviteRequest{Emails: []string{"a@example.com"}})
	e := apiError(t, err)
	if e.Status != 503 || e.Code != client.CodeUnavailable || e.RetryAfter != 2*time.Second || e.RequestID != "req-1" {
		t.Fatalf("503: got %+v", e)
	}
	if n := hits.Load(); n != 1 {
		t.Fatalf("a refused invitation was sent %d times, want once (no silent retry)", n)
	}
	if !errors.Is(err, &client.Error{Code: client.CodeUnavailable}) || errors.Is(err, &client.Error{Code: client.CodeNotFound}) ||
		!errors.Is(err, &client.Error{Code: client.CodeUnavailable, Status: 503}) {
		t.Fatalf("errors.Is by code: wrong for %v", err)
	}
	if got := e.Error(); got != "roster: 503 unavailable: the service is temporarily unavailable" {
		t.Fatalf("message: got %q", got)
	}

	_, err = c.GetMember(ctx, "org_1", "mem_1")
	e = apiError(t, err)
	if e.Status != 502 || e.Code != "" || !strings.Contains(e.Message, "bad gateway") {
		t.Fatalf("an answer not in the contract's shape: got %+v", e)
	}
	_, err = c.GetOrganization(ctx, "org/2")
	if client.StatusOf(err) != http.StatusTeapot {
		t.Fatalf("path escaping: got %v", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.Me(cancelled)
	if !errors.Is(err, context.Canceled) || client.StatusOf(err) != 0 {
		t.Fatalf("a cancelled context: got %v", err)
	}
}

// UpdateOrganizationRequest tells an absent enforced_auth from null.
func TestUpdateOrganizationJSON(t *testing.T) {
	for _, tc := range []struct {
		req  client.UpdateOrganizationRequest
		want string
	}{
		{client.UpdateOrganizationRequest{}, `{}`},
		{client.UpdateOrganizationRequest{Name: client.Ptr("A")}, `{"name":"A"}`},
		{client.UpdateOrganizationRequest{EnforcedAuth: client.Ptr("okta")}, `{"enforced_auth":"okta"}`},
		{client.UpdateOrganizationRequest{ClearEnforcedAuth: true}, `{"enforced_auth":null}`},
	} {
		got, err := tc.req.MarshalJSON()
		if err != nil || string(got) != tc.want {
			t.Errorf("%+v: got %s, %v, want %s", tc.req, got, err, tc.want)
		}
	}
}

// The package is for outside users: it imports the standard library only.
func TestStandardLibraryOnly(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range parsed.Imports {
			path := strings.Trim(imp.Path.Value, `"`)
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s: the client uses the standard library only", f, path)
			}
		}
	}
}
