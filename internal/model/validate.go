package model

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

var (
	keySyntax     = regexp.MustCompile(`^[a-z0-9_]+$`)
	permissionKey = regexp.MustCompile(`^[a-z0-9_]+\.[a-z0-9_]+$`)
)

// validate checks what the walk could not: required keys, key syntax,
// references between the parts and the rules of docs/rules.md, "The model file". It expands
// roles' "*" into the catalog.
func (p *parser) validate(m *roster.Model) {
	p.required(m)
	catalog := p.catalog(m)
	p.checkRoles(m, catalog)
	p.checkRoleRefs(m)
	p.checkPolicies(m, catalog)
	p.checkPlans(m)
}

// top is the line of a top-level key, or 0 when it is absent.
func (p *parser) top(key string) int { return p.pos.top[key].line }

// clientsUnknown reports that names is malformed, so whether the model has
// clients is unknown and the checks that depend on it are skipped.
func (p *parser) clientsUnknown() bool {
	names, present := p.pos.top["names"]
	return present && !names.ok
}

func (p *parser) required(m *roster.Model) {
	for _, r := range []struct {
		key, empty string
		isEmpty    bool
	}{
		{"name", "name must not be empty", m.Name == ""},
		{"names", "", false},
		{"existing_users", "existing_users must be join or invite", m.ExistingUsers == ""},
		{"owner_role", "owner_role must not be empty", m.OwnerRole == ""},
		{"default_role", "default_role must not be empty", m.DefaultRole == ""},
		{"default_plan", "default_plan must not be empty", m.DefaultPlan == ""},
		{"features", "features must list at least one feature", len(m.Features) == 0},
		{"roles", "roles must list at least one role", len(m.Roles) == 0},
		{"plans", "plans must list at least one plan", len(m.Plans) == 0},
	} {
		f, present := p.pos.top[r.key]
		switch {
		case !present:
			p.errorAt(1, "%s is required", r.key)
		case f.ok && r.isEmpty:
			p.errorAt(f.line, "%s", r.empty)
		}
	}
	p.requiredNames(m)
	if x := m.ExistingUsers; x != "" && x != roster.ExistingUsersJoin && x != roster.ExistingUsersInvite {
		p.errorAt(p.top("existing_users"), "existing_users must be join or invite, got %q", x)
	}
}

func (p *parser) requiredNames(m *roster.Model) {
	names, present := p.pos.top["names"]
	if !present || !names.ok && p.pos.names["organization"].line == 0 || m.Names.Organization != "" {
		return
	}
	org, ok := p.pos.names["organization"]
	switch {
	case !ok:
		p.errorAt(names.line, "names.organization is required")
	case org.ok:
		p.errorAt(org.line, "names.organization must not be empty")
	}
}

// catalog checks features and permissions and returns every declared
// permission key with its per-client flag (well-formed or not, so that roles
// naming a misdeclared permission get no second error).
func (p *parser) catalog(m *roster.Model) map[string]bool {
	catalog := map[string]bool{}
	features, perms := map[string]int{}, map[string]int{}
	for i, f := range m.Features {
		fp := p.pos.features[i]
		featureOK := p.checkKey(f.Key, fp.key, fp.line, "feature", features)
		if len(f.Permissions) == 0 {
			p.errorAt(keyLine(fp.line, fp.key.line), "feature %s has no permissions", label(f.Key, i))
		}
		for j, perm := range f.Permissions {
			p.checkPermission(perm, fp.perms[j], f.Key, featureOK, perms)
			p.checkPerClient(m, perm, fp.perms[j])
			if _, seen := catalog[perm.Key]; !seen && perm.Key != "" {
				catalog[perm.Key] = perm.PerClient
			}
		}
	}
	if len(catalog) > roster.MaxPermissions {
		p.errorAt(p.top("features"), "the catalog has %d permissions; at most %d are allowed",
			len(catalog), roster.MaxPermissions)
	}
	return catalog
}

