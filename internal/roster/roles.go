package roster

import (
	"context"
	"fmt"
)

// RoleView is a role as the API shows it, with its active members (R6).
type RoleView struct {
	RoleDef
	System   bool
	Admin    bool
	Icon     string
	Position int
	Members  []Member
}

// ListRoles lists the roles in display order: system roles, then custom
// roles in their order. Members are active members only: invited users are
// not shown (R6).
func (s *Service) ListRoles(ctx context.Context, actor Actor, orgID OrgID) ([]RoleView, error) {
	cl, err := s.readCaller(ctx, actor, orgID)
	if err != nil {
		return nil, err
	}
	return s.roleViews(ctx, s.store, cl)
}

func (s *Service) roleViews(ctx context.Context, q Queries, cl caller) ([]RoleView, error) {
	f := MemberFilter{Statuses: []MemberStatus{StatusActive}}
	if !s.canSeeMembers(cl) {
		f.OnlyID = cl.member.ID
	}
	active, err := q.ListMembers(ctx, cl.org.ID, f)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	custom, err := q.ListCustomRoles(ctx, cl.org.ID)
	if err != nil {
		return nil, fmt.Errorf("list custom roles: %w", err)
	}
	out := make([]RoleView, 0, len(s.model.Roles)+len(custom))
	for _, def := range s.model.Roles {
		v := s.roleView(s.systemRole(def), len(out), active)
		v.System = true
		out = append(out, v)
	}
	for _, cr := range custom {
		v := s.roleView(s.customRole(cr), len(out), active)
		v.Icon = cr.Icon
		out = append(out, v)
	}
	return out, nil
}

func (s *Service) roleView(r role, position int, active []Member) RoleView {
	v := RoleView{RoleDef: r.RoleDef, Admin: s.isAdminLevel(r), Position: position, Members: []Member{}}
	v.Permissions = s.model.Keys(r.perms)
	for _, m := range active {
		if m.Role == r.Key {
			v.Members = append(v.Members, m)
		}
	}
	return v
}

// ListPermissions returns the model's catalog, grouped by feature.
func (s *Service) ListPermissions(ctx context.Context, actor Actor, orgID OrgID) ([]Feature, error) {
	if _, err := s.readCaller(ctx, actor, orgID); err != nil {
		return nil, err
	}
	return s.model.Features, nil
}
