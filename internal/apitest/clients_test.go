package apitest

import (
	"slices"
	"testing"

	"github.com/roster-dev/roster/client"
)

// R10, R11: each role's client-access rule, narrowing, archived clients,
// clients created later.
func TestR10R11ClientAccess(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	owner, op := e.api(a.Token), e.api(OperatorToken)
	newClient := func(name string) string {
		t.Helper()
		return must(owner.CreateClient(bg, a.OrgID, client.CreateClientRequest{Name: name}))(t).ID
	}
	decide := func(userID, perm, clientID string) client.Decision {
		t.Helper()
		return *must(op.Check(bg, a.OrgID, client.CheckRequest{UserID: userID, Permission: perm, ClientID: clientID}))(t)
	}
	access := func(memberID string) client.ClientAccess {
		t.Helper()
		return must(owner.GetMember(bg, a.OrgID, memberID))(t).ClientAccess
	}
	c1 := newClient("Alpha Ltd")
	c2 := newClient("Beta Ltd")
	mgr := addMember(t, e, a, "client_manager", "mgr@example.com")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	cl := addMember(t, e, a, "client", "client@example.com")
	specific := func(ids ...string) client.ClientAccess {
		return client.ClientAccess{Mode: client.AccessSpecific, Clients: ids}
	}

	if m := access(bk.MemberID); m.Mode != "all" {
		t.Fatalf("bookkeeper by default: got %s, want all", m.Mode)
	}
	if m := access(cl.MemberID); m.Mode != "specific" || len(m.Clients) != 0 {
		t.Fatalf("client role: got %+v, want specific and none", m)
	}
	if d := decide(cl.UserID, "clients.view", c1); d.Allowed || d.Reason != "client_not_assigned" {
		t.Fatalf("unassigned client: got %+v, want client_not_assigned", d)
	}

	// Refusals: mode all for a specific role; narrowing an all role; an unknown client.
	for _, tc := range []struct {
		name   string
		member string
		access client.ClientAccess
	}{
		{"all for client role", cl.MemberID, client.ClientAccess{Mode: "all"}},
		{"narrow client_manager", mgr.MemberID, specific(c1)},
		{"unknown client", cl.MemberID, specific("cli_nothere")},
		{"bad mode", cl.MemberID, client.ClientAccess{Mode: "some"}},
		{"clients with mode all set", bk.MemberID, client.ClientAccess{Mode: "all", Clients: []string{c1}}},
	} {
		_, err := owner.SetClientAccess(bg, a.OrgID, tc.member, tc.access)
		if st, code, _ := apiErr(err); st != 422 || code != "validation_failed" {
			t.Errorf("%s: got %v, want 422", tc.name, err)
		}
	}
	if _, err := e.api(bk.Token).SetClientAccess(bg, a.OrgID, cl.MemberID, specific(c1)); client.StatusOf(err) != 403 {
		t.Errorf("bookkeeper assigning: got %v, want 403", err)
	}

	// Assign c1 to the client user, narrow the bookkeeper to c2.
	if _, err := e.api(mgr.Token).SetClientAccess(bg, a.OrgID, cl.MemberID, specific(c1)); err != nil {
		t.Fatalf("assign: %v", err)
	}
	must(owner.SetClientAccess(bg, a.OrgID, bk.MemberID, specific(c2)))(t)
	cases := []struct {
		who, client string
		user        string
		want        string
	}{
		{"client on c1", c1, cl.UserID, "granted"},
		{"client on c2", c2, cl.UserID, "client_not_assigned"},
		{"narrowed bookkeeper on c1", c1, bk.UserID, "client_not_assigned"},
		{"narrowed bookkeeper on c2", c2, bk.UserID, "granted"},
		{"manager on c1", c1, mgr.UserID, "granted"},
		{"unknown client", "cli_unknown", mgr.UserID, "unknown_client"},
	}
	for _, c := range cases {
		if d := decide(c.user, "clients.view", c.client); d.Reason != c.want {
			t.Errorf("%s: got %+v, want %s", c.who, d, c.want)
		}
	}

	// Archived clients stay granted; a new client is visible at once to
	// all-clients members and to no restricted member.
	must(owner.UpdateClient(bg, a.OrgID, c1, client.UpdateClientRequest{Status: client.Ptr("archived")}))(t)
	if d := decide(cl.UserID, "clients.view", c1); !d.Allowed {
		t.Fatalf("archived client: got %+v, want granted", d)
	}
	c3 := newClient("Gamma Ltd")
	if d := decide(mgr.UserID, "clients.settings", c3); !d.Allowed {
		t.Fatalf("new client for all-access manager: got %+v", d)
	}
	if d := decide(cl.UserID, "clients.view", c3); d.Allowed {
		t.Fatalf("new client for a restricted member: got %+v, want denied", d)
	}
	// Past clients can still be assigned.
	if _, err := owner.SetClientAccess(bg, a.OrgID, cl.MemberID, specific(c1, c3)); err != nil {
		t.Fatalf("assign archived client: %v", err)
	}

	// The clients list shows only what the caller sees.
	list := must(e.api(cl.Token).ListClients(bg, a.OrgID, client.ClientQuery{Status: "all"}))(t)
	var ids []string
	for _, c := range list.Clients {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	want := []string{c1, c3}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("client user's list: got %v, want [%s %s]", ids, c1, c3)
	}

	// R11: on a role change the list is kept and the mode follows the new role.
	must(owner.UpdateMember(bg, a.OrgID, cl.MemberID, client.UpdateMemberRequest{Role: client.Ptr("client_manager")}))(t)
	m := access(cl.MemberID)
	if m.Mode != "all" || !slices.Equal(m.Clients, []string{c1, c3}) {
		t.Fatalf("after change to client_manager: got %+v, want all with the list kept", m)
	}
	must(owner.UpdateMember(bg, a.OrgID, cl.MemberID, client.UpdateMemberRequest{Role: client.Ptr("client")}))(t)
	if d := decide(cl.UserID, "clients.view", c2); d.Allowed {
		t.Fatalf("back to client role: got %+v, want only the kept list", d)
	}
}

// R11: a check of a per-client permission names the client (422 without);
// an organization-wide one ignores it.
func TestR11CheckClientRules(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	_, err := e.api(a.Token).Check(bg, a.OrgID, client.CheckRequest{UserID: a.UserID, Permission: "clients.view"})
	if st, _, field := apiErr(err); st != 422 || field != "client_id" {
		t.Fatalf("per-client without client: got %v, want 422 on client_id", err)
	}
	d, err := e.api(OperatorToken).Check(bg, a.OrgID, client.CheckRequest{UserID: a.UserID, Permission: "practice.settings", ClientID: "cli_whatever"})
	if err != nil || !d.Allowed {
		t.Fatalf("org-wide with a client: got %+v, %v, want granted", d, err)
	}
}

// Models without clients have no /clients (404).
func TestNoClientsInMarketing(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Org")
	if _, err := e.api(a.Token).ListClients(bg, a.OrgID, client.ClientQuery{}); client.StatusOf(err) != 404 {
		t.Fatalf("got %v, want 404", err)
	}
}
