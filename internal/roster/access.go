package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// EffectiveClientMode is R10: the clients a member sees follow the role's
// rule; only all_by_default roles honour the member's own narrowing.
func EffectiveClientMode(rule, stored ClientAccessRule) ClientAccessRule {
	switch rule {
	case AccessAll, AccessSpecific, AccessNone:
		return rule
	case AccessAllByDefault:
		if stored == AccessSpecific {
			return AccessSpecific
		}
		return AccessAll
	}
	return AccessNone
}

// role is a resolved role: its definition and its permission set.
type role struct {
	RoleDef
	perms PermSet
}

// roleByKey resolves a system role of the model or a custom role of the
// organization (R9); an unknown key matches ErrNotFound.
func (s *Service) roleByKey(ctx context.Context, q Queries, org OrgID, key string) (role, error) {
	if def, ok := s.model.SystemRole(key); ok {
		return s.systemRole(def), nil
	}
	cr, err := q.GetCustomRole(ctx, org, key)
	if err != nil {
		return role{}, fmt.Errorf("role %q: %w", key, err)
	}
	return s.customRole(cr), nil
}

func (s *Service) systemRole(def RoleDef) role {
	return role{RoleDef: def, perms: s.model.PermSetOf(def.Permissions)}
}

// customRole resolves a custom role; its admin flag is R9's "holds every
// permission of the catalog".
func (s *Service) customRole(cr CustomRole) role {
	r := role{RoleDef: cr.RoleDef(), perms: s.model.PermSetOf(cr.Permissions)}
	r.Admin = r.perms.Contains(s.model.AllPermissions())
	return r
}

// clientRules maps every role of an organization, system and custom, to its
// client-access rule, for member views.
func (s *Service) clientRules(ctx context.Context, q Queries, org OrgID) (map[string]ClientAccessRule, error) {
	rules := make(map[string]ClientAccessRule, len(s.model.Roles))
	for _, def := range s.model.Roles {
		rules[def.Key] = def.ClientAccess
	}
	custom, err := q.ListCustomRoles(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("list custom roles: %w", err)
	}
	for _, cr := range custom {
		rules[cr.Key] = cr.ClientAccess
	}
	return rules, nil
}

// isAdminLevel reports whether the role holds everything.
func (s *Service) isAdminLevel(r role) bool {
	return r.Admin || r.perms.Contains(s.model.AllPermissions())
}

// caller is an actor resolved against one organization.
type caller struct {
	Actor
	org    Organization
	member Member // zero for the operator
	role   role
}

func (c caller) self(m MemberID) bool { return !c.Operator && c.member.ID == m }

// has reports whether the caller holds permission key (the operator holds all).
func (s *Service) has(c caller, key string) bool {
	if c.Operator {
		return true
	}
	i, ok := s.model.PermissionIndex(key)
	return ok && c.role.perms.Has(i)
}

// resolveCaller finds the actor's active membership of org. An organization
// the actor is not an active member of does not exist for them (404, R12).
func (s *Service) resolveCaller(ctx context.Context, q Queries, actor Actor, orgID OrgID) (caller, error) {
	org, err := q.GetOrganization(ctx, orgID)
	if errors.Is(err, ErrNotFound) {
		return caller{}, notFound("organization")
	}
	if err != nil {
		return caller{}, fmt.Errorf("get organization: %w", err)
	}
	if actor.Operator {
		return caller{Actor: actor, org: org}, nil
	}
	m, err := q.GetMemberByUser(ctx, orgID, actor.UserID)
	if errors.Is(err, ErrNotFound) || (err == nil && m.Status != StatusActive) {
		return caller{}, notFound("organization")
	}
	if err != nil {
		return caller{}, fmt.Errorf("get caller membership: %w", err)
	}
	r, err := s.roleByKey(ctx, q, orgID, m.Role)
	if err != nil {
		return caller{}, fmt.Errorf("caller role: %w", err)
	}
	return caller{Actor: actor, org: org, member: m, role: r}, nil
}

// lockCaller is resolveCaller inside a write transaction, after locking the
// organization so that every rule below sees a stable state.
func (s *Service) lockCaller(c *change, actor Actor, orgID OrgID) (caller, error) {
	if _, err := c.tx.LockOrganization(c.ctx, orgID); errors.Is(err, ErrNotFound) {
		return caller{}, notFound("organization")
	} else if err != nil {
		return caller{}, fmt.Errorf("lock organization: %w", err)
	}
	return s.resolveCaller(c.ctx, c.tx, actor, orgID)
}

// lockManager is lockCaller for the acts that need users.manage (R3, R9,
// teams).
func (s *Service) lockManager(c *change, actor Actor, orgID OrgID) (caller, error) {
	cl, err := s.lockCaller(c, actor, orgID)
	if err != nil {
		return caller{}, err
	}
	return cl, s.requireManager(cl)
}

// requirePermission refuses a caller lacking key with 403 forbidden.
func (s *Service) requirePermission(c caller, key string) error {
	if !s.has(c, key) {
		return forbidden(fmt.Sprintf("the %s permission is required", key))
	}
	return nil
}

// requireManager is the users.manage requirement of R3, R8, R11, R12.
func (s *Service) requireManager(c caller) error { return s.requirePermission(c, permUsersManage) }

