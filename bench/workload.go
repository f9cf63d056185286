package main

import (
	"math/rand/v2"

	"github.com/roster-dev/roster/internal/roster"
)

// The workload is internal/authz/bench_test.go's, reproduced here draw for
// draw (same seed, same order of draws) so that the first 1<<16 queries of
// scale 1 are the ones BenchmarkIndexCheck runs: organizations × members ×
// clients of the practice preset, and queries mixing granted and denied
// cases.
const (
	benchOrgs     = 1000
	benchMembers  = 50
	benchClients  = 200
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

// practicePermissions is the catalog in the order of docs/rules.md,
// "Presets"; the queries draw from it.
var practicePermissions = []string{
	"users.manage", "practice.settings", "practice.billing",
	"clients.settings", "clients.feedback", "clients.view",
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

func newWorkload(m *roster.Model, orgs, members, clients, queries int) *workload {
	g := gen{rand.New(rand.NewPCG(benchSeed, benchSeed))} // #nosec G404 -- a fixed seed on purpose: the same workload in every run
	w := &workload{model: m, orgs: make([]roster.OrgAccess, orgs)}
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
