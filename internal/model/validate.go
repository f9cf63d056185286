package model

import (
	"fmt"
	"regexp"

	"github.com/roster-dev/roster/internal/roster"
)

var (
	keySyntax     = regexp.MustCompile(`^[a-z0-9_]+$`)
	permissionKey = regexp.MustCompile(`^[a-z0-9_]+\.[a-z0-9_]+$`)
)

// validate checks what the walk could not: references between parts, the
// rules of SPEC section 3, and the required keys.
func (p *parser) validate(m *roster.Model) {
	p.required(m)
	p.expandWildcards(m)
	p.checkRoles(m)
	p.checkPolicies(m)
	p.checkPlans(m)
	total := 0
	for _, f := range m.Features {
		total += len(f.Permissions)
	}
	if total > roster.MaxPermissions {
		p.at("features", "the catalog has %d permissions; at most %d are allowed", total, roster.MaxPermissions)
	}
}

// at reports an error at a top-level key's line (or line 1).
func (p *parser) at(topKey, format string, args ...any) {
	line := p.lines.top[topKey]
	if line == 0 {
		line = 1
	}
	p.errs = append(p.errs, Error{Line: line, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) required(m *roster.Model) {
	for key, missing := range map[string]bool{
		"name": m.Name == "", "owner_role": m.OwnerRole == "", "default_role": m.DefaultRole == "",
		"default_plan": m.DefaultPlan == "", "features": len(m.Features) == 0, "roles": len(m.Roles) == 0,
		"plans": len(m.Plans) == 0,
	} {
		if _, present := p.lines.top[key]; missing && !present { // a present but bad value has its own error
			p.at(key, "%s is required", key)
		}
	}
	if m.Names.Organization == "" {
		p.at("names", "names.organization is required")
	}
	if m.ExistingUsers != roster.ExistingUsersJoin && m.ExistingUsers != roster.ExistingUsersInvite {
		p.at("existing_users", "existing_users must be join or invite")
	}
}

// expandWildcards turns a role's "*" into every permission of the catalog.
func (p *parser) expandWildcards(m *roster.Model) {
	var all []string
	for _, f := range m.Features {
		for _, perm := range f.Permissions {
			all = append(all, perm.Key)
		}
	}
	for i := range m.Roles {
		if len(m.Roles[i].Permissions) == 1 && m.Roles[i].Permissions[0] == "*" {
			m.Roles[i].Permissions = append([]string{}, all...)
		}
	}
}

func (p *parser) checkRoles(m *roster.Model) {
	for _, r := range m.Roles {
		line := p.lines.roleAccess[r.Key]
		switch {
		case r.ClientAccess == "":
			p.errs = append(p.errs, Error{line, fmt.Sprintf("role %s needs client_access", r.Key)})
		case r.ClientAccess != roster.AccessAll && r.ClientAccess != roster.AccessAllByDefault && r.ClientAccess != roster.AccessSpecific && r.ClientAccess != roster.AccessNone:
			p.errs = append(p.errs, Error{line, fmt.Sprintf("role %s: client_access must be all, all_by_default, specific or none", r.Key)})
		case m.HasClients() && r.ClientAccess == roster.AccessNone:
			p.errs = append(p.errs, Error{line, fmt.Sprintf("role %s: client_access none is only for models without clients", r.Key)})
		case !m.HasClients() && r.ClientAccess != roster.AccessNone:
			p.errs = append(p.errs, Error{line, fmt.Sprintf("role %s: a model without clients needs client_access none", r.Key)})
		}
		for _, ref := range p.lines.rolePerms[r.Key] {
			if _, ok := p.lines.permission[ref.key]; !ok {
				p.errs = append(p.errs, Error{ref.line, fmt.Sprintf("role %s: unknown permission %q", r.Key, ref.key)})
			}
		}
	}
	p.checkRoleRef(m, "owner_role", m.OwnerRole)
	p.checkRoleRef(m, "default_role", m.DefaultRole)
	if owner, ok := roleByKey(m, m.OwnerRole); ok && !owner.Admin {
		p.at("owner_role", "owner role %s must be admin: true", owner.Key)
	}
	if def, ok := roleByKey(m, m.DefaultRole); ok && def.NotAssignable {
		p.at("default_role", "default role %s is not assignable", def.Key)
	}
	for _, r := range m.Roles {
		if r.Admin && len(r.Permissions) < len(p.lines.permission) {
			p.errs = append(p.errs, Error{p.lines.role[r.Key], fmt.Sprintf("role %s is admin but lacks permissions of the catalog (use permissions: \"*\")", r.Key)})
		}
	}
}

func (p *parser) checkRoleRef(m *roster.Model, key, role string) {
	if role == "" {
		return
	}
	if _, ok := p.lines.role[role]; !ok {
		p.at(key, "%s %s is not a role of the model", key, role)
	}
}

func (p *parser) checkPolicies(m *roster.Model) {
	for key, perm := range map[string]string{
		"members_view_permission":  m.MembersViewPermission,
		"settings_permission":      m.SettingsPermission,
		"clients_admin_permission": m.ClientsAdminPermission,
	} {
		if _, ok := p.lines.permission[perm]; perm != "" && !ok {
			p.at(key, "%s %q is not a permission of the catalog", key, perm)
		}
	}
	if !m.HasClients() && m.ClientsAdminPermission != "" {
		p.at("clients_admin_permission", "clients_admin_permission needs names.client (the model has no clients)")
	}
	if !m.HasClients() {
		for _, f := range m.Features {
			for _, perm := range f.Permissions {
				if perm.PerClient {
					p.errs = append(p.errs, Error{p.lines.permission[perm.Key], fmt.Sprintf("permission %s is per client but the model has no clients", perm.Key)})
				}
			}
		}
	}
}

func (p *parser) checkPlans(m *roster.Model) {
	if _, ok := p.lines.plan[m.DefaultPlan]; m.DefaultPlan != "" && !ok {
		p.at("default_plan", "default_plan %s is not a plan of the model", m.DefaultPlan)
	}
}

func roleByKey(m *roster.Model, key string) (roster.RoleDef, bool) {
	for _, r := range m.Roles {
		if r.Key == key {
			return r, true
		}
	}
	return roster.RoleDef{}, false
}
