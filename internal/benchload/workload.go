// Package benchload is the workload that every benchmark of the permission
// check shares, and the plain-map evaluator Roster is measured against:
// internal/authz's benchmarks and the bench/ module (Roster beside Casbin
// and OpenFGA) draw the same organizations and queries from it, so their
// figures compare. It is never linked into the binary.
package benchload

import (
	"fmt"
	"math/rand/v2"

	"github.com/roster-dev/roster/internal/roster"
)

// The workload: organizations × members × clients of the practice preset,
// and queries mixing granted and denied cases. Orgs, Members and Clients are
// the sizes of BENCHMARKS.md's "1x".
const (
	Orgs          = 1000
	Members       = 50
	Clients       = 200
	seed          = 19
	specificCount = 10 // clients assigned to a member in mode specific
)

// Query is one check: may User do Perm (on Client) in Org?
type Query struct {
	Org    roster.OrgID
	User   roster.UserID
	Perm   string
	Client roster.ClientID
}

// Workload is the organizations and the queries of one run.
type Workload struct {
	Model   *roster.Model
	Orgs    []roster.OrgAccess
	Queries []Query
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

// practicePermissions is the practice preset's catalog; queries draw from it.
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

// New draws the workload for m (the practice preset): orgs organizations of
// members members and clients clients, and queries queries, the same for
// the same sizes in every run.
func New(m *roster.Model, orgs, members, clients, queries int) Workload {
	g := gen{rand.New(rand.NewPCG(seed, seed))} // #nosec G404 -- a fixed seed on purpose: the same workload in every run
	w := Workload{Model: m, Orgs: make([]roster.OrgAccess, orgs)}
	for i := range w.Orgs {
		w.Orgs[i] = g.org(int64(i+1), members, clients)
	}
	w.Queries = make([]Query, queries)
	for i := range w.Queries {
		w.Queries[i] = g.query(w.Orgs)
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
func (g gen) query(orgs []roster.OrgAccess) Query {
	a := orgs[g.rng.IntN(len(orgs))]
	m := a.Members[g.rng.IntN(len(a.Members))]
	q := Query{Org: a.OrgID, User: m.UserID}
	if g.rng.IntN(20) == 0 {
		other := orgs[g.rng.IntN(len(orgs))]
		q.User = other.Members[g.rng.IntN(len(other.Members))].UserID
	}
	q.Perm = practicePermissions[g.rng.IntN(len(practicePermissions))]
	if g.rng.IntN(33) == 0 {
		q.Perm = "clients.delete"
	}
	switch r := g.rng.IntN(10); {
	case r < 4 && len(m.Clients) > 0:
		q.Client = m.Clients[g.rng.IntN(len(m.Clients))]
	case r < 9:
		q.Client = a.Clients[g.rng.IntN(len(a.Clients))]
	default:
		q.Client = roster.ClientID(g.id("cli_"))
	}
	if !isPerClient(q.Perm) && g.rng.IntN(2) == 0 {
		q.Client = ""
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

// CheckCatalog reports whether m still has the catalog the workload draws
// from (the practice preset's permissions, per client or not).
func CheckCatalog(m *roster.Model) error {
	for _, key := range practicePermissions {
		if p, ok := m.Permission(key); !ok || p.PerClient != isPerClient(key) {
			return fmt.Errorf("the model no longer has the catalog the workload draws from (%s)", key)
		}
	}
	return nil
}
