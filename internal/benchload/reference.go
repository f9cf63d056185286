package benchload

import "github.com/roster-dev/roster/internal/roster"

// Reference is the plain evaluator a Go programmer would write without an
// index: a map from (organization, user) to role and access, the role's
// permissions as a map, and a set of clients (two map lookups and a set
// lookup).
type Reference struct {
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

// NewReference builds the reference's maps for w.
func NewReference(w Workload) *Reference {
	roles := map[string]map[string]bool{}
	for _, role := range w.Model.Roles {
		roles[role.Key] = map[string]bool{}
		for _, key := range role.Permissions {
			p, _ := w.Model.Permission(key)
			roles[role.Key][key] = p.PerClient
		}
	}
	r := &Reference{members: map[refKey]refMember{}}
	for _, a := range w.Orgs {
		clients := setOf(a.Clients)
		for _, m := range a.Members {
			def, _ := w.Model.SystemRole(m.Role)
			r.members[refKey{a.OrgID, m.UserID}] = refMember{
				active: m.Status == roster.StatusActive, perms: roles[m.Role],
				mode:     roster.EffectiveClientMode(def.ClientAccess, m.ClientMode),
				assigned: setOf(m.Clients), clients: clients,
			}
		}
	}
	return r
}

func setOf(ids []roster.ClientID) map[roster.ClientID]struct{} {
	s := make(map[roster.ClientID]struct{}, len(ids))
	for _, id := range ids {
		s[id] = struct{}{}
	}
	return s
}

// Allowed answers q.
func (r *Reference) Allowed(q Query) bool {
	m, ok := r.members[refKey{q.Org, q.User}]
	if !ok || !m.active {
		return false
	}
	perClient, held := m.perms[q.Perm]
	if !held || !perClient {
		return held
	}
	set := m.assigned
	if m.mode == roster.AccessAll {
		set = m.clients
	}
	_, ok = set[q.Client]
	return ok
}
