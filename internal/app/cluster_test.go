package app_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roster-dev/roster/internal/apitest"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/model"
	"github.com/roster-dev/roster/internal/pgtest"
	"github.com/roster-dev/roster/internal/postgres"
	"github.com/roster-dev/roster/internal/roster"
)

// The tests of this file run several in-process nodes (app.New through
// apitest.NewOn, each with its own HTTP server and mail directory) on one
// PostgreSQL database, as Roster runs behind a load balancer.

// propagationLimit is rule R7: a change is in force on every other node
// within 1 second.
const propagationLimit = time.Second

// cluster starts n nodes on a fresh database.
func cluster(t *testing.T, n int, opts ...apitest.Option) (db string, nodes []*apitest.Env) {
	t.Helper()
	// 8 connections per node, not 16, so that clusters stay well under the
	// server's 100 while other packages' tests use it too; pool_max_conns
	// in the URL is also what operators set.
	db = pgtest.NewDatabase(t)
	for range n {
		nodes = append(nodes, apitest.NewOn(t, "practice", withParam(t, db, "pool_max_conns", "8"), opts...))
	}
	return db, nodes
}

// withParam adds a query parameter to a database URL.
func withParam(t *testing.T, db, key, value string) string {
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// decision is one answer of POST /api/v1/check (operator token).
type decision struct {
	status  int
	allowed bool
	reason  string
	code    string
}

func check(e *apitest.Env, org, user, perm, client string) decision {
	e.T.Helper()
	item := map[string]any{"org_id": org, "user_id": user, "permission": perm}
	if client != "" {
		item["client_id"] = client
	}
	r := e.Do("POST", "/api/v1/check", apitest.OperatorToken, map[string]any{"checks": []any{item}})
	d := decision{status: r.Status, code: r.ErrorCode()}
	if r.Status == http.StatusOK {
		var b struct {
			Results []struct {
				Allowed bool   `json:"allowed"`
				Reason  string `json:"reason"`
			} `json:"results"`
		}
		r.JSON(e.T, &b)
		d.allowed, d.reason = b.Results[0].Allowed, b.Results[0].Reason
	}
	return d
}

// waitAll polls every node until want holds on it and returns the time
// the slowest took, failing the test when one exceeds limit.
func waitAll(t *testing.T, what string, limit time.Duration, nodes []*apitest.Env, want func(e *apitest.Env) bool) time.Duration {
	t.Helper()
	start := time.Now()
	var slowest time.Duration
	for i, e := range nodes {
		for !want(e) {
			if time.Since(start) > limit {
				t.Fatalf("%s: node %d still not in step after %v", what, i, limit)
			}
			time.Sleep(2 * time.Millisecond)
		}
		slowest = max(slowest, time.Since(start))
	}
	return slowest
}

// member invites email with role on e and accepts from the emailed link.
func member(t *testing.T, e *apitest.Env, owner apitest.Account, role, email string) (userID, memberID string) {
	t.Helper()
	e.Must(http.StatusOK, "POST", "/api/v1/orgs/"+owner.OrgID+"/invitations", owner.Token, map[string]any{"emails": []string{email}, "role": role})
	tok := e.LastToken(email, "invite")
	r := e.Must(http.StatusOK, "POST", "/api/v1/invitations/accept", "", map[string]any{
		"token": tok, "password": apitest.Password, "first_name": "Mem", "last_name": "Ber",
	})
	var b struct {
		User   struct{ ID string }
		Member struct{ ID string }
	}
	r.JSON(t, &b)
	return b.User.ID, b.Member.ID
}

func createClient(t *testing.T, e *apitest.Env, owner apitest.Account, name string) string {
	t.Helper()
	var c struct{ ID string }
	e.Must(http.StatusCreated, "POST", "/api/v1/orgs/"+owner.OrgID+"/clients", owner.Token, map[string]any{"name": name}).JSON(t, &c)
	return c.ID
}

// TestClusterPropagation is rule R7 and R12, docs/security.md item 8: a change
// committed on node A is in force on B and C within 1 second, for each kind
// of change the index holds.
func TestClusterPropagation(t *testing.T) {
	_, nodes := cluster(t, 3)
	a, others := nodes[0], nodes[1:]
	owner := a.Signup("owner@example.com", "Org")
	acme, beta := createClient(t, a, owner, "Acme"), createClient(t, a, owner, "Beta")
	bob, bobMember := member(t, a, owner, "bookkeeper", "bob@example.com")
	waitAll(t, "new member", propagationLimit, others, func(e *apitest.Env) bool {
		return check(e, owner.OrgID, bob, "clients.view", beta).allowed
	})
	mpath := "/api/v1/orgs/" + owner.OrgID + "/members/" + bobMember

	var gamma, auditor string
	steps := []struct {
		name   string
		setup  func() // made and propagated before the change; may be nil
		change func()
		want   func(e *apitest.Env) bool
	}{
		{"client assignment", nil, func() {
			a.Must(http.StatusOK, "PUT", mpath+"/clients", owner.Token, map[string]any{"mode": "specific", "clients": []string{acme}})
		}, func(e *apitest.Env) bool {
			d := check(e, owner.OrgID, bob, "clients.view", beta)
			return !d.allowed && d.reason == "client_not_assigned" && check(e, owner.OrgID, bob, "clients.view", acme).allowed
		}},
		{"new client", nil, func() { gamma = createClient(t, a, owner, "Gamma") }, func(e *apitest.Env) bool {
			// The owner sees every client: allowed once the node knows it.
			return gamma != "" && check(e, owner.OrgID, owner.UserID, "clients.view", gamma).allowed
		}},
		{"role change", nil, func() {
			a.Must(http.StatusOK, "PATCH", mpath, owner.Token, map[string]any{"role": "client_manager"})
		}, func(e *apitest.Env) bool { return check(e, owner.OrgID, bob, "users.manage", "").allowed }},
		{"custom role edit", func() {
			var r struct{ Key string }
			a.Must(http.StatusCreated, "POST", "/api/v1/orgs/"+owner.OrgID+"/roles", owner.Token, map[string]any{
				"name": "Auditor", "permissions": []string{"users.manage", "clients.view"}}).JSON(t, &r)
			auditor = r.Key
			a.Must(http.StatusOK, "PATCH", mpath, owner.Token, map[string]any{"role": auditor})
		}, func() {
			a.Must(http.StatusOK, "PATCH", "/api/v1/orgs/"+owner.OrgID+"/roles/"+auditor, owner.Token, map[string]any{"permissions": []string{"clients.view"}})
		}, func(e *apitest.Env) bool {
			d := check(e, owner.OrgID, bob, "users.manage", "")
			return !d.allowed && d.reason == "missing_permission"
		}},
		{"revocation", nil, func() { a.Must(http.StatusOK, "POST", mpath+"/revoke", owner.Token, nil) }, func(e *apitest.Env) bool {
			d := check(e, owner.OrgID, bob, "users.manage", "")
			return !d.allowed && d.reason == "inactive"
		}},
	}
	for _, s := range steps {
		if s.setup != nil {
			s.setup()
			waitAll(t, s.name+" (setup)", propagationLimit, others, func(e *apitest.Env) bool {
				want, _ := a.App.Index.Revision(roster.OrgID(owner.OrgID))
				got, _ := e.App.Index.Revision(roster.OrgID(owner.OrgID))
				return got >= want
			})
		}
		for i, e := range others {
			if s.want(e) {
				t.Fatalf("%s: node %d is already in the changed state before the change", s.name, i+1)
			}
		}
		s.change()
		if !s.want(a) {
			t.Errorf("%s: not in force on the node that made it, at once (R7)", s.name)
		}
		d := waitAll(t, s.name, propagationLimit, others, s.want)
		t.Logf("%s: in force on every node after %v", s.name, d)
	}
}

// TestClusterMissedNotification: the listening connections of B and C are
// killed, and a change is committed before they listen again, so its
// notification is lost for them; the catch-up poll, which does not need
// the listening connection, still brings it in, without a restart.
func TestClusterMissedNotification(t *testing.T) {
	db, nodes := cluster(t, 3)
	a, others := nodes[0], nodes[1:]
	owner := a.Signup("owner@example.com", "Org")
	bob, bobMember := member(t, a, owner, "bookkeeper", "bob@example.com")
	isManager := func(e *apitest.Env) bool { return check(e, owner.OrgID, bob, "users.manage", "").allowed }
	waitAll(t, "new member", propagationLimit, others, func(e *apitest.Env) bool { return isActive(e, owner, bob) })

	if n := terminateFeeds(t, db); n != 3 {
		t.Fatalf("terminated %d change feed connections, want 3", n)
	}
	a.Must(http.StatusOK, "PATCH", "/api/v1/orgs/"+owner.OrgID+"/members/"+bobMember, owner.Token, map[string]any{"role": "client_manager"})
	d := waitAll(t, "change made while the feed was down", 5*time.Second, others, isManager)
	t.Logf("caught up %v after the change", d)
	waitAll(t, "readiness after the reconnection", 5*time.Second, nodes, func(e *apitest.Env) bool {
		return e.Do("GET", "/readyz", "", nil).Status == http.StatusOK
	})
}

// isActive reports whether e's index holds user as an active member.
func isActive(e *apitest.Env, owner apitest.Account, user string) bool {
	return check(e, owner.OrgID, user, "clients.view", "no-such-client").reason == "unknown_client"
}

// terminateFeeds ends every change feed connection to db and returns how many.
func terminateFeeds(t *testing.T, db string) int {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	err = conn.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = $1`, postgres.FeedApplicationName).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestClusterDatabaseOutage is docs/security.md R6 for the nodes that lose the
// database: B and C reach PostgreSQL through a proxy that the test cuts.
// While cut, they fail closed (503 on /readyz, on writes and, no later than
// 1 s after A's change, on checks: rule R7 with the default staleness
// bound), and A goes on changing data; when the proxy is back, they recover
// without a restart and the change A made meanwhile is in force on them.
func TestClusterDatabaseOutage(t *testing.T) {
	db := pgtest.NewDatabase(t)
	a := apitest.NewOn(t, "practice", db)
	proxy := newProxy(t, db)
	others := []*apitest.Env{apitest.NewOn(t, "practice", proxy.url), apitest.NewOn(t, "practice", proxy.url)}
	owner := a.Signup("owner@example.com", "Org")
	bob, bobMember := member(t, a, owner, "bookkeeper", "bob@example.com")
	isManager := func(e *apitest.Env) bool { return check(e, owner.OrgID, bob, "users.manage", "").allowed }
	waitAll(t, "new member", propagationLimit, others, func(e *apitest.Env) bool { return isActive(e, owner, bob) })

	proxy.cut()
	cutAt := time.Now()
	a.Must(http.StatusOK, "PATCH", "/api/v1/orgs/"+owner.OrgID+"/members/"+bobMember, owner.Token, map[string]any{"role": "client_manager"})
	acked := time.Now()
	for i, e := range others {
		if r := e.Do("GET", "/readyz", "", nil); r.Status != http.StatusServiceUnavailable {
			t.Errorf("node %d: /readyz with the database cut: got %d, want 503", i+1, r.Status)
		}
		r := e.Do("POST", "/api/v1/orgs/"+owner.OrgID+"/clients", owner.Token, map[string]any{"name": "Written during the outage"})
		if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "unavailable" {
			t.Errorf("node %d: a write with the database cut: got %d %s, want 503 unavailable", i+1, r.Status, r.Body)
		}
	}
	// Cut off, B and C cannot learn of the change: a check sent more than
	// 1 s after it was acknowledged must be refused, not answered.
	for i, e := range others {
		for {
			sent := time.Now()
			d := check(e, owner.OrgID, bob, "users.manage", "")
			if d.status == http.StatusServiceUnavailable && d.code == "unavailable" {
				break
			}
			if sent.Sub(acked) > propagationLimit {
				t.Fatalf("node %d: with the database cut, a check sent %v after the change: got %d allowed=%v, want 503 unavailable",
					i+1, sent.Sub(acked).Round(time.Millisecond), d.status, d.allowed)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	t.Logf("checks refused %v after the cut", time.Since(cutAt))

	proxy.restore()
	d := waitAll(t, "recovery", 10*time.Second, others, func(e *apitest.Env) bool {
		return e.Do("GET", "/readyz", "", nil).Status == http.StatusOK && isManager(e)
	})
	t.Logf("recovered %v after the database came back", d)
	r := others[0].Do("POST", "/api/v1/orgs/"+owner.OrgID+"/clients", owner.Token, map[string]any{"name": "Written after the outage"})
	if r.Status != http.StatusCreated {
		t.Errorf("a write after recovery: got %d %s, want 201", r.Status, r.Body)
	}
}

// proxy forwards TCP connections to the database's server; cut closes
// every connection and refuses new ones until restore.
type proxy struct {
	t      *testing.T
	url    string // db's URL through the proxy
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, db string) *proxy {
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, target: u.Host}
	p.listen("127.0.0.1:0")
	u.Host = p.addr
	p.url = u.String()
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatalf("proxy listen: %v", err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go p.accept(ln)
}

func (p *proxy) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		go pipe(c, s)
		go pipe(s, c)
	}
}

func pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address.
func (p *proxy) restore() { p.listen(p.addr) }

// TestClusterStartsOnEmptyDatabase is docs/security.md R8 through app.New:
// three nodes started at once on an empty database all come up (one of
// them migrates, under the advisory lock) and serve the same data.
func TestClusterStartsOnEmptyDatabase(t *testing.T) {
	db := pgtest.NewDatabase(t)
	m, err := model.Preset("practice")
	if err != nil {
		t.Fatal(err)
	}
	apps := make([]*app.App, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range apps {
		wg.Go(func() {
			apps[i], errs[i] = app.New(context.Background(), app.Options{DB: db, Model: m, MailDir: t.TempDir(),
				SecretKey: make([]byte, 32), BaseURL: "http://127.0.0.1"})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: app.New: %v", i, err)
		}
		defer apps[i].Close()
	}
	for i, a := range apps {
		if err := a.Store.Ping(t.Context()); err != nil {
			t.Errorf("node %d: Ping: %v", i, err)
		}
	}
}

// TestClusterConcurrentRoleChanges is docs/security.md R2: four nodes, 200
// concurrent role changes spread over 20 memberships and all nodes. No
// request fails with 5xx; per member the audit events form one chain (each
// change's "before" is the previous change's "after": no lost update); the
// final role is the last committed change's; and every node's index ends
// at the database's revision.
func TestClusterConcurrentRoleChanges(t *testing.T) {
	const members, changes = 20, 200
	db, nodes := cluster(t, 4)
	a := nodes[0]
	owner := a.Signup("owner@example.com", "Org")
	emails := make([]string, members)
	for i := range emails {
		emails[i] = fmt.Sprintf("m%d@example.com", i)
	}
	var inv struct {
		Results []struct {
			MemberID string `json:"member_id"`
		}
	}
	a.Must(http.StatusOK, "POST", "/api/v1/orgs/"+owner.OrgID+"/invitations", owner.Token,
		map[string]any{"emails": emails, "role": "bookkeeper"}).JSON(t, &inv)
	if len(inv.Results) != members {
		t.Fatalf("invited %d, want %d", len(inv.Results), members)
	}
	roles := []string{"bookkeeper", "view_only", "client_manager", "client"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	start := make(chan struct{})
	for i := range changes {
		wg.Go(func() {
			<-start
			e := nodes[i%len(nodes)]
			path := "/api/v1/orgs/" + owner.OrgID + "/members/" + inv.Results[i%members].MemberID
			r := e.Do("PATCH", path, owner.Token, map[string]any{"role": roles[(i/members)%len(roles)]})
			mu.Lock()
			statuses[r.Status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if statuses[http.StatusOK] != changes {
		t.Errorf("statuses %v, want %d × 200", statuses, changes)
	}

	conn, err := pgx.Connect(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	final := map[string]string{}
	rows, err := conn.Query(t.Context(), `SELECT id, role FROM members WHERE org_id = $1`, owner.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, role string
		_ = rows.Scan(&id, &role)
		final[id] = role
	}
	rows.Close()
	rows, err = conn.Query(t.Context(), `SELECT member_id, before::json->>'role', after::json->>'role' FROM audit_events
		WHERE org_id = $1 AND action = 'member.role_changed' ORDER BY seq`, owner.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	last := map[string]string{}
	for _, m := range inv.Results {
		last[m.MemberID] = "bookkeeper"
	}
	events := 0
	for rows.Next() {
		var id, before, after string
		_ = rows.Scan(&id, &before, &after)
		if before != last[id] {
			t.Errorf("member %s: a change from %q follows one to %q (lost update)", id, before, last[id])
		}
		last[id], events = after, events+1
	}
	rows.Close()
	for id, role := range last {
		if final[id] != role {
			t.Errorf("member %s: final role %q, last committed change %q", id, final[id], role)
		}
	}
	if events == 0 || events > changes {
		t.Errorf("%d role change events for %d requests", events, changes)
	}
	var rev int64
	if err := conn.QueryRow(t.Context(), `SELECT revision FROM organizations WHERE id = $1`, owner.OrgID).Scan(&rev); err != nil {
		t.Fatal(err)
	}
	waitAll(t, "indexes at the database's revision", propagationLimit, nodes, func(e *apitest.Env) bool {
		got, _ := e.App.Index.Revision(roster.OrgID(owner.OrgID))
		return got == rev
	})
}

// TestClusterConnectionsTerminated: every connection of every node is
// terminated by the server (as a PostgreSQL restart does); the nodes
// recover without a restart, refusing at most with 503 (never 500) while
// they reconnect, and a change still propagates.
func TestClusterConnectionsTerminated(t *testing.T) {
	db, nodes := cluster(t, 3)
	a, others := nodes[0], nodes[1:]
	owner := a.Signup("owner@example.com", "Org")
	bob, bobMember := member(t, a, owner, "bookkeeper", "bob@example.com")
	waitAll(t, "new member", propagationLimit, others, func(e *apitest.Env) bool { return isActive(e, owner, bob) })

	conn, err := pgx.Connect(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	err = conn.QueryRow(t.Context(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n)
	if err != nil || n < 3 {
		t.Fatalf("terminated %d connections (%v), want at least one per node", n, err)
	}
	for i, e := range nodes {
		ok := false
		for try := 0; try < 50 && !ok; try++ {
			r := e.Do("POST", "/api/v1/orgs/"+owner.OrgID+"/clients", owner.Token, map[string]any{"name": fmt.Sprintf("after %d %d", i, try)})
			switch r.Status {
			case http.StatusCreated:
				ok = true
			case http.StatusServiceUnavailable:
				time.Sleep(100 * time.Millisecond)
			default:
				t.Fatalf("node %d: a write after the connections were terminated: got %d %s, want 201 or 503", i, r.Status, r.Body)
			}
		}
		if !ok {
			t.Fatalf("node %d: no write succeeded within 5 s of the connections being terminated", i)
		}
	}
	a.Must(http.StatusOK, "PATCH", "/api/v1/orgs/"+owner.OrgID+"/members/"+bobMember, owner.Token, map[string]any{"role": "client_manager"})
	waitAll(t, "a change after the reconnection", 5*time.Second, others, func(e *apitest.Env) bool {
		return check(e, owner.OrgID, bob, "users.manage", "").allowed
	})
}
