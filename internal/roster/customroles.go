package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RoleInput is the form of a custom role (R9); nil leaves a field as it is
// on edit and takes the default on creation.
type RoleInput struct {
	Name         *string
	Description  *string
	Icon         *string
	Permissions  *[]string
	ClientAccess *ClientAccessRule
}

const (
	maxRoleDescription = 500
	maxRoleIcon        = 32
)

// CreateRole is R9: holders of users.manage create a custom role where the
// plan allows, never above themselves (R8). The key is made from the name.
func (s *Service) CreateRole(ctx context.Context, actor Actor, orgID OrgID, in RoleInput) (RoleView, error) {
	var view RoleView
	err := s.update(ctx, func(c *change) error {
		cl, err := s.lockCaller(c, actor, orgID)
		if err != nil {
			return err
		}
		if err := s.requireRoleEditor(cl); err != nil {
			return err
		}
		cr := CustomRole{OrgID: orgID, ClientAccess: s.defaultCustomClientAccess(cl), Permissions: []string{}, CreatedAt: s.now()}
		if err := s.applyRoleInput(c.ctx, c.tx, cl, &cr, in, true); err != nil {
			return err
		}
		existing, err := c.tx.ListCustomRoles(c.ctx, orgID)
		if err != nil {
			return fmt.Errorf("list custom roles: %w", err)
		}
		for _, r := range existing {
			cr.Position = max(cr.Position, r.Position+1)
		}
		if err := c.tx.CreateCustomRole(c.ctx, cr); errors.Is(err, ErrConflict) {
			return nameTaken(cr.Name)
		} else if err != nil {
			return fmt.Errorf("create role: %w", err)
		}
		if err := c.touch(orgID); err != nil {
			return err
		}
		if err := c.audit(cl.Actor, orgID, "role.created", "role", cr.Key, "", nil, roleJSON(cr)); err != nil {
			return err
		}
		view, err = s.customRoleView(c, cl, cr.Key)
		return err
	})
	return view, err
}

// UpdateRole is R9: an edit applies to every member of the role at once
// (the index is rebuilt on commit); system roles are read-only; the caller
// must hold every permission of the role before and after (R8).
func (s *Service) UpdateRole(ctx context.Context, actor Actor, orgID OrgID, key string, in RoleInput) (RoleView, error) {
	var view RoleView
	err := s.update(ctx, func(c *change) error {
		cl, cr, err := s.lockCustomRole(c, actor, orgID, key)
		if err != nil {
			return err
		}
		if err := s.requireRoleEditor(cl); err != nil {
			return err
		}
		if err := checkNotOwnRole(cl, key); err != nil {
			return err
		}
		if err := s.checkCanGrant(cl, s.customRole(cr)); err != nil {
			return err
		}
		before := roleJSON(cr)
		if err := s.applyRoleInput(c.ctx, c.tx, cl, &cr, in, false); err != nil {
			return err
		}
		if err := c.tx.UpdateCustomRole(c.ctx, cr); errors.Is(err, ErrConflict) {
			return nameTaken(cr.Name)
		} else if err != nil {
			return fmt.Errorf("update role: %w", err)
		}
		if err := c.touch(orgID); err != nil {
			return err
		}
		b, a := changedFields(before, roleJSON(cr))
		if err := c.audit(cl.Actor, orgID, "role.updated", "role", cr.Key, "", b, a); err != nil {
			return err
		}
		view, err = s.customRoleView(c, cl, cr.Key)
		return err
	})
	return view, err
}

