package model

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/roster-dev/roster/internal/roster"
)

// parser walks the YAML tree, building the model and collecting every
// error with its line. lines remembers where each key was declared, for the
// checks that follow.
type parser struct {
	errs  []Error
	lines lines
}

type lines struct {
	top        map[string]int // top-level keys
	permission map[string]int
	role       map[string]int
	rolePerms  map[string][]ref // role key → permissions it names
	plan       map[string]int
	roleAccess map[string]int
}

type ref struct {
	key  string
	line int
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	line := 1
	if n != nil {
		line = n.Line
	}
	p.errs = append(p.errs, Error{Line: line, Message: fmt.Sprintf(format, args...)})
}

// fields walks a mapping, refusing unknown and duplicate keys, and calls the
// handler of each known key with its value.
func (p *parser) fields(n *yaml.Node, what string, handlers map[string]func(v *yaml.Node)) map[string]int {
	seen := map[string]int{}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping", what)
		return seen
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if first, dup := seen[k.Value]; dup {
			p.errorf(k, "duplicate key %q in %s (first at line %d)", k.Value, what, first)
			continue
		}
		seen[k.Value] = k.Line
		h, ok := handlers[k.Value]
		if !ok {
			p.errorf(k, "unknown key %q in %s", k.Value, what)
			continue
		}
		h(v)
	}
	return seen
}

func (p *parser) str(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "!!null") {
		p.errorf(n, "%s must be a string", what)
		return ""
	}
	if n.Tag == "!!null" {
		return ""
	}
	return n.Value
}

func (p *parser) boolean(n *yaml.Node, what string) bool {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.errorf(n, "%s must be true or false", what)
		return false
	}
	b, _ := strconv.ParseBool(n.Value)
	return b
}

// limit reads a non-negative integer, or null for unlimited.
func (p *parser) limit(n *yaml.Node, what string) *int {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	v := p.integer(n, what)
	return &v
}

func (p *parser) integer(n *yaml.Node, what string) int {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		p.errorf(n, "%s must be a whole number", what)
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if err != nil || v < 0 {
		p.errorf(n, "%s must be a whole number, 0 or more", what)
		return 0
	}
	return v
}

func (p *parser) seq(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}

func (p *parser) model(doc *yaml.Node) *roster.Model {
	m := &roster.Model{}
	p.lines = lines{permission: map[string]int{}, role: map[string]int{}, rolePerms: map[string][]ref{}, plan: map[string]int{}, roleAccess: map[string]int{}}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.errorf(doc, "the model file is empty")
		return m
	}
	root := doc.Content[0]
	str := func(dst *string, what string) func(*yaml.Node) { return func(v *yaml.Node) { *dst = p.str(v, what) } }
	flag := func(dst *bool, what string) func(*yaml.Node) { return func(v *yaml.Node) { *dst = p.boolean(v, what) } }
	var existing string
	p.lines.top = p.fields(root, "the model", map[string]func(*yaml.Node){
		"name":                     str(&m.Name, "name"),
		"names":                    func(v *yaml.Node) { p.names(v, m) },
		"existing_users":           str(&existing, "existing_users"),
		"invite_names_required":    flag(&m.InviteNamesRequired, "invite_names_required"),
		"ownership_transfer":       flag(&m.OwnershipTransfer, "ownership_transfer"),
		"billing_contact":          flag(&m.BillingContact, "billing_contact"),
		"agent_access":             flag(&m.AgentAccess, "agent_access"),
		"teams":                    flag(&m.Teams, "teams"),
		"members_view_permission":  str(&m.MembersViewPermission, "members_view_permission"),
		"settings_permission":      str(&m.SettingsPermission, "settings_permission"),
		"clients_admin_permission": str(&m.ClientsAdminPermission, "clients_admin_permission"),
		"owner_role":               str(&m.OwnerRole, "owner_role"),
		"default_role":             str(&m.DefaultRole, "default_role"),
		"default_plan":             str(&m.DefaultPlan, "default_plan"),
		"features":                 func(v *yaml.Node) { p.features(v, m) },
		"roles":                    func(v *yaml.Node) { p.roles(v, m) },
		"plans":                    func(v *yaml.Node) { p.plans(v, m) },
	})
	m.ExistingUsers = roster.ExistingUsersPolicy(existing)
	return m
}

func (p *parser) names(n *yaml.Node, m *roster.Model) {
	p.fields(n, "names", map[string]func(*yaml.Node){
		"organization": func(v *yaml.Node) { m.Names.Organization = p.str(v, "names.organization") },
		"client":       func(v *yaml.Node) { m.Names.Client = p.str(v, "names.client") },
	})
}

func (p *parser) features(n *yaml.Node, m *roster.Model) {
	for _, fn := range p.seq(n, "features") {
		var f roster.Feature
		p.fields(fn, "a feature", map[string]func(*yaml.Node){
			"key":  func(v *yaml.Node) { f.Key = p.key(v, "feature key") },
			"name": func(v *yaml.Node) { f.Name = p.str(v, "feature name") },
			"permissions": func(v *yaml.Node) {
				for _, pn := range p.seq(v, "permissions") {
					f.Permissions = append(f.Permissions, p.permission(pn))
				}
			},
		})
		if f.Key == "" {
			p.errorf(fn, "a feature needs a key")
		}
		for _, perm := range f.Permissions {
			if perm.Key != "" && roster.FeatureOf(perm.Key) != f.Key && f.Key != "" {
				p.errorf(fn, "permission %s is not of feature %s", perm.Key, f.Key)
			}
		}
		m.Features = append(m.Features, f)
	}
}

