package roster

import (
	"context"
	"fmt"
)

// This file answers "what may this caller do?" for the portal, which shows
// a button only to those who may use it. Each answer goes through the same
// helpers that enforce the rule (requireManager, checkCanActOn,
// checkCanGrant, requireSettings, requireClientsAdmin), so a button is
// shown exactly when the matching call would pass its permission checks;
// the call itself still checks everything again in its transaction.

// Capabilities is what the caller may do in one organization.
type Capabilities struct {
	MemberID         MemberID
	Role             string
	IsOwner          bool
	IsBillingContact bool
	ManageUsers      bool // invite, change roles, assign clients, revoke (users.manage)
	EditSettings     bool // organization name and enforced authentication
	ManageClients    bool // add, archive and restore clients
	SeeMembers       bool // the members list beyond oneself
	// MoveBillingContact: the owner, or an admin-level billing contact (R14).
	MoveBillingContact bool
	// CreateRoles: users.manage and a plan with custom roles (R9).
	CreateRoles bool
	// ManageTeams: users.manage where the model has teams.
	ManageTeams bool
	// GrantEveryClient: the caller sees every client, so it may give access
	// to all of them; otherwise only specific clients it sees (R11).
	GrantEveryClient bool
}

// Capabilities resolves the caller in orgID (404 when it is not an active
// member) and reports what it may do there.
func (s *Service) Capabilities(ctx context.Context, actor Actor, orgID OrgID) (Capabilities, error) {
	cl, err := s.resolveCaller(ctx, s.store, actor, orgID)
	if err != nil {
		return Capabilities{}, err
	}
	return s.capabilities(cl), nil
}

func (s *Service) capabilities(cl caller) Capabilities {
	isOwner := !cl.Operator && cl.org.OwnerMemberID == cl.member.ID
	isContact := !cl.Operator && cl.org.BillingContact != "" && cl.org.BillingContact == cl.member.ID
	return Capabilities{
		MemberID:           cl.member.ID,
		Role:               cl.member.Role,
		IsOwner:            isOwner,
		IsBillingContact:   isContact,
		ManageUsers:        s.requireManager(cl) == nil,
		EditSettings:       s.requireSettings(cl) == nil,
		ManageClients:      s.model.HasClients() && s.requireClientsAdmin(cl) == nil,
		SeeMembers:         s.canSeeMembers(cl),
		MoveBillingContact: s.model.BillingContact && (isOwner || (isContact && s.isAdminLevel(cl.role))),
		CreateRoles:        s.requireRoleEditor(cl) == nil,
		ManageTeams:        s.model.Teams && s.requireManager(cl) == nil,
		GrantEveryClient:   s.model.HasClients() && s.seesEveryClient(cl),
	}
}

// MemberActions is which row actions of the Users page the caller may take
// on one member.
type MemberActions struct {
	ChangeRole         bool
	AssignClients      bool
	SetAgentAccess     bool
	SetTeams           bool
	Revoke             bool
	Reactivate         bool
	Delete             bool
	Resend             bool
	TransferOwnership  bool
	MakeBillingContact bool
}

// Any reports whether at least one action is allowed.
func (a MemberActions) Any() bool { return a != MemberActions{} }

// MemberActions answers, for each member, which actions the caller may take.
func (s *Service) MemberActions(ctx context.Context, actor Actor, orgID OrgID, members []MemberView) (map[MemberID]MemberActions, error) {
	cl, err := s.resolveCaller(ctx, s.store, actor, orgID)
	if err != nil {
		return nil, err
	}
	grantable, err := s.grantable(ctx, actor, cl)
	if err != nil {
		return nil, err
	}
	caps := s.capabilities(cl)
	out := make(map[MemberID]MemberActions, len(members))
	for _, m := range members {
		out[m.ID] = s.memberActions(ctx, cl, caps, grantable, m)
	}
	return out, nil
}

