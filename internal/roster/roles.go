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
	Position int
	Members  []Member
}

// ListRoles lists the roles in display order: system roles, then custom
// roles. Members are active members only: invited users are not shown (R6).
func (s *Service) ListRoles(ctx context.Context, actor Actor, orgID OrgID) ([]RoleView, error) {
	cl, err := s.readCaller(ctx, actor, orgID)
	if err != nil {
		return nil, err
	}
	f := MemberFilter{Statuses: []MemberStatus{StatusActive}}
	if !s.canSeeMembers(cl) {
		f.OnlyID = cl.member.ID
	}
	active, err := s.store.ListMembers(ctx, orgID, f)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	out := make([]RoleView, 0, len(s.model.Roles))
	for i, def := range s.model.Roles {
		r := role{RoleDef: def, perms: s.model.PermSetOf(def.Permissions)}
		v := RoleView{RoleDef: def, System: true, Admin: s.isAdminLevel(r), Position: i, Members: []Member{}}
		v.Permissions = s.model.Keys(r.perms)
		for _, m := range active {
			if m.Role == def.Key {
				v.Members = append(v.Members, m)
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// ListPermissions returns the model's catalog, grouped by feature.
func (s *Service) ListPermissions(ctx context.Context, actor Actor, orgID OrgID) ([]Feature, error) {
	if _, err := s.readCaller(ctx, actor, orgID); err != nil {
		return nil, err
	}
	return s.model.Features, nil
}
