package main

import (
	"github.com/roster-dev/roster/internal/roster"
)

// mapEval is the plain-map reference of internal/authz/bench_test.go, as a
// Go programmer would write it without an index: a map from (organization,
// user) to role and access, then a set lookup for the client.
type mapEval struct {
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

func (*mapEval) name() string { return "plain map (reference)" }

func (r *mapEval) load(w *workload) error {
	roles := map[string]map[string]bool{}
	for _, role := range w.model.Roles {
		roles[role.Key] = map[string]bool{}
		for _, key := range role.Permissions {
			p, _ := w.model.Permission(key)
			roles[role.Key][key] = p.PerClient
		}
	}
	r.members = map[refKey]refMember{}
	for _, a := range w.orgs {
		clients := setOf(a.Clients)
		for _, m := range a.Members {
			def, _ := w.model.SystemRole(m.Role)
			r.members[refKey{a.OrgID, m.UserID}] = refMember{
				active: m.Status == roster.StatusActive, perms: roles[m.Role],
				mode:     roster.EffectiveClientMode(def.ClientAccess, m.ClientMode),
				assigned: setOf(m.Clients), clients: clients,
			}
		}
	}
	return nil
}

func setOf(ids []roster.ClientID) map[roster.ClientID]struct{} {
	s := make(map[roster.ClientID]struct{}, len(ids))
	for _, id := range ids {
		s[id] = struct{}{}
	}
	return s
}

func (r *mapEval) check(q *query) (bool, error) {
	m, ok := r.members[refKey{q.org, q.user}]
	if !ok || !m.active {
		return false, nil
	}
	perClient, held := m.perms[q.perm]
	if !held || !perClient {
		return held, nil
	}
	set := m.assigned
	if m.mode == roster.AccessAll {
		set = m.clients
	}
	_, ok = set[q.client]
	return ok, nil
}

func (*mapEval) close() {}
