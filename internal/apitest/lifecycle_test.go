package apitest

import (
	"context"
	"testing"
	"time"

	"github.com/roster-dev/roster/client"
	"github.com/roster-dev/roster/internal/roster"
)

// R12: revoking is immediate (the organization becomes invisible, 404),
// other organizations keep working, reactivation restores role and access.
func TestR12RevokeAndReactivate(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org A")
	b := e.Signup("other-owner@example.com", "Org B")
	owner := e.api(a.Token)
	c1 := createClient(t, e, a.Token, a.OrgID, "Alpha")
	cl := addMember(t, e, a, "client", "both@example.com")
	must(owner.SetClientAccess(bg, a.OrgID, cl.MemberID, client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{c1}}))(t)
	inB := invite(t, e, b.Token, b.OrgID, "bookkeeper", "both@example.com") // verified by acceptance: joins at once
	if inB[0].Status != "added" {
		t.Fatalf("verified account joins B at once: got %+v", inB[0])
	}

	must(owner.Revoke(bg, a.OrgID, cl.MemberID))(t)
	revoked := e.api(cl.Token)
	for path, call := range map[string]func() error{
		"org":     func() error { _, err := revoked.GetOrganization(bg, a.OrgID); return err },
		"members": func() error { _, err := revoked.ListMembers(bg, a.OrgID, client.MemberQuery{}); return err },
		"clients": func() error { _, err := revoked.ListClients(bg, a.OrgID, client.ClientQuery{}); return err },
	} {
		if err := call(); client.StatusOf(err) != 404 {
			t.Errorf("revoked member GET %s: got %v, want 404", path, err)
		}
	}
	if d := check(t, e, a.OrgID, cl.UserID, "clients.view", c1); d.Allowed || d.Reason != "inactive" {
		t.Fatalf("check after revoke: got %+v, want inactive", d)
	}
	must(revoked.GetOrganization(bg, b.OrgID))(t)

	m := getMember(t, e, a.Token, a.OrgID, cl.MemberID)
	o := must(owner.GetOrganization(bg, a.OrgID))(t)
	if m.Status != "revoked" || o.Seats.Used != 1 {
		t.Fatalf("revoked member: got status %s, seats %+v; want revoked and not counted", m.Status, o.Seats)
	}
	if _, err := owner.Revoke(bg, a.OrgID, a.MemberID); client.StatusOf(err) != 403 {
		t.Fatalf("revoking oneself: got %v, want 403", err)
	}

	must(owner.Reactivate(bg, a.OrgID, cl.MemberID))(t)
	m = getMember(t, e, a.Token, a.OrgID, cl.MemberID)
	if m.Status != "active" || m.Role != "client" || len(m.ClientAccess.Clients) != 1 || m.ClientAccess.Clients[0] != c1 {
		t.Fatalf("reactivated: got %+v, want active client with %s", m, c1)
	}
	if d := check(t, e, a.OrgID, cl.UserID, "clients.view", c1); !d.Allowed {
		t.Fatalf("check after reactivation: got %+v", d)
	}
	if _, err := owner.Reactivate(bg, a.OrgID, cl.MemberID); !isErr(err, 409, "not_revoked") {
		t.Fatalf("reactivating an active member: got %v, want 409 not_revoked", err)
	}
}

