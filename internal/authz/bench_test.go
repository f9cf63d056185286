package authz_test

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/roster"
)

// The benchmark workload: organizations × members × clients of the practice
// preset, and a fixed list of queries mixing granted and denied cases.
const (
	benchOrgs     = 1000
	benchMembers  = 50
	benchClients  = 200
	benchQueries  = 1 << 16
	benchSeed     = 19
	specificCount = 10 // clients assigned to a member in mode specific
)

type query struct {
	org    roster.OrgID
	user   roster.UserID
	perm   string
	client roster.ClientID
}

type workload struct {
	model   *roster.Model
	orgs    []roster.OrgAccess
	queries []query
}

// memberKinds spreads members over every practice role and both modes of the
// all_by_default roles.
var memberKinds = []struct {
	role string
	mode roster.ClientAccessRule
}{
	{"practice_admin", ""}, {"client_manager", ""},
	{"bookkeeper", roster.AccessAll}, {"bookkeeper", roster.AccessSpecific},
	{"view_only", ""}, {"view_only", roster.AccessSpecific},
	{"client", roster.AccessSpecific},
}

// gen draws deterministic ids shaped like Roster's (prefix + 16 base32).
type gen struct{ rng *rand.Rand }

func (g gen) id(prefix string) string {
	const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	b := []byte(prefix)
	for range 16 {
		b = append(b, alphabet[g.rng.IntN(len(alphabet))])
	}
	return string(b)
}

func newWorkload(tb testing.TB, orgs, members, clients, queries int) workload {
	g := gen{rand.New(rand.NewPCG(benchSeed, benchSeed))}
	w := workload{model: practiceModel(tb), orgs: make([]roster.OrgAccess, orgs)}
	for i := range w.orgs {
		w.orgs[i] = g.org(int64(i+1), members, clients)
	}
	w.queries = make([]query, queries)
	for i := range w.queries {
		w.queries[i] = g.query(w.orgs)
	}
	return w
}

func (g gen) org(rev int64, members, clients int) roster.OrgAccess {
	a := roster.OrgAccess{OrgID: roster.OrgID(g.id("org_")), Revision: rev}
	for range clients {
		a.Clients = append(a.Clients, roster.ClientID(g.id("cli_")))
	}
	for j := range members {
		a.Members = append(a.Members, g.member(j, a.Clients))
	}
	return a
}

// member: 90% active, 5% invited, 5% revoked.
func (g gen) member(j int, clients []roster.ClientID) roster.MemberAccess {
	k := memberKinds[j%len(memberKinds)]
	m := roster.MemberAccess{
		MemberID: roster.MemberID(g.id("mem_")), UserID: roster.UserID(g.id("usr_")),
		Role: k.role, Status: roster.StatusActive, ClientMode: k.mode,
	}
	switch r := g.rng.IntN(20); {
	case r == 0:
		m.Status = roster.StatusInvited
	case r == 1:
		m.Status = roster.StatusRevoked
	}
	if k.mode == roster.AccessSpecific {
		for range specificCount {
			m.Clients = append(m.Clients, clients[g.rng.IntN(len(clients))])
		}
	}
	return m
}

// query: 5% a user of another organization, 3% an unknown permission;
// clients are 40% one assigned to the member, 50% any client of the
// organization, 10% unknown (organization-wide permissions get none half of
// the time).
func (g gen) query(orgs []roster.OrgAccess) query {
	a := orgs[g.rng.IntN(len(orgs))]
	m := a.Members[g.rng.IntN(len(a.Members))]
	q := query{org: a.OrgID, user: m.UserID}
	if g.rng.IntN(20) == 0 {
		other := orgs[g.rng.IntN(len(orgs))]
		q.user = other.Members[g.rng.IntN(len(other.Members))].UserID
	}
	q.perm = practicePermissions[g.rng.IntN(len(practicePermissions))]
	if g.rng.IntN(33) == 0 {
		q.perm = "clients.delete"
	}
	switch r := g.rng.IntN(10); {
	case r < 4 && len(m.Clients) > 0:
		q.client = m.Clients[g.rng.IntN(len(m.Clients))]
	case r < 9:
		q.client = a.Clients[g.rng.IntN(len(a.Clients))]
	default:
		q.client = roster.ClientID(g.id("cli_"))
	}
	if !isPerClient(q.perm) && g.rng.IntN(2) == 0 {
		q.client = ""
	}
	return q
}

func isPerClient(key string) bool {
	switch key {
	case "clients.settings", "clients.feedback", "clients.view":
		return true
	}
	return false
}

func (w workload) index() *authz.Index {
	x := authz.New(w.model)
	x.PutAll(w.orgs)
	return x
}

// reference is the plain evaluator of the plain-map reference: a map from (org, user)
// to role and access, and a set of clients.
type reference struct {
	members map[refKey]refMember
}

type refKey struct {
	org  roster.OrgID
	user roster.UserID
}