// DeleteRole is R9: refused with role_in_use while any member holds the
// role (invited and revoked included) unless reassignTo names the role they
// get instead. Allowed after a plan downgrade: it only removes.
func (s *Service) DeleteRole(ctx context.Context, actor Actor, orgID OrgID, key, reassignTo string) error {
	return s.update(ctx, func(c *change) error {
		cl, cr, err := s.lockCustomRole(c, actor, orgID, key)
		if err != nil {
			return err
		}
		if err := s.requireManager(cl); err != nil {
			return err
		}
		if err := checkNotOwnRole(cl, key); err != nil {
			return err
		}
		if err := s.checkCanGrant(cl, s.customRole(cr)); err != nil {
			return err
		}
		holders, err := c.tx.ListMembers(c.ctx, orgID, MemberFilter{Roles: []string{key}})
		if err != nil {
			return fmt.Errorf("list members of role: %w", err)
		}
		if err := s.reassignMembers(c, cl, holders, key, reassignTo); err != nil {
			return err
		}
		if err := c.tx.DeleteCustomRole(c.ctx, orgID, key); err != nil {
			return fmt.Errorf("delete role: %w", err)
		}
		if err := c.touch(orgID); err != nil {
			return err
		}
		return c.audit(cl.Actor, orgID, "role.deleted", "role", key, "", roleJSON(cr), map[string]any{"reassign_to": nullable(reassignTo), "members_reassigned": len(holders)})
	})
}

// reassignMembers gives every holder of a role being deleted the role
// reassignTo, which the caller must be able to grant (R8).
func (s *Service) reassignMembers(c *change, cl caller, holders []Member, from, reassignTo string) error {
	if reassignTo == "" {
		if len(holders) > 0 {
			return NewError(CodeRoleInUse, fmt.Sprintf("%d members hold role %s: reassign them (reassign_to) or change their roles first", len(holders), from))
		}
		return nil
	}
	target, err := s.roleByKey(c.ctx, c.tx, cl.org.ID, reassignTo)
	if errors.Is(err, ErrNotFound) || reassignTo == from {
		return Invalid("reassign_to", "reassign_to must name another role of the organization")
	} else if err != nil {
		return err
	}
	if err := s.checkCanGrant(cl, target); err != nil {
		return err
	}
	if target.NotAssignable {
		return Invalid("reassign_to", "role "+reassignTo+" cannot be assigned")
	}
	for _, m := range holders {
		if err := s.checkClientScope(cl, target, m.ClientMode); err != nil {
			return err
		}
		m.Role = reassignTo // R11: the client list is kept; the mode follows the new rule
		if err := c.tx.UpdateMember(c.ctx, m); err != nil {
			return fmt.Errorf("reassign %s: %w", m.ID, err)
		}
		if err := c.audit(cl.Actor, cl.org.ID, "member.role_changed", "member", string(m.ID), m.ID,
			map[string]any{"role": from}, map[string]any{"role": reassignTo}); err != nil {
			return err
		}
	}
	return nil
}

// ReorderRoles is R9: custom roles are shown in the order given, which must
// name each custom role of the organization once. Allowed after a plan
// downgrade: order is presentation, not an edit of what a role grants.
func (s *Service) ReorderRoles(ctx context.Context, actor Actor, orgID OrgID, keys []string) ([]RoleView, error) {
	var views []RoleView
	err := s.update(ctx, func(c *change) error {
		cl, err := s.lockManager(c, actor, orgID)
		if err != nil {
			return err
		}
		custom, err := c.tx.ListCustomRoles(c.ctx, orgID)
		if err != nil {
			return fmt.Errorf("list custom roles: %w", err)
		}
		if err := checkPermutation(custom, keys); err != nil {
			return err
		}
		before := make([]string, len(custom))
		for i, cr := range custom {
			before[i] = cr.Key
		}
		if err := s.storeOrder(c, orgID, custom, keys); err != nil {
			return err
		}
		if err := c.audit(cl.Actor, orgID, "roles.reordered", "organization", string(orgID), "", map[string]any{"roles": before}, map[string]any{"roles": keys}); err != nil {
			return err
		}
		views, err = s.roleViews(c.ctx, c.tx, cl)
		return err
	})
	return views, err
}

func checkPermutation(custom []CustomRole, keys []string) error {
	if len(keys) != len(custom) {
		return Invalid("roles", fmt.Sprintf("name each of the %d custom roles once", len(custom)))
	}
	seen := map[string]bool{}
	for _, k := range keys {
		found := slices.ContainsFunc(custom, func(cr CustomRole) bool { return cr.Key == k })
		if !found || seen[k] {
			return Invalid("roles", fmt.Sprintf("name each custom role once (%q is unknown or repeated); system roles keep their place", k))
		}
		seen[k] = true
	}
	return nil
}