// R12: a revoked member who never accepted gets a fresh invitation; only a
// revoked member can be deleted; the owner cannot be.
func TestR12NeverAcceptedAndDelete(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	owner := e.api(a.Token)
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "pending@example.com")
	id := res[0].MemberID
	old := e.LastToken("pending@example.com", "invite")
	must(owner.Revoke(bg, a.OrgID, id))(t)
	e.Clock.Advance(1e9)
	must(owner.Reactivate(bg, a.OrgID, id))(t)
	m := getMember(t, e, a.Token, a.OrgID, id)
	if m.Status != "invited" || m.Invitation == nil {
		t.Fatalf("reactivated pending member: got %+v, want invited with a fresh invitation", m)
	}
	fresh := e.LastToken("pending@example.com", "invite")
	if fresh == old {
		t.Fatalf("reactivation sent no fresh invitation")
	}
	if err := owner.DeleteMember(bg, a.OrgID, id); !isErr(err, 409, "not_revoked") {
		t.Fatalf("deleting an invited member: got %v, want 409 not_revoked", err)
	}
	must(owner.Revoke(bg, a.OrgID, id))(t)
	if err := owner.DeleteMember(bg, a.OrgID, id); err != nil {
		t.Fatalf("deleting a revoked member: %v", err)
	}
	if _, err := owner.GetMember(bg, a.OrgID, id); client.StatusOf(err) != 404 {
		t.Fatalf("deleted member: got %v, want 404", err)
	}
	admin := addMember(t, e, a, "practice_admin", "admin@example.com")
	if err := e.api(admin.Token).DeleteMember(bg, a.OrgID, a.MemberID); !isErr(err, 409, "owner_protected") {
		t.Fatalf("deleting the owner: got %v, want 409 owner_protected", err)
	}
}

// R12: revoking the billing contact moves that role to the owner. (The
// contact is set in the store here, whatever the billing-contact rules.)
func TestR12RevokeBillingContactMovesToOwner(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	owner := e.api(a.Token)
	res := invite(t, e, a.Token, a.OrgID, "read_only", "payer@example.com")
	ctx := context.Background()
	err := e.App.Store.WithTx(ctx, func(tx roster.Tx) error {
		o, err := tx.LockOrganization(ctx, roster.OrgID(a.OrgID))
		if err != nil {
			return err
		}
		o.BillingContact = roster.MemberID(res[0].MemberID)
		return tx.UpdateOrganization(ctx, o)
	})
	if err != nil {
		t.Fatal(err)
	}
	must(owner.Revoke(bg, a.OrgID, res[0].MemberID))(t)
	o := must(owner.GetOrganization(bg, a.OrgID))(t)
	if o.BillingContactMemberID == nil || *o.BillingContactMemberID != a.MemberID {
		t.Fatalf("billing contact after revoke: got %v, want the owner %s", o.BillingContactMemberID, a.MemberID)
	}
}

// R15: names belong to the person: users edit their own, never another's.
func TestR15NamesBelongToThePerson(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	owner := e.api(a.Token)
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	_, err := owner.UpdateMember(bg, a.OrgID, bk.MemberID, client.UpdateMemberRequest{FirstName: client.Ptr("Renamed")})
	if !isErr(err, 403, "forbidden") {
		t.Fatalf("admin renaming a member: got %v, want 403", err)
	}
	must(e.api(bk.Token).UpdateMe(bg, client.UpdateMeRequest{FirstName: client.Ptr("Bea"), LastName: client.Ptr("Keeper")}))(t)
	if m := getMember(t, e, a.Token, a.OrgID, bk.MemberID); m.FirstName != "Bea" || m.LastName != "Keeper" {
		t.Fatalf("member list shows the person's names: got %s %s", m.FirstName, m.LastName)
	}
	// Names given on an invitation are used only when the account is created.
	b := e.Signup("named@example.com", "Other")
	must(e.api("").VerifyEmail(bg, e.LastToken("named@example.com", "verify")))(t)
	must(owner.Invite(bg, a.OrgID, client.InviteRequest{Emails: []string{"named@example.com"}, FirstName: "Wrong", LastName: "Name"}))(t)
	list := must(owner.ListMembers(bg, a.OrgID, client.MemberQuery{Q: "named"}))(t)
	if len(list.Members) != 1 || list.Members[0].FirstName != "Ada" || list.Members[0].UserID == nil || *list.Members[0].UserID != b.UserID {
		t.Fatalf("existing account keeps its names: got %+v", list.Members)
	}
}