type refMember struct {
	active bool
	// perms holds the role's permissions: present means held, the value
	// says whether the permission is per client.
	perms map[string]bool
	mode  roster.ClientAccessRule
	// assigned is the member's clients in mode specific; clients is every
	// client of the organization, for mode all.
	assigned map[roster.ClientID]struct{}
	clients  map[roster.ClientID]struct{}
}

func (w workload) reference() *reference {
	roles := map[string]map[string]bool{}
	for _, r := range w.model.Roles {
		roles[r.Key] = map[string]bool{}
		for _, key := range r.Permissions {
			p, _ := w.model.Permission(key)
			roles[r.Key][key] = p.PerClient
		}
	}
	ref := &reference{members: map[refKey]refMember{}}
	for _, a := range w.orgs {
		clients := setOf(a.Clients)
		for _, m := range a.Members {
			def, _ := w.model.SystemRole(m.Role)
			ref.members[refKey{a.OrgID, m.UserID}] = refMember{
				active: m.Status == roster.StatusActive, perms: roles[m.Role],
				mode:     authz.EffectiveMode(def.ClientAccess, m.ClientMode),
				assigned: setOf(m.Clients), clients: clients,
			}
		}
	}
	return ref
}

func setOf(ids []roster.ClientID) map[roster.ClientID]struct{} {
	s := make(map[roster.ClientID]struct{}, len(ids))
	for _, id := range ids {
		s[id] = struct{}{}
	}
	return s
}

func (r *reference) allowed(q query) bool {
	m, ok := r.members[refKey{q.org, q.user}]
	if !ok || !m.active {
		return false
	}
	perClient, held := m.perms[q.perm]
	if !held || !perClient {
		return held
	}
	set := m.assigned
	if m.mode == roster.AccessAll {
		set = m.clients
	}
	_, ok = set[q.client]
	return ok
}

// TestIndexAgreesWithReference runs a small workload through both.
func TestIndexAgreesWithReference(t *testing.T) {
	w := newWorkload(t, 40, benchMembers, benchClients, 1<<14)
	x, ref := w.index(), w.reference()
	reasons := map[authz.Reason]int{}
	for _, q := range w.queries {
		d := x.Check(q.org, q.user, q.perm, q.client)
		reasons[d.Reason]++
		if want := ref.allowed(q); d.Allowed != want {
			t.Errorf("Check(%+v) = %+v, reference allowed = %v", q, d, want)
		}
	}
	for _, r := range []authz.Reason{authz.Granted, authz.NotMember, authz.Inactive, authz.MissingPermission,
		authz.ClientNotAssigned, authz.UnknownClient, authz.UnknownPermission} {
		if reasons[r] == 0 {
			t.Errorf("the workload never yields %s: %v", r, reasons)
		}
	}
	t.Logf("reasons: %v", reasons)
}

func benchWorkload(b *testing.B) workload {
	return newWorkload(b, benchOrgs, benchMembers, benchClients, benchQueries)
}

func BenchmarkIndexCheck(b *testing.B) {
	w := benchWorkload(b)
	x := w.index()
	qs := w.queries
	granted := 0
	n := 0
	for ; b.Loop(); n++ {
		q := &qs[n&(len(qs)-1)]
		if x.Check(q.org, q.user, q.perm, q.client).Allowed {
			granted++
		}
	}
	reportChecks(b, n, granted)
}

func BenchmarkReferenceCheck(b *testing.B) {
	w := benchWorkload(b)
	ref := w.reference()
	qs := w.queries
	granted := 0
	n := 0
	for ; b.Loop(); n++ {
		if ref.allowed(qs[n&(len(qs)-1)]) {
			granted++
		}
	}
	reportChecks(b, n, granted)
}

func reportChecks(b *testing.B, n, granted int) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "checks/s")
	b.ReportMetric(float64(granted)/float64(n), "granted/op")
}

// BenchmarkIndexBuild times loading the whole workload into a new index and
// reports the heap the index holds. The id strings are shared with the
// input and counted in neither this nor the reference's figure.
func BenchmarkIndexBuild(b *testing.B) {
	w := benchWorkload(b)
	for b.Loop() {
		w.index()
	}
	b.ReportMetric(heapMiB(&w, func() any { return w.index() }), "MiB-heap") // after the loop, which resets metrics
}

func BenchmarkReferenceBuild(b *testing.B) {
	w := benchWorkload(b)
	for b.Loop() {
		w.reference()
	}
	b.ReportMetric(heapMiB(&w, func() any { return w.reference() }), "MiB-heap") // after the loop, which resets metrics
}

// BenchmarkIndexPut times one organization's reload into a full index, the
// cost of every committed change.
func BenchmarkIndexPut(b *testing.B) {
	w := benchWorkload(b)
	x := w.index()
	a := w.orgs[0]
	for b.Loop() {
		a.Revision++
		x.Put(a)
	}
}

// heapMiB returns the live heap that build's result holds. The input must
// stay alive throughout, or its collection would be subtracted.
func heapMiB(input any, build func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	runtime.KeepAlive(input)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
}