func (s *Service) storeOrder(c *change, orgID OrgID, custom []CustomRole, keys []string) error {
	for _, cr := range custom {
		pos := slices.Index(keys, cr.Key)
		if cr.Position == pos {
			continue
		}
		cr.Position = pos
		if err := c.tx.UpdateCustomRole(c.ctx, cr); err != nil {
			return fmt.Errorf("reorder role %s: %w", cr.Key, err)
		}
	}
	return c.touch(orgID)
}

// lockCustomRole locks the organization and loads one of its custom roles:
// 404 for an unknown key, 403 for a system role (read-only).
func (s *Service) lockCustomRole(c *change, actor Actor, orgID OrgID, key string) (caller, CustomRole, error) {
	cl, err := s.lockCaller(c, actor, orgID)
	if err != nil {
		return caller{}, CustomRole{}, err
	}
	if _, ok := s.model.SystemRole(key); ok {
		return caller{}, CustomRole{}, forbidden("system roles cannot be edited or deleted")
	}
	cr, err := c.tx.GetCustomRole(c.ctx, orgID, key)
	if errors.Is(err, ErrNotFound) {
		return caller{}, CustomRole{}, notFound("role")
	} else if err != nil {
		return caller{}, CustomRole{}, fmt.Errorf("get role: %w", err)
	}
	return cl, cr, nil
}

// requireRoleEditor: users.manage, and a plan with custom roles (after a
// downgrade custom roles keep working but cannot be created or edited).
func (s *Service) requireRoleEditor(cl caller) error {
	if err := s.requireManager(cl); err != nil {
		return err
	}
	if plan, _ := s.model.Plan(cl.org.Plan); !plan.CustomRoles {
		return NewError(CodePlanFeatureUnavailable, fmt.Sprintf("the %s plan has no custom roles", cl.org.Plan))
	}
	return nil
}

// applyRoleInput validates in and applies it to cr. The order follows the
// contract: escalation (403) before malformed input (422); a taken name
// (409) is left to the caller.
func (s *Service) applyRoleInput(ctx context.Context, q Queries, cl caller, cr *CustomRole, in RoleInput, creating bool) error {
	if in.Permissions != nil {
		perms := s.withViewPermissions(*in.Permissions)
		if !cl.Operator && !cl.role.perms.Contains(s.model.PermSetOf(perms)) {
			return &Error{Code: CodeEscalation, Message: "the role would hold permissions you lack"}
		}
		for _, p := range *in.Permissions {
			if _, ok := s.model.Permission(p); !ok {
				return Invalid("permissions", "unknown permission "+p)
			}
		}
		cr.Permissions = s.model.Keys(s.model.PermSetOf(perms))
	} else if creating {
		return Invalid("permissions", "permissions are required (an empty list is allowed)")
	}
	if in.Name != nil || creating {
		if err := s.applyRoleName(ctx, q, cr, in.Name, creating); err != nil {
			return err
		}
	}
	if in.Description != nil {
		if utf8.RuneCountInString(*in.Description) > maxRoleDescription {
			return Invalid("description", fmt.Sprintf("description must be at most %d characters", maxRoleDescription))
		}
		cr.Description = strings.TrimSpace(*in.Description)
	}
	if in.Icon != nil {
		if utf8.RuneCountInString(*in.Icon) > maxRoleIcon || strings.ContainsAny(*in.Icon, "\r\n\x00") {
			return Invalid("icon", fmt.Sprintf("icon must be at most %d characters on one line", maxRoleIcon))
		}
		cr.Icon = strings.TrimSpace(*in.Icon)
	}
	if in.ClientAccess != nil {
		if err := s.validateCustomClientAccess(*in.ClientAccess); err != nil {
			return err
		}
		cr.ClientAccess = *in.ClientAccess
	}
	// R11: holders of a role with all or all_by_default access see every
	// client, which a caller restricted to some may not give.
	return s.checkClientScope(cl, s.customRole(*cr), "")
}

// checkNotOwnRole: nobody edits or deletes a role they hold (R8), which
// would change their own rights.
func checkNotOwnRole(cl caller, key string) error {
	if !cl.Operator && cl.member.Role == key {
		return forbidden("you cannot edit or delete a role you hold")
	}
	return nil
}

