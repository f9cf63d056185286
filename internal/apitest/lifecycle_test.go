package apitest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// R12: revoking is immediate (the organization becomes invisible, 404),
// other organizations keep working, reactivation restores role and access.
func TestR12RevokeAndReactivate(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org A")
	b := e.Signup("other-owner@example.com", "Org B")
	c1 := createClient(t, e, a.Token, a.OrgID, "Alpha")
	cl := addMember(t, e, a, "client", "both@example.com")
	setClients(e, a.Token, a.OrgID, cl.MemberID, "specific", c1)
	inB := invite(t, e, b.Token, b.OrgID, "bookkeeper", "both@example.com") // verified by acceptance: joins at once
	if inB[0].Status != "added" {
		t.Fatalf("verified account joins B at once: got %+v", inB[0])
	}

	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+cl.MemberID+"/revoke", a.Token, nil)
	for _, path := range []string{org(a.OrgID), org(a.OrgID) + "/members", org(a.OrgID) + "/clients"} {
		if r := e.Do("GET", path, cl.Token, nil); r.Status != 404 {
			t.Errorf("revoked member GET %s: got %d, want 404", path, r.Status)
		}
	}
	if d := check(t, e, a.OrgID, cl.UserID, "clients.view", c1); d.Allowed || d.Reason != "inactive" {
		t.Fatalf("check after revoke: got %+v, want inactive", d)
	}
	e.Must(http.StatusOK, "GET", org(b.OrgID), cl.Token, nil)

	m := getMember(t, e, a.Token, a.OrgID, cl.MemberID)
	o := e.Must(http.StatusOK, "GET", org(a.OrgID), a.Token, nil).M(t)
	if m.Status != "revoked" || o["seats"].(map[string]any)["used"] != float64(1) {
		t.Fatalf("revoked member: got status %s, seats %v; want revoked and not counted", m.Status, o["seats"])
	}
	if r := e.Do("POST", org(a.OrgID)+"/members/"+a.MemberID+"/revoke", a.Token, nil); r.Status != 403 {
		t.Fatalf("revoking oneself: got %d, want 403", r.Status)
	}

	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+cl.MemberID+"/reactivate", a.Token, nil)
	m = getMember(t, e, a.Token, a.OrgID, cl.MemberID)
	if m.Status != "active" || m.Role != "client" || len(m.ClientAccess.Clients) != 1 || m.ClientAccess.Clients[0] != c1 {
		t.Fatalf("reactivated: got %+v, want active client with %s", m, c1)
	}
	if d := check(t, e, a.OrgID, cl.UserID, "clients.view", c1); !d.Allowed {
		t.Fatalf("check after reactivation: got %+v", d)
	}
	if r := e.Do("POST", org(a.OrgID)+"/members/"+cl.MemberID+"/reactivate", a.Token, nil); r.Status != 409 || r.ErrorCode() != "not_revoked" {
		t.Fatalf("reactivating an active member: got %d %s, want 409 not_revoked", r.Status, r.Body)
	}
}

// R12: a revoked member who never accepted gets a fresh invitation; only a
// revoked member can be deleted; the owner cannot be.
func TestR12NeverAcceptedAndDelete(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "pending@example.com")
	id := res[0].MemberID
	old := e.LastToken("pending@example.com", "invite")
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+id+"/revoke", a.Token, nil)
	e.Clock.Advance(1e9)
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+id+"/reactivate", a.Token, nil)
	m := getMember(t, e, a.Token, a.OrgID, id)
	if m.Status != "invited" || m.Invitation == nil {
		t.Fatalf("reactivated pending member: got %+v, want invited with a fresh invitation", m)
	}
	fresh := e.LastToken("pending@example.com", "invite")
	if fresh == old {
		t.Fatalf("reactivation sent no fresh invitation")
	}
	if r := e.Do("DELETE", org(a.OrgID)+"/members/"+id, a.Token, nil); r.Status != 409 || r.ErrorCode() != "not_revoked" {
		t.Fatalf("deleting an invited member: got %d %s, want 409 not_revoked", r.Status, r.Body)
	}
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+id+"/revoke", a.Token, nil)
	e.Must(http.StatusNoContent, "DELETE", org(a.OrgID)+"/members/"+id, a.Token, nil)
	if r := e.Do("GET", org(a.OrgID)+"/members/"+id, a.Token, nil); r.Status != 404 {
		t.Fatalf("deleted member: got %d, want 404", r.Status)
	}
	admin := addMember(t, e, a, "practice_admin", "admin@example.com")
	if r := e.Do("DELETE", org(a.OrgID)+"/members/"+a.MemberID, admin.Token, nil); r.Status != 409 || r.ErrorCode() != "owner_protected" {
		t.Fatalf("deleting the owner: got %d %s, want 409 owner_protected", r.Status, r.Body)
	}
}

// R12: revoking the billing contact moves that role to the owner. (The
// transfer endpoint comes with R14; the contact is set in the store here.)
func TestR12RevokeBillingContactMovesToOwner(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
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
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+res[0].MemberID+"/revoke", a.Token, nil)
	o := e.Must(http.StatusOK, "GET", org(a.OrgID), a.Token, nil).M(t)
	if o["billing_contact_member_id"] != a.MemberID {
		t.Fatalf("billing contact after revoke: got %v, want the owner %s", o["billing_contact_member_id"], a.MemberID)
	}
}