func (s *Service) memberActions(ctx context.Context, cl caller, caps Capabilities, grantable []RoleView, m MemberView) MemberActions {
	var a MemberActions
	active, revoked := m.Status == StatusActive, m.Status == StatusRevoked
	a.TransferOwnership = s.model.OwnershipTransfer && caps.IsOwner && active && m.ID != cl.org.OwnerMemberID
	a.MakeBillingContact = caps.MoveBillingContact && active && m.ID != cl.org.BillingContact
	if !caps.ManageUsers {
		return a
	}
	actOn := s.checkCanActOn(ctx, s.store, cl, m.Member, false) == nil
	actOnOwner := s.checkCanActOn(ctx, s.store, cl, m.Member, true) == nil
	a.ChangeRole = actOnOwner && !revoked && hasOtherRole(grantable, m.Role)
	// Agent access and teams may also be set on oneself (UpdateMember).
	a.SetAgentAccess = s.model.AgentAccess && (actOn || cl.self(m.ID))
	a.SetTeams = s.model.Teams && (actOn || cl.self(m.ID))
	a.Revoke = actOnOwner && !revoked
	a.Reactivate = actOn && revoked
	a.Delete = actOnOwner && revoked
	a.Resend = actOn && m.Status == StatusInvited
	if actOn && s.model.HasClients() {
		if r, err := s.roleByKey(ctx, s.store, cl.org.ID, m.Role); err == nil {
			a.AssignClients = r.ClientAccess == AccessAllByDefault || r.ClientAccess == AccessSpecific
		}
	}
	return a
}

func hasOtherRole(roles []RoleView, current string) bool {
	for _, r := range roles {
		if r.Key != current {
			return true
		}
	}
	return false
}

// GrantableRoles lists, in display order, the roles the caller may give by
// invitation or role change (R8: only roles whose every permission the
// caller holds; never a role the model marks not assignable).
func (s *Service) GrantableRoles(ctx context.Context, actor Actor, orgID OrgID) ([]RoleView, error) {
	cl, err := s.resolveCaller(ctx, s.store, actor, orgID)
	if err != nil {
		return nil, err
	}
	return s.grantable(ctx, actor, cl)
}

func (s *Service) grantable(ctx context.Context, actor Actor, cl caller) ([]RoleView, error) {
	if s.requireManager(cl) != nil {
		return []RoleView{}, nil
	}
	all, err := s.ListRoles(ctx, actor, cl.org.ID)
	if err != nil {
		return nil, err
	}
	out := []RoleView{}
	for _, v := range all {
		r, err := s.roleByKey(ctx, s.store, cl.org.ID, v.Key)
		if err != nil {
			return nil, fmt.Errorf("grantable roles: %w", err)
		}
		if s.checkCanGrant(cl, r) == nil && !r.NotAssignable {
			out = append(out, v)
		}
	}
	return out, nil
}

// RoleActions is what the caller may do to one role on the Roles page.
type RoleActions struct {
	Edit   bool // custom roles only, plan permitting, within the caller's permissions
	Delete bool // custom roles only, within the caller's permissions
}

// RoleActions answers, for each role of the organization, whether the
// caller may edit or delete it (R8, R9).
func (s *Service) RoleActions(ctx context.Context, actor Actor, orgID OrgID, roles []RoleView) (map[string]RoleActions, error) {
	cl, err := s.resolveCaller(ctx, s.store, actor, orgID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]RoleActions, len(roles))
	editor := s.requireRoleEditor(cl) == nil
	manager := s.requireManager(cl) == nil
	for _, v := range roles {
		if v.System {
			out[v.Key] = RoleActions{}
			continue
		}
		r, err := s.roleByKey(ctx, s.store, orgID, v.Key)
		if err != nil {
			return nil, fmt.Errorf("role actions: %w", err)
		}
		grant := s.checkCanGrant(cl, r) == nil
		out[v.Key] = RoleActions{Edit: editor && grant, Delete: manager && grant}
	}
	return out, nil
}