func (p *parser) permission(n *yaml.Node) roster.Permission {
	var perm roster.Permission
	p.fields(n, "a permission", map[string]func(*yaml.Node){
		"key": func(v *yaml.Node) {
			perm.Key = p.str(v, "permission key")
			if !permissionKey.MatchString(perm.Key) {
				p.errorf(v, "permission key %q must be feature.action, each part [a-z0-9_]+", perm.Key)
			} else if first, dup := p.lines.permission[perm.Key]; dup {
				p.errorf(v, "duplicate permission %s (first at line %d)", perm.Key, first)
			} else {
				p.lines.permission[perm.Key] = v.Line
			}
		},
		"name":       func(v *yaml.Node) { perm.Name = p.str(v, "permission name") },
		"per_client": func(v *yaml.Node) { perm.PerClient = p.boolean(v, "per_client") },
	})
	if perm.Key == "" {
		p.errorf(n, "a permission needs a key")
	}
	if perm.Name == "" {
		perm.Name = perm.Key
	}
	return perm
}

func (p *parser) roles(n *yaml.Node, m *roster.Model) {
	for _, rn := range p.seq(n, "roles") {
		var r roster.RoleDef
		var refs []ref
		var access string
		accessLine := rn.Line
		p.fields(rn, "a role", map[string]func(*yaml.Node){
			"key":         func(v *yaml.Node) { r.Key = p.roleKey(v) },
			"name":        func(v *yaml.Node) { r.Name = p.str(v, "role name") },
			"description": func(v *yaml.Node) { r.Description = p.str(v, "role description") },
			"admin":       func(v *yaml.Node) { r.Admin = p.boolean(v, "admin") },
			"client_access": func(v *yaml.Node) {
				access, accessLine = p.str(v, "client_access"), v.Line
			},
			"not_assignable": func(v *yaml.Node) { r.NotAssignable = p.boolean(v, "not_assignable") },
			"permissions":    func(v *yaml.Node) { r.Permissions = p.rolePermissions(v, &refs) },
		})
		if r.Key == "" {
			p.errorf(rn, "a role needs a key")
		}
		if r.Name == "" {
			r.Name = r.Key
		}
		r.ClientAccess = roster.ClientAccessRule(access)
		p.lines.roleAccess[r.Key] = accessLine
		p.lines.rolePerms[r.Key] = refs
		m.Roles = append(m.Roles, r)
	}
}

func (p *parser) roleKey(v *yaml.Node) string {
	key := p.key(v, "role key")
	if first, dup := p.lines.role[key]; dup && key != "" {
		p.errorf(v, "duplicate role %s (first at line %d)", key, first)
	} else if key != "" {
		p.lines.role[key] = v.Line
	}
	return key
}

// rolePermissions reads a list of keys, or "*" for the whole catalog
// (expanded in validate, once the catalog is known).
func (p *parser) rolePermissions(v *yaml.Node, refs *[]ref) []string {
	if v.Kind == yaml.ScalarNode && v.Value == "*" {
		return []string{"*"}
	}
	keys := []string{}
	for _, pn := range p.seq(v, "role permissions") {
		k := p.str(pn, "a permission key")
		keys = append(keys, k)
		*refs = append(*refs, ref{k, pn.Line})
	}
	return keys
}

func (p *parser) plans(n *yaml.Node, m *roster.Model) {
	for _, pn := range p.seq(n, "plans") {
		var plan roster.Plan
		p.fields(pn, "a plan", map[string]func(*yaml.Node){
			"key": func(v *yaml.Node) {
				plan.Key = p.key(v, "plan key")
				if first, dup := p.lines.plan[plan.Key]; dup {
					p.errorf(v, "duplicate plan %s (first at line %d)", plan.Key, first)
				}
				p.lines.plan[plan.Key] = v.Line
			},
			"name":             func(v *yaml.Node) { plan.Name = p.str(v, "plan name") },
			"seats":            func(v *yaml.Node) { plan.Seats = p.limit(v, "seats") },
			"agent_seats":      func(v *yaml.Node) { plan.AgentSeats = p.limit(v, "agent_seats") },
			"free_agent_seats": func(v *yaml.Node) { plan.FreeAgentSeats = p.integer(v, "free_agent_seats") },
			"custom_roles":     func(v *yaml.Node) { plan.CustomRoles = p.boolean(v, "custom_roles") },
		})
		if plan.Key == "" {
			p.errorf(pn, "a plan needs a key")
		}
		if plan.Name == "" {
			plan.Name = plan.Key
		}
		m.Plans = append(m.Plans, plan)
	}
}

func (p *parser) key(v *yaml.Node, what string) string {
	k := p.str(v, what)
	if k != "" && !keySyntax.MatchString(k) {
		p.errorf(v, "%s %q must match [a-z0-9_]+", what, k)
	}
	return k
}
