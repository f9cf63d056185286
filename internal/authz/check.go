package authz

import "github.com/roster-dev/roster/internal/roster"

// Index is the service's authorization index.
var _ roster.Index = (*Index)(nil)

// Check answers whether user may do perm (on client) in org. Refusals come
// in this order: unknown_permission, not_member, inactive,
// missing_permission; an organization-wide permission is then granted
// whatever the client; a per-client one needs a client of the organization
// (unknown_client, also for an empty client id) inside the member's access
// (client_not_assigned). Archived clients are clients like any other.
func (x *Index) Check(org roster.OrgID, user roster.UserID, perm string, client roster.ClientID) Decision {
	p, ok := x.model.PermissionIndex(perm)
	if !ok {
		return deny(UnknownPermission)
	}
	s := x.snapshot(org)
	if s == nil {
		return deny(NotMember)
	}
	m := s.members.get(user)
	switch {
	case m == nil:
		return deny(NotMember)
	case m.access == inactive:
		return deny(Inactive)
	case !m.perms.Has(p):
		return deny(MissingPermission)
	case !x.perClient.Has(p):
		return allow()
	}
	return s.checkClient(m, client)
}

// checkClient is the per-client part of Check.
func (s *orgSnapshot) checkClient(m *member, client roster.ClientID) Decision {
	i := s.clients.get(client)
	switch {
	case i == nil:
		return deny(UnknownClient)
	case m.access == seesAll:
		return allow()
	case m.access == seesAssigned && m.assigned.has(*i):
		return allow()
	}
	return deny(ClientNotAssigned)
}

// Decide is Check in the shape of roster.Index.
func (x *Index) Decide(org roster.OrgID, user roster.UserID, perm string, client roster.ClientID) (bool, string) {
	d := x.Check(org, user, perm, client)
	return d.Allowed, string(d.Reason)
}

// Has reports whether user is an active member of org whose role holds perm,
// organization-wide or per client (for any client).
func (x *Index) Has(org roster.OrgID, user roster.UserID, perm string) bool {
	p, ok := x.model.PermissionIndex(perm)
	if !ok {
		return false
	}
	_, m := x.active(org, user)
	return m != nil && m.perms.Has(p)
}

// active returns the active membership of user in org, or nil.
func (x *Index) active(org roster.OrgID, user roster.UserID) (*orgSnapshot, *member) {
	s := x.snapshot(org)
	if s == nil {
		return nil, nil
	}
	if m := s.members.get(user); m != nil && m.access != inactive {
		return s, m
	}
	return nil, nil
}
