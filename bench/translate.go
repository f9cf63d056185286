package main

import (
	"github.com/roster-dev/roster/internal/roster"
)

// The peers are given what Roster's index derives from an organization
// (internal/authz, build and member): the role of each active member, its
// effective client mode (roster.EffectiveClientMode, R10) and, in mode
// specific, its assigned clients that are clients of the organization.
// Invited and revoked members, members without a user and a user's second
// membership of the same organization give them nothing, as they give the
// index nothing it would grant.

// grant is one active membership as the peers store it.
type grant struct {
	user    roster.UserID
	role    string
	mode    roster.ClientAccessRule // effective
	clients []roster.ClientID       // mode specific: assigned clients of the organization, once each
}

// roleRule is a role's client-access rule as the index resolves it: a role
// without one gets all_by_default where the model has clients (R9).
func roleRule(m *roster.Model, def roster.RoleDef) roster.ClientAccessRule {
	if def.ClientAccess != "" {
		return def.ClientAccess
	}
	if m.HasClients() {
		return roster.AccessAllByDefault
	}
	return roster.AccessNone
}

// grants calls fn with each active membership of a with a known role. The
// workload has no custom roles, so only the model's roles are known here.
func grants(m *roster.Model, a *roster.OrgAccess, fn func(grant)) {
	clients := make(map[roster.ClientID]bool, len(a.Clients))
	for _, c := range a.Clients {
		clients[c] = true
	}
	seen := make(map[roster.UserID]bool, len(a.Members))
	for _, ma := range a.Members {
		if ma.UserID == "" || seen[ma.UserID] {
			continue
		}
		seen[ma.UserID] = true
		def, known := m.SystemRole(ma.Role)
		if ma.Status != roster.StatusActive || !known {
			continue
		}
		g := grant{user: ma.UserID, role: ma.Role, mode: roster.EffectiveClientMode(roleRule(m, def), ma.ClientMode)}
		if g.mode == roster.AccessSpecific {
			assigned := map[roster.ClientID]bool{}
			for _, c := range ma.Clients {
				if clients[c] && !assigned[c] {
					assigned[c] = true
					g.clients = append(g.clients, c)
				}
			}
		}
		fn(g)
	}
}