// checkKey checks the key of a feature, role or plan and records it in seen.
func (p *parser) checkKey(key string, f field, item int, what string, seen map[string]int) bool {
	line := keyLine(item, f.line)
	switch {
	case f.line == 0:
		p.errorAt(item, "a %s needs a key", what)
	case !f.ok: // its type error is reported
	case key == "":
		p.errorAt(line, "a %s key must not be empty", what)
	case !keySyntax.MatchString(key):
		p.errorAt(line, "%s key %q must match [a-z0-9_]+", what, key)
	default:
		if first, dup := seen[key]; dup {
			p.errorAt(line, "duplicate %s %s (first at line %d)", what, key, first)
			return false
		}
		seen[key] = line
		return true
	}
	return false
}

func (p *parser) checkPermission(perm roster.Permission, pp permPos, feature string, featureOK bool, seen map[string]int) {
	line := keyLine(pp.line, pp.key.line)
	switch {
	case pp.key.line == 0:
		p.errorAt(pp.line, "a permission needs a key")
	case !pp.key.ok:
	case !permissionKey.MatchString(perm.Key):
		p.errorAt(line, "permission key %q must be feature.action, each part [a-z0-9_]+", perm.Key)
	case featureOK && roster.FeatureOf(perm.Key) != feature:
		p.errorAt(line, "permission %s is not of feature %s (its key must start with %q)", perm.Key, feature, feature+".")
	default:
		if first, dup := seen[perm.Key]; dup {
			p.errorAt(line, "duplicate permission %s (first at line %d)", perm.Key, first)
			return
		}
		seen[perm.Key] = line
	}
}

func (p *parser) checkPerClient(m *roster.Model, perm roster.Permission, pp permPos) {
	if perm.PerClient && !m.HasClients() && !p.clientsUnknown() {
		p.errorAt(keyLine(pp.line, pp.perClient), "permission %s is per client but the model has no clients (names.client is not set)", perm.Key)
	}
}

func (p *parser) checkRoles(m *roster.Model, catalog map[string]bool) {
	all := catalogKeys(m)
	seen := map[string]int{}
	for i := range m.Roles {
		r, rp := &m.Roles[i], p.pos.roles[i]
		p.checkKey(r.Key, rp.key, rp.line, "role", seen)
		p.checkClientAccess(m, r, rp, i)
		if rp.wildcard {
			r.Permissions = slices.Clone(all)
		} else {
			p.checkRolePermissions(r, rp, i, catalog)
		}
		if missing := missingFrom(all, r.Permissions); r.Admin && len(missing) > 0 {
			p.errorAt(keyLine(rp.line, rp.admin), `role %s is admin but lacks %s (use permissions: "*")`,
				label(r.Key, i), summary(missing))
		}
	}
}

func (p *parser) checkClientAccess(m *roster.Model, r *roster.RoleDef, rp rolePos, i int) {
	line, name := keyLine(rp.line, rp.access.line), label(r.Key, i)
	switch {
	case rp.access.line != 0 && !rp.access.ok: // its type error is reported
	case r.ClientAccess != "" && !validAccess(r.ClientAccess):
		p.errorAt(line, "role %s: client_access must be all, all_by_default, specific or none, got %q", name, r.ClientAccess)
	case p.clientsUnknown():
	case r.ClientAccess == "" && m.HasClients():
		p.errorAt(line, "role %s needs client_access: all, all_by_default or specific", name)
	case r.ClientAccess == "":
		r.ClientAccess = roster.AccessNone
	case r.ClientAccess == roster.AccessNone && m.HasClients():
		p.errorAt(line, "role %s: client_access none is only for models without clients; use all, all_by_default or specific", name)
	case r.ClientAccess != roster.AccessNone && !m.HasClients():
		p.errorAt(line, "role %s: client_access must be none, as the model has no clients (names.client is not set)", name)
	}
}

func (p *parser) checkRolePermissions(r *roster.RoleDef, rp rolePos, i int, catalog map[string]bool) {
	first := map[string]int{}
	for j, key := range r.Permissions {
		line := rp.listed[j]
		if _, ok := catalog[key]; !ok {
			p.errorAt(line, "role %s: unknown permission %q", label(r.Key, i), key)
		} else if at, dup := first[key]; dup {
			p.errorAt(line, "role %s lists permission %s twice (first at line %d)", label(r.Key, i), key, at)
		}
		if _, dup := first[key]; !dup {
			first[key] = line
		}
	}
}