// R15: names belong to the person: users edit their own, never another's.
func TestR15NamesBelongToThePerson(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	r := e.Do("PATCH", org(a.OrgID)+"/members/"+bk.MemberID, a.Token, map[string]any{"first_name": "Renamed"})
	if r.Status != 403 || r.ErrorCode() != "forbidden" {
		t.Fatalf("admin renaming a member: got %d %s, want 403", r.Status, r.Body)
	}
	e.Must(http.StatusOK, "PATCH", "/api/v1/me", bk.Token, map[string]any{"first_name": "Bea", "last_name": "Keeper"})
	if m := getMember(t, e, a.Token, a.OrgID, bk.MemberID); m.FirstName != "Bea" || m.LastName != "Keeper" {
		t.Fatalf("member list shows the person's names: got %s %s", m.FirstName, m.LastName)
	}
	// Names given on an invitation are used only when the account is created.
	b := e.Signup("named@example.com", "Other")
	e.Must(http.StatusOK, "POST", "/api/v1/verify-email", "", map[string]any{"token": e.LastToken("named@example.com", "verify")})
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": []string{"named@example.com"}, "first_name": "Wrong", "last_name": "Name"})
	var list struct{ Members []member }
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?q=named", a.Token, nil).JSON(t, &list)
	if len(list.Members) != 1 || list.Members[0].FirstName != "Ada" || list.Members[0].UserID == nil || *list.Members[0].UserID != b.UserID {
		t.Fatalf("existing account keeps its names: got %+v", list.Members)
	}
}

// The members list filters by role, status and text, and pages with a cursor.
func TestMembersListFiltersAndPaging(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	invite(t, e, a.Token, a.OrgID, "client", "c1@example.com", "c2@example.com", "c3@example.com")
	invite(t, e, a.Token, a.OrgID, "view_only", "viewer@example.com")
	var page struct {
		Members    []member
		NextCursor *string `json:"next_cursor"`
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?role=client,view_only&limit=2", a.Token, nil).JSON(t, &page)
	if len(page.Members) != 2 || page.NextCursor == nil {
		t.Fatalf("page 1: got %d members cursor %v", len(page.Members), page.NextCursor)
	}
	first := page.Members
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?role=client,view_only&limit=2&cursor="+*page.NextCursor, a.Token, nil).JSON(t, &page)
	if len(page.Members) != 2 || page.NextCursor != nil || page.Members[0].ID == first[1].ID {
		t.Fatalf("page 2: got %d members cursor %v", len(page.Members), page.NextCursor)
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?q=VIEWER", a.Token, nil).JSON(t, &page)
	if len(page.Members) != 1 || page.Members[0].Email != "viewer@example.com" {
		t.Fatalf("q=VIEWER: got %+v", page.Members)
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?status=active", a.Token, nil).JSON(t, &page)
	if len(page.Members) != 1 || !page.Members[0].IsOwner {
		t.Fatalf("status=active: got %+v", page.Members)
	}
	for _, q := range []string{"limit=201", "limit=0", "status=gone", "cursor=notacursor"} {
		if r := e.Do("GET", org(a.OrgID)+"/members?"+q, a.Token, nil); r.Status != 422 {
			t.Errorf("%s: got %d, want 422", q, r.Status)
		}
	}
}

// Wealth: without org.view_all a member sees only itself.
func TestWealthMembersViewPermission(t *testing.T) {
	e := New(t, "wealth")
	a := e.Signup("owner@example.com", "Org")
	u := addMember(t, e, a, "org_user", "user@example.com")
	var page struct{ Members []member }
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members", u.Token, nil).JSON(t, &page)
	if len(page.Members) != 1 || page.Members[0].ID != u.MemberID {
		t.Fatalf("org_user sees: got %d members, want only itself", len(page.Members))
	}
	if r := e.Do("GET", org(a.OrgID)+"/members/"+a.MemberID, u.Token, nil); r.Status != 404 {
		t.Fatalf("org_user reading the admin: got %d, want 404", r.Status)
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members", a.Token, nil).JSON(t, &page)
	if len(page.Members) != 2 {
		t.Fatalf("org_admin sees: got %d, want 2", len(page.Members))
	}
}

// A member's last_active_at follows its requests, refreshed at most every
// five minutes.
func TestLastActiveAt(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	var m struct {
		LastActiveAt *string `json:"last_active_at"`
	}
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members/"+bk.MemberID, a.Token, nil).JSON(t, &m)
	if m.LastActiveAt != nil {
		t.Fatalf("before any request: got %v, want null", *m.LastActiveAt)
	}
	e.Clock.Advance(time.Minute)
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members", bk.Token, nil)
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members/"+bk.MemberID, a.Token, nil).JSON(t, &m)
	if m.LastActiveAt == nil || *m.LastActiveAt != e.Clock.Now().Format(time.RFC3339) {
		t.Fatalf("after a request: got %v, want %s", m.LastActiveAt, e.Clock.Now().Format(time.RFC3339))
	}
}
