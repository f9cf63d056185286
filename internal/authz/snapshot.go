package authz

import (
	"math/bits"
	"slices"

	"github.com/roster-dev/roster/internal/roster"
)

// orgSnapshot is one organization at one revision. It is never modified
// after build.
type orgSnapshot struct {
	members   table[roster.UserID, member]
	clients   table[roster.ClientID, uint32] // position in clientIDs
	clientIDs []roster.ClientID              // sorted, without duplicates
	org       roster.OrgID
	revision  int64
	custom    map[string]role // the organization's own roles
}

// member is what a check reads, kept inline in the member table.
type member struct {
	perms    roster.PermSet
	assigned clientSet // in mode specific only
	access   access
	info     *memberInfo
}

// access folds status and effective mode into what a check needs.
type access uint8

const (
	inactive     access = iota // invited or revoked
	seesAll                    // active, mode all
	seesAssigned               // active, mode specific
	seesNone                   // active, mode none
)

// memberInfo is the rest of a membership, for views.
type memberInfo struct {
	id     roster.MemberID
	status roster.MemberStatus
	role   string
	mode   roster.ClientAccessRule // effective (R10)
}

// build makes the snapshot of one organization. Memberships without a user
// (invited addresses) cannot be checked and are left out; if a user appears
// twice, the first membership counts.
func (x *Index) build(a roster.OrgAccess) *orgSnapshot {
	s := &orgSnapshot{org: a.OrgID, revision: a.Revision}
	s.indexClients(x, a.Clients)
	s.custom = make(map[string]role, len(a.CustomRoles))
	for _, def := range a.CustomRoles {
		s.custom[def.Key] = x.resolve(def)
	}
	s.members = newTable[roster.UserID, member](x.seed, len(a.Members))
	infos := make([]memberInfo, 0, len(a.Members))
	for _, ma := range a.Members {
		if ma.UserID == "" || s.members.get(ma.UserID) != nil {
			continue
		}
		infos = append(infos, memberInfo{})
		s.members.add(ma.UserID, x.member(s, ma, &infos[len(infos)-1]))
	}
	return s
}

func (s *orgSnapshot) indexClients(x *Index, ids []roster.ClientID) {
	s.clientIDs = slices.Compact(slices.Sorted(slices.Values(ids)))
	s.clients = newTable[roster.ClientID, uint32](x.seed, len(s.clientIDs))
	for i, id := range s.clientIDs {
		s.clients.add(id, uint32(i))
	}
}

// member resolves one membership into info. An unknown role grants nothing.
func (x *Index) member(s *orgSnapshot, ma roster.MemberAccess, info *memberInfo) member {
	r, _ := x.role(s, ma.Role)
	mode := EffectiveMode(r.rule, ma.ClientMode)
	*info = memberInfo{id: ma.MemberID, status: ma.Status, role: ma.Role, mode: mode}
	m := member{perms: r.perms, access: accessOf(ma.Status, mode), info: info}
	if mode == roster.AccessSpecific {
		m.assigned = s.clientSetOf(ma.Clients)
	}
	return m
}

func accessOf(status roster.MemberStatus, mode roster.ClientAccessRule) access {
	switch {
	case status != roster.StatusActive:
		return inactive
	case mode == roster.AccessAll:
		return seesAll
	case mode == roster.AccessSpecific:
		return seesAssigned
	}
	return seesNone
}

// role finds a system role, then a custom role of the organization; a custom
// role cannot shadow a system role.
func (x *Index) role(s *orgSnapshot, key string) (role, bool) {
	if r, ok := x.system[key]; ok {
		return r, true
	}
	r, ok := s.custom[key]
	return r, ok
}

// clientSetOf keeps the assigned clients that belong to the organization.
func (s *orgSnapshot) clientSetOf(ids []roster.ClientID) clientSet {
	pos := make([]uint32, 0, len(ids))
	for _, id := range ids {
		if i := s.clients.get(id); i != nil {
			pos = append(pos, *i)
		}
	}
	slices.Sort(pos)
	return newClientSet(slices.Compact(pos), len(s.clientIDs))
}

// clientSet holds positions in the organization's sorted client list: a bit
// set when that is no bigger than about twice the list of positions, the
// sorted list otherwise (a few clients of a very large organization).
type clientSet struct {
	v    []uint32
	list bool
}

func newClientSet(pos []uint32, n int) clientSet {
	if n > 64*len(pos) {
		return clientSet{v: slices.Clip(pos), list: true}
	}
	bits := make([]uint32, (n+31)/32)
	for _, i := range pos {
		bits[i/32] |= 1 << (i % 32)
	}
	return clientSet{v: bits}
}

func (c *clientSet) has(i uint32) bool {
	if c.list {
		_, ok := slices.BinarySearch(c.v, i)
		return ok
	}
	w := int(i / 32)
	return w < len(c.v) && c.v[w]&(1<<(i%32)) != 0
}

// ids returns the clients in the set, sorted, in a new slice.
func (c *clientSet) ids(all []roster.ClientID) []roster.ClientID {
	out := []roster.ClientID{}
	if c.list {
		for _, i := range c.v {
			out = append(out, all[i])
		}
		return out
	}
	for w, word := range c.v {
		for ; word != 0; word &= word - 1 {
			out = append(out, all[w*32+bits.TrailingZeros32(word)])
		}
	}
	return out
}