// applyRoleName sets the name; on creation it also makes the key. A name
// whose key or name is taken, by a system or a custom role, is 409 name_taken.
func (s *Service) applyRoleName(ctx context.Context, q Queries, cr *CustomRole, name *string, creating bool) error {
	if name == nil {
		return Invalid("name", "name is required")
	}
	if err := validateName("name", *name, true); err != nil {
		return err
	}
	cr.Name = strings.TrimSpace(*name)
	if !strings.ContainsFunc(cr.Name, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return Invalid("name", "name must contain a letter or a digit")
	}
	if creating {
		cr.Key = RoleKey(cr.Name)
		if cr.Key == "" { // a name in a script without ASCII letters
			cr.Key = newID("role_")
		}
	}
	for _, def := range s.model.Roles {
		if (creating && def.Key == cr.Key) || NormalizeName(def.Name) == NormalizeName(cr.Name) {
			return nameTaken(cr.Name)
		}
	}
	if creating {
		if _, err := q.GetCustomRole(ctx, cr.OrgID, cr.Key); err == nil {
			return nameTaken(cr.Name)
		} else if !errors.Is(err, ErrNotFound) {
			return fmt.Errorf("get role: %w", err)
		}
	}
	return nil
}

func nameTaken(name string) *Error {
	return NewError(CodeNameTaken, fmt.Sprintf("a role named %q, or with the same key, exists already", name))
}

// RoleKey makes a custom role's key from its name: lower-case ASCII letters
// and digits, every other run of characters one underscore ([a-z0-9_]+).
// It is empty for a name without ASCII letters or digits; such a role gets
// a random key "role_…".
func RoleKey(name string) string {
	var b strings.Builder
	pending := false
	for _, r := range strings.ToLower(name) {
		if r < 128 && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			if pending && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			pending = false
			continue
		}
		pending = true
	}
	key := b.String()
	if len(key) > 64 {
		key = strings.TrimRight(key[:64], "_")
	}
	return key
}

// withViewPermissions is R9: a feature's view permission is added once any
// permission of that feature is, where the feature has one.
func (s *Service) withViewPermissions(keys []string) []string {
	out := slices.Clone(keys)
	for _, k := range keys {
		view := FeatureOf(k) + ".view"
		if _, ok := s.model.Permission(view); ok && !slices.Contains(out, view) {
			out = append(out, view)
		}
	}
	return out
}

// defaultCustomClientAccess is all_by_default in models with clients, or
// specific for a caller who cannot see every client (R11).
func (s *Service) defaultCustomClientAccess(cl caller) ClientAccessRule {
	switch {
	case !s.model.HasClients():
		return AccessNone
	case !s.seesEveryClient(cl):
		return AccessSpecific
	}
	return AccessAllByDefault
}

func (s *Service) validateCustomClientAccess(rule ClientAccessRule) error {
	if !s.model.HasClients() {
		if rule != AccessNone {
			return Invalid("client_access", "this model has no clients: client_access must be none")
		}
		return nil
	}
	switch rule {
	case AccessAll, AccessAllByDefault, AccessSpecific:
		return nil
	}
	return Invalid("client_access", "client_access must be all, all_by_default or specific")
}

func (s *Service) customRoleView(c *change, cl caller, key string) (RoleView, error) {
	views, err := s.roleViews(c.ctx, c.tx, cl)
	if err != nil {
		return RoleView{}, err
	}
	for _, v := range views {
		if v.Key == key {
			return v, nil
		}
	}
	return RoleView{}, fmt.Errorf("role %s: %w", key, ErrNotFound)
}

func roleJSON(cr CustomRole) map[string]any {
	return map[string]any{"name": cr.Name, "description": cr.Description, "icon": cr.Icon,
		"permissions": cr.Permissions, "client_access": cr.ClientAccess}
}

// changedFields keeps the fields whose values differ, for audit before/after.
func changedFields(before, after map[string]any) (map[string]any, map[string]any) {
	b, a := map[string]any{}, map[string]any{}
	for k, v := range after {
		if fmt.Sprint(before[k]) != fmt.Sprint(v) {
			b[k], a[k] = before[k], v
		}
	}
	return b, a
}
