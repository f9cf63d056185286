package authz

import "github.com/roster-dev/roster/internal/roster"

// MemberView is a read-only view of one membership in one snapshot; it does
// not change when the index does.
type MemberView struct {
	MemberID    roster.MemberID
	Status      roster.MemberStatus
	Role        string
	Permissions roster.PermSet          // empty for an unknown role
	Mode        roster.ClientAccessRule // effective client mode (R10)

	s *orgSnapshot
	m *member
}

// Member returns the membership of user in org, whatever its status.
func (x *Index) Member(org roster.OrgID, user roster.UserID) (MemberView, bool) {
	s := x.snapshot(org)
	if s == nil {
		return MemberView{}, false
	}
	m := s.members.get(user)
	if m == nil {
		return MemberView{}, false
	}
	return MemberView{
		MemberID: m.info.id, Status: m.info.status, Role: m.info.role,
		Permissions: m.perms, Mode: m.info.mode, s: s, m: m,
	}, true
}

// HasClient reports whether client is a client of the organization inside
// the member's access: any client in mode all, an assigned one in mode
// specific. It does not look at status or permissions.
func (v MemberView) HasClient(client roster.ClientID) bool {
	if v.s == nil {
		return false
	}
	i := v.s.clients.get(client)
	switch {
	case i == nil:
		return false
	case v.Mode == roster.AccessAll:
		return true
	}
	return v.Mode == roster.AccessSpecific && v.m.assigned.has(*i)
}

// Clients lists the assigned clients of a member in mode specific, sorted;
// assignments to ids that are not clients of the organization are left out.
// It is nil in the other modes. The slice is the caller's.
func (v MemberView) Clients() []roster.ClientID {
	if v.m == nil || v.Mode != roster.AccessSpecific {
		return nil
	}
	return v.m.assigned.ids(v.s.clientIDs)
}

// VisibleClients says which clients user sees in org: an active member sees
// a client when it holds a per-client permission and the client is in its
// access (docs/rules.md, "Client access"). all means every client of the organization,
// current and future (ids is then nil); otherwise ids lists them, sorted.
func (x *Index) VisibleClients(org roster.OrgID, user roster.UserID) (all bool, ids []roster.ClientID) {
	s, m := x.active(org, user)
	if m == nil || !intersects(m.perms, x.perClient) {
		return false, nil
	}
	switch m.access {
	case seesAll:
		return true, nil
	case seesAssigned:
		return false, m.assigned.ids(s.clientIDs)
	}
	return false, nil
}

func intersects(a, b roster.PermSet) bool {
	for i := range a {
		if a[i]&b[i] != 0 {
			return true
		}
	}
	return false
}

// MemberStatus is the status of the user's membership of org, for the
// domain's roster.Index.
func (x *Index) MemberStatus(org roster.OrgID, user roster.UserID) (roster.MemberStatus, bool) {
	v, ok := x.Member(org, user)
	return v.Status, ok
}