const permUsersManage = "users.manage"

// requireSettings: the model's settings permission, or the owner; where the
// model names none, an admin-level role (docs/rules.md, "Who may read and change what").
func (s *Service) requireSettings(c caller) error {
	if c.Operator || c.org.OwnerMemberID == c.member.ID {
		return nil
	}
	if p := s.model.SettingsPermission; p != "" {
		return s.requirePermission(c, p)
	}
	if !s.isAdminLevel(c.role) {
		return forbidden("an admin-level role is required")
	}
	return nil
}

// requireClientsAdmin is the permission to create and archive clients.
func (s *Service) requireClientsAdmin(c caller) error {
	if p := s.model.ClientsAdminPermission; p != "" {
		return s.requirePermission(c, p)
	}
	if !c.Operator && !s.isAdminLevel(c.role) {
		return forbidden("an admin-level role is required")
	}
	return nil
}

// R8 no escalation: the caller can grant a role only if it holds every
// permission of that role.
func (s *Service) checkCanGrant(c caller, r role) error {
	if c.Operator || c.role.perms.Contains(r.perms) {
		return nil
	}
	return &Error{Code: CodeEscalation, Message: fmt.Sprintf("role %s holds permissions you lack", r.Key)}
}

// R8 no escalation, acting on a member: "own role" (403 forbidden) wins over
// owner_protected, which wins over escalation. ownerMatters is set for the
// acts the owner is protected from (role change, revoke, delete).
func (s *Service) checkCanActOn(ctx context.Context, q Queries, c caller, target Member, ownerMatters bool) error {
	if c.self(target.ID) {
		return forbidden("you cannot do this to your own membership")
	}
	if ownerMatters && c.org.OwnerMemberID == target.ID {
		return NewError(CodeOwnerProtected, "the owner is protected: transfer ownership first")
	}
	r, err := s.roleByKey(ctx, q, c.org.ID, target.Role)
	if err != nil {
		return fmt.Errorf("target role: %w", err)
	}
	if c.Operator || c.role.perms.Contains(r.perms) {
		return nil
	}
	return &Error{Code: CodeEscalation, Message: "this member's role holds permissions you lack"}
}

// canSeeMembers: every active member sees the members list unless the model
// names a permission for seeing others (wealth org.view_all).
func (s *Service) canSeeMembers(c caller) bool {
	p := s.model.MembersViewPermission
	return p == "" || s.has(c, p)
}

// hasPerClientPermission reports whether a role holds any per-client permission.
func (s *Service) hasPerClientPermission(r role) bool {
	for _, f := range s.model.Features {
		for _, p := range f.Permissions {
			if i, _ := s.model.PermissionIndex(p.Key); p.PerClient && r.perms.Has(i) {
				return true
			}
		}
	}
	return false
}

// R11 client scope: a caller who cannot see every client grants no wider
// client access than specific clients it sees (the list itself is checked
// by allowedClientList). Giving role r with stored mode mode is refused with
// 403 escalation when the member would see every client, and so would any
// client added later. Roles without a per-client permission see no client,
// so their mode does not matter.
func (s *Service) checkClientScope(cl caller, r role, mode ClientAccessRule) error {
	if !s.model.HasClients() || !s.hasPerClientPermission(r) {
		return nil
	}
	if s.seesEveryClient(cl) {
		return nil
	}
	switch EffectiveClientMode(r.ClientAccess, mode) {
	case AccessSpecific, AccessNone:
		return nil
	}
	return &Error{Code: CodeEscalation, Message: "you cannot see every client: you can give only specific clients you see"}
}

// seesEveryClient reports whether the caller sees every client, present and
// future (the operator does).
func (s *Service) seesEveryClient(cl caller) bool {
	all, _ := s.visibleClients(cl)
	return all
}

// visibleClients is the set of clients the caller sees: all=true for every
// client, otherwise the listed ones (R10, R11).
func (s *Service) visibleClients(c caller) (all bool, ids []ClientID) {
	if c.Operator {
		return true, nil
	}
	if !s.hasPerClientPermission(c.role) {
		return false, []ClientID{}
	}
	switch EffectiveClientMode(c.role.ClientAccess, c.member.ClientMode) {
	case AccessAll:
		return true, nil
	case AccessSpecific:
		return false, slices.Clone(c.member.Clients)
	}
	return false, []ClientID{}
}

// activityInterval is how stale a member's last_active_at may get before a
// request refreshes it: one write per member per interval, not per request.
const activityInterval = 5 * time.Minute

// readCaller is resolveCaller for requests outside a write transaction; it
// also records the member's activity (last_active_at).
func (s *Service) readCaller(ctx context.Context, actor Actor, org OrgID) (caller, error) {
	cl, err := s.resolveCaller(ctx, s.store, actor, org)
	if err != nil || actor.Operator {
		return cl, err
	}
	now := s.now()
	if last := cl.member.LastActiveAt; last == nil || now.Sub(*last) > activityInterval {
		err := s.store.WithTx(ctx, func(tx Tx) error { return tx.TouchMember(ctx, org, cl.member.ID, now) })
		if err != nil {
			s.log.WarnContext(ctx, "record activity", "member_id", cl.member.ID, "error", err)
		}
	}
	return cl, nil
}
