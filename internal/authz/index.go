package authz

import (
	"hash/maphash"
	"maps"
	"sync"
	"sync/atomic"

	"github.com/roster-dev/roster/internal/roster"
)

// Index holds one immutable snapshot per organization. The zero value is not
// usable; call New. All methods are safe for concurrent use; readers never
// lock.
type Index struct {
	model     *roster.Model
	perClient roster.PermSet  // the catalog's per-client permissions
	system    map[string]role // the model's roles, resolved once
	seed      maphash.Seed    // for the snapshots' tables

	mu   sync.Mutex // serializes writers
	orgs atomic.Pointer[orgMap]
}

type orgMap = map[roster.OrgID]*orgSnapshot

// role is a resolved role: its permission set and client-access rule.
type role struct {
	def   roster.RoleDef
	perms roster.PermSet
	rule  roster.ClientAccessRule
}

// New returns an empty index for a Prepared model.
func New(m *roster.Model) *Index {
	x := &Index{model: m, system: make(map[string]role, len(m.Roles)), seed: maphash.MakeSeed()}
	var perClient []string
	for i := range m.PermissionCount() {
		if p := m.PermissionAt(i); p.PerClient {
			perClient = append(perClient, p.Key)
		}
	}
	x.perClient = m.PermSetOf(perClient)
	for _, def := range m.Roles {
		x.system[def.Key] = x.resolve(def)
	}
	x.orgs.Store(&orgMap{})
	return x
}

// resolve computes a role's permission set. A role without a client-access
// rule gets the custom-role default of R9: all_by_default where the model has
// clients, none otherwise.
func (x *Index) resolve(def roster.RoleDef) role {
	rule := def.ClientAccess
	if rule == "" {
		rule = roster.AccessNone
		if x.model.HasClients() {
			rule = roster.AccessAllByDefault
		}
	}
	return role{def: def, perms: x.model.PermSetOf(def.Permissions), rule: rule}
}

// Put installs the snapshot of a.OrgID unless one of the same or a newer
// revision is installed already (two reloads may finish out of order). It
// reports whether it installed.
func (x *Index) Put(a roster.OrgAccess) bool {
	if rev, ok := x.Revision(a.OrgID); ok && rev >= a.Revision {
		return false // stale before building: skip the work
	}
	s := x.build(a)
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.installLocked(s) == 1
}

// PutAll is Put for many organizations with one copy of the organization
// map, for loading the index at start-up. It returns how many it installed.
func (x *Index) PutAll(all []roster.OrgAccess) int {
	snaps := make([]*orgSnapshot, len(all))
	for i, a := range all {
		snaps[i] = x.build(a)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.installLocked(snaps...)
}

// PutMember installs org at revision to as the installed snapshot of
// revision from with one membership replaced: the organization's clients
// and roles are shared and its member table is copied, not rebuilt, so a
// change to one member costs the same in an organization of any size. It
// installs nothing and reports false when the installed snapshot is not at
// revision from, or the member's user is not in it (the caller then
// reloads the whole organization).
func (x *Index) PutMember(org roster.OrgID, from, to int64, ma roster.MemberAccess) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	old := (*x.orgs.Load())[org]
	if old == nil || old.revision != from || to <= from || ma.UserID == "" {
		return false
	}
	if cur := old.members.get(ma.UserID); cur == nil || cur.info.id != ma.MemberID {
		return false
	}
	s := &orgSnapshot{clients: old.clients, clientIDs: old.clientIDs, org: org, revision: to, custom: old.custom, members: old.members.clone()}
	*s.members.get(ma.UserID) = x.member(s, ma, &memberInfo{})
	return x.installLocked(s) == 1
}

// installLocked swaps in a copy of the organization map holding every
// snapshot newer than the one it replaces. The caller holds x.mu.
func (x *Index) installLocked(snaps ...*orgSnapshot) int {
	cur := *x.orgs.Load()
	next, n := cur, 0
	for _, s := range snaps {
		if old, ok := next[s.org]; ok && old.revision >= s.revision {
			continue
		}
		if n == 0 {
			next = maps.Clone(cur)
		}
		next[s.org] = s
		n++
	}
	if n > 0 {
		x.orgs.Store(&next)
	}
	return n
}

// Remove forgets an organization; its members then get not_member.
func (x *Index) Remove(org roster.OrgID) {
	x.mu.Lock()
	defer x.mu.Unlock()
	cur := *x.orgs.Load()
	if _, ok := cur[org]; !ok {
		return
	}
	next := maps.Clone(cur)
	delete(next, org)
	x.orgs.Store(&next)
}

// Len reports how many organizations are indexed.
func (x *Index) Len() int { return len(*x.orgs.Load()) }

// Revision returns the revision of the installed snapshot of org.
func (x *Index) Revision(org roster.OrgID) (int64, bool) {
	s := x.snapshot(org)
	if s == nil {
		return 0, false
	}
	return s.revision, true
}

func (x *Index) snapshot(org roster.OrgID) *orgSnapshot { return (*x.orgs.Load())[org] }