func (p *parser) checkRoleRefs(m *roster.Model) {
	line := p.top("owner_role")
	if owner, ok := roleByKey(m, m.OwnerRole); ok {
		if !owner.Admin {
			p.errorAt(line, "owner role %s must be admin: true", owner.Key)
		}
		if owner.NotAssignable && m.OwnershipTransfer {
			p.errorAt(p.top("ownership_transfer"), "ownership_transfer must be false: the owner role %s is not_assignable, and a transfer assigns it", owner.Key)
		}
	} else if m.OwnerRole != "" {
		p.errorAt(line, "owner_role %s is not a role of the model", m.OwnerRole)
	}
	line = p.top("default_role")
	if def, ok := roleByKey(m, m.DefaultRole); ok && def.NotAssignable {
		p.errorAt(line, "default_role %s is not_assignable, so new members cannot get it", def.Key)
	} else if !ok && m.DefaultRole != "" {
		p.errorAt(line, "default_role %s is not a role of the model", m.DefaultRole)
	}
}

func (p *parser) checkPolicies(m *roster.Model, catalog map[string]bool) {
	for _, x := range []struct{ key, perm string }{
		{"members_view_permission", m.MembersViewPermission},
		{"settings_permission", m.SettingsPermission},
		{"clients_admin_permission", m.ClientsAdminPermission},
	} {
		perClient, ok := catalog[x.perm]
		switch {
		case x.perm == "":
		case !ok:
			p.errorAt(p.top(x.key), "%s %q is not a permission of the catalog", x.key, x.perm)
		case perClient:
			p.errorAt(p.top(x.key), "%s %s must be organization-wide, not per client", x.key, x.perm)
		}
	}
	if !m.HasClients() && m.ClientsAdminPermission != "" && !p.clientsUnknown() {
		p.errorAt(p.top("clients_admin_permission"), "clients_admin_permission is set but the model has no clients (names.client is not set)")
	}
}

func (p *parser) checkPlans(m *roster.Model) {
	seen := map[string]int{}
	for i, plan := range m.Plans {
		pp := p.pos.plans[i]
		p.checkKey(plan.Key, pp.key, pp.line, "plan", seen)
	}
	if _, ok := m.Plan(m.DefaultPlan); !ok && m.DefaultPlan != "" {
		p.errorAt(p.top("default_plan"), "default_plan %s is not a plan of the model", m.DefaultPlan)
	}
}

// catalogKeys lists the declared permission keys in catalog order, once each.
func catalogKeys(m *roster.Model) []string {
	var keys []string
	for _, f := range m.Features {
		for _, perm := range f.Permissions {
			if perm.Key != "" && !slices.Contains(keys, perm.Key) {
				keys = append(keys, perm.Key)
			}
		}
	}
	return keys
}

func missingFrom(all, have []string) []string {
	var missing []string
	for _, k := range all {
		if !slices.Contains(have, k) {
			missing = append(missing, k)
		}
	}
	return missing
}

// summary names up to three keys, then how many more.
func summary(keys []string) string {
	if len(keys) <= 3 {
		return strings.Join(keys, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(keys[:3], ", "), len(keys)-3)
}

// label names a part by its key, or by its position when it has none.
func label(key string, i int) string {
	if key == "" {
		return fmt.Sprintf("#%d", i+1)
	}
	return key
}

func validAccess(a roster.ClientAccessRule) bool {
	switch a {
	case roster.AccessAll, roster.AccessAllByDefault, roster.AccessSpecific, roster.AccessNone:
		return true
	}
	return false
}

func roleByKey(m *roster.Model, key string) (roster.RoleDef, bool) {
	for _, r := range m.Roles {
		if r.Key == key {
			return r, true
		}
	}
	return roster.RoleDef{}, false
}