// The members list filters by role, status and text, and pages with a cursor.
func TestMembersListFiltersAndPaging(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	owner := e.api(a.Token)
	invite(t, e, a.Token, a.OrgID, "client", "c1@example.com", "c2@example.com", "c3@example.com")
	invite(t, e, a.Token, a.OrgID, "view_only", "viewer@example.com")
	q := client.MemberQuery{Roles: []string{"client", "view_only"}, Limit: 2}
	page := must(owner.ListMembers(bg, a.OrgID, q))(t)
	if len(page.Members) != 2 || page.NextCursor == "" {
		t.Fatalf("page 1: got %d members cursor %q", len(page.Members), page.NextCursor)
	}
	first := page.Members
	q.Cursor = page.NextCursor
	page = must(owner.ListMembers(bg, a.OrgID, q))(t)
	if len(page.Members) != 2 || page.NextCursor != "" || page.Members[0].ID == first[1].ID {
		t.Fatalf("page 2: got %d members cursor %q", len(page.Members), page.NextCursor)
	}
	page = must(owner.ListMembers(bg, a.OrgID, client.MemberQuery{Q: "VIEWER"}))(t)
	if len(page.Members) != 1 || page.Members[0].Email != "viewer@example.com" {
		t.Fatalf("q=VIEWER: got %+v", page.Members)
	}
	page = must(owner.ListMembers(bg, a.OrgID, client.MemberQuery{Statuses: []string{client.StatusActive}}))(t)
	if len(page.Members) != 1 || !page.Members[0].IsOwner {
		t.Fatalf("status=active: got %+v", page.Members)
	}
	for name, q := range map[string]client.MemberQuery{
		"limit=201":         {Limit: 201},
		"status=gone":       {Statuses: []string{"gone"}},
		"cursor=notacursor": {Cursor: "notacursor"},
	} {
		if _, err := owner.ListMembers(bg, a.OrgID, q); client.StatusOf(err) != 422 {
			t.Errorf("%s: got %v, want 422", name, err)
		}
	}
	// limit=0, which the typed client leaves out (0 is its default).
	if r := e.Do("GET", org(a.OrgID)+"/members?limit=0", a.Token, nil); r.Status != 422 {
		t.Errorf("limit=0: got %d, want 422", r.Status)
	}
}

// Wealth: without org.view_all a member sees only itself.
func TestWealthMembersViewPermission(t *testing.T) {
	t.Parallel()
	e := New(t, "wealth")
	a := e.Signup("owner@example.com", "Org")
	u := addMember(t, e, a, "org_user", "user@example.com")
	user := e.api(u.Token)
	page := must(user.ListMembers(bg, a.OrgID, client.MemberQuery{}))(t)
	if len(page.Members) != 1 || page.Members[0].ID != u.MemberID {
		t.Fatalf("org_user sees: got %d members, want only itself", len(page.Members))
	}
	if _, err := user.GetMember(bg, a.OrgID, a.MemberID); client.StatusOf(err) != 404 {
		t.Fatalf("org_user reading the admin: got %v, want 404", err)
	}
	page = must(e.api(a.Token).ListMembers(bg, a.OrgID, client.MemberQuery{}))(t)
	if len(page.Members) != 2 {
		t.Fatalf("org_admin sees: got %d, want 2", len(page.Members))
	}
}

// A member's last_active_at follows its requests, refreshed at most every
// five minutes.
func TestLastActiveAt(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	m := getMember(t, e, a.Token, a.OrgID, bk.MemberID)
	if m.LastActiveAt != nil {
		t.Fatalf("before any request: got %v, want null", *m.LastActiveAt)
	}
	e.Clock.Advance(time.Minute)
	must(e.api(bk.Token).ListMembers(bg, a.OrgID, client.MemberQuery{}))(t)
	m = getMember(t, e, a.Token, a.OrgID, bk.MemberID)
	if m.LastActiveAt == nil || !m.LastActiveAt.Equal(e.Clock.Now().Truncate(time.Second)) {
		t.Fatalf("after a request: got %v, want %s", m.LastActiveAt, e.Clock.Now().Format(time.RFC3339))
	}
}
