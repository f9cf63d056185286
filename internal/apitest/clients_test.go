package apitest

import (
	"net/http"
	"slices"
	"testing"
)

func setClients(e *Env, token, orgID, memberID, mode string, clients ...string) *Resp {
	if clients == nil {
		clients = []string{}
	}
	return e.Do("PUT", org(orgID)+"/members/"+memberID+"/clients", token, map[string]any{"mode": mode, "clients": clients})
}

// R10, R11: each role's client-access rule, narrowing, archived clients,
// clients created later.
func TestR10R11ClientAccess(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	c1 := createClient(t, e, a.Token, a.OrgID, "Alpha Ltd")
	c2 := createClient(t, e, a.Token, a.OrgID, "Beta Ltd")
	mgr := addMember(t, e, a, "client_manager", "mgr@example.com")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	cl := addMember(t, e, a, "client", "client@example.com")

	if m := getMember(t, e, a.Token, a.OrgID, bk.MemberID); m.ClientAccess.Mode != "all" {
		t.Fatalf("bookkeeper by default: got %s, want all", m.ClientAccess.Mode)
	}
	if m := getMember(t, e, a.Token, a.OrgID, cl.MemberID); m.ClientAccess.Mode != "specific" || len(m.ClientAccess.Clients) != 0 {
		t.Fatalf("client role: got %+v, want specific and none", m.ClientAccess)
	}
	if d := check(t, e, a.OrgID, cl.UserID, "clients.view", c1); d.Allowed || d.Reason != "client_not_assigned" {
		t.Fatalf("unassigned client: got %+v, want client_not_assigned", d)
	}

	// Refusals: mode all for a specific role; narrowing an all role; an unknown client.
	for name, r := range map[string]*Resp{
		"all for client role":       setClients(e, a.Token, a.OrgID, cl.MemberID, "all"),
		"narrow client_manager":     setClients(e, a.Token, a.OrgID, mgr.MemberID, "specific", c1),
		"unknown client":            setClients(e, a.Token, a.OrgID, cl.MemberID, "specific", "cli_nothere"),
		"bad mode":                  setClients(e, a.Token, a.OrgID, cl.MemberID, "some"),
		"clients with mode all set": setClients(e, a.Token, a.OrgID, bk.MemberID, "all", c1),
	} {
		if r.Status != 422 || r.ErrorCode() != "validation_failed" {
			t.Errorf("%s: got %d %s, want 422", name, r.Status, r.Body)
		}
	}
	if r := setClients(e, bk.Token, a.OrgID, cl.MemberID, "specific", c1); r.Status != 403 {
		t.Errorf("bookkeeper assigning: got %d, want 403", r.Status)
	}

	// Assign c1 to the client user, narrow the bookkeeper to c2.
	if r := setClients(e, mgr.Token, a.OrgID, cl.MemberID, "specific", c1); r.Status != 200 {
		t.Fatalf("assign: got %d %s", r.Status, r.Body)
	}
	setClients(e, a.Token, a.OrgID, bk.MemberID, "specific", c2)
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
		if d := check(t, e, a.OrgID, c.user, "clients.view", c.client); d.Reason != c.want {
			t.Errorf("%s: got %+v, want %s", c.who, d, c.want)
		}
	}

	// Archived clients stay granted; a new client is visible at once to
	// all-clients members and to no restricted member.
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/clients/"+c1, a.Token, map[string]any{"status": "archived"})
	if d := check(t, e, a.OrgID, cl.UserID, "clients.view", c1); !d.Allowed {
		t.Fatalf("archived client: got %+v, want granted", d)
	}
	c3 := createClient(t, e, a.Token, a.OrgID, "Gamma Ltd")
	if d := check(t, e, a.OrgID, mgr.UserID, "clients.settings", c3); !d.Allowed {
		t.Fatalf("new client for all-access manager: got %+v", d)
	}
	if d := check(t, e, a.OrgID, cl.UserID, "clients.view", c3); d.Allowed {
		t.Fatalf("new client for a restricted member: got %+v, want denied", d)
	}
	// Past clients can still be assigned.
	if r := setClients(e, a.Token, a.OrgID, cl.MemberID, "specific", c1, c3); r.Status != 200 {
		t.Fatalf("assign archived client: got %d %s", r.Status, r.Body)
	}

	// The clients list shows only what the caller sees.
	var list struct{ Clients []struct{ ID string } }
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/clients?status=all", cl.Token, nil).JSON(t, &list)
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
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+cl.MemberID, a.Token, map[string]any{"role": "client_manager"})
	m := getMember(t, e, a.Token, a.OrgID, cl.MemberID)
	if m.ClientAccess.Mode != "all" || !slices.Equal(m.ClientAccess.Clients, []string{c1, c3}) {
		t.Fatalf("after change to client_manager: got %+v, want all with the list kept", m.ClientAccess)
	}
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+cl.MemberID, a.Token, map[string]any{"role": "client"})
	if d := check(t, e, a.OrgID, cl.UserID, "clients.view", c2); d.Allowed {
		t.Fatalf("back to client role: got %+v, want only the kept list", d)
	}
}

// R11: a check of a per-client permission names the client (422 without);
// an organization-wide one ignores it.
func TestR11CheckClientRules(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	r := e.Do("POST", org(a.OrgID)+"/check", a.Token, map[string]any{"user_id": a.UserID, "permission": "clients.view"})
	if r.Status != 422 || r.ErrorField() != "client_id" {
		t.Fatalf("per-client without client: got %d %s, want 422 on client_id", r.Status, r.Body)
	}
	if d := check(t, e, a.OrgID, a.UserID, "practice.settings", "cli_whatever"); !d.Allowed {
		t.Fatalf("org-wide with a client: got %+v, want granted", d)
	}
}

// Models without clients have no /clients (404).
func TestNoClientsInMarketing(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Org")
	if r := e.Do("GET", org(a.OrgID)+"/clients", a.Token, nil); r.Status != 404 {
		t.Fatalf("got %d, want 404", r.Status)
	}
}
