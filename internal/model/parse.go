package model

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/roster-dev/roster/internal/roster"
)

// parser walks the YAML tree, building the model and collecting every error
// with its line. The walk checks shape and types; validate then checks
// meaning, using the positions the walk recorded.
type parser struct {
	errs []Error
	pos  positions
}

// positions records where each part of the model was written. Its slices run
// parallel to the model's, so duplicate keys keep their own lines.
type positions struct {
	top      map[string]field // top-level keys
	names    map[string]field
	features []featurePos
	roles    []rolePos
	plans    []planPos
}

// field is where a key was written and whether its value was well-formed.
type field struct {
	line int
	ok   bool
}

type featurePos struct {
	line  int
	key   field
	perms []permPos
}

type permPos struct {
	line      int
	key       field
	perClient int
}

type rolePos struct {
	line        int
	key, access field
	admin       int
	listed      []int // line of each key of Permissions
	wildcard    bool  // permissions: "*"
}

type planPos struct {
	line int
	key  field
}

// keyLine is the line of a key's value, or of its item when the key is absent.
func keyLine(item, key int) int {
	if key != 0 {
		return key
	}
	return item
}

type handlers map[string]func(v *yaml.Node)

func newParser() *parser {
	return &parser{pos: positions{top: map[string]field{}, names: map[string]field{}}}
}

func (p *parser) errorAt(line int, format string, args ...any) {
	if line < 1 {
		line = 1
	}
	p.errs = append(p.errs, Error{Line: line, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) errorf(n *yaml.Node, format string, args ...any) {
	p.errorAt(n.Line, format, args...)
}

// fields walks a mapping, refusing unknown and duplicate keys, and calls the
// handler of each known key with its value.
func (p *parser) fields(n *yaml.Node, what string, h handlers) map[string]field {
	seen := map[string]field{}
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s must be a mapping, got %s", what, got(n))
		return seen
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if first, dup := seen[k.Value]; dup {
			p.errorf(k, "duplicate key %q in %s (first at line %d)", k.Value, what, first.line)
			continue
		}
		handler, known := h[k.Value]
		if !known {
			p.errorf(k, "unknown key %q in %s", k.Value, what)
			seen[k.Value] = field{line: k.Line}
			continue
		}
		before := len(p.errs)
		handler(v)
		seen[k.Value] = field{line: k.Line, ok: len(p.errs) == before}
	}
	return seen
}

// resolve follows YAML aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// got describes a value for an error message.
func got(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if isNull(n) {
		return "null"
	}
	return fmt.Sprintf("%q", n.Value)
}

// str reads a string; null reads as "".
func (p *parser) str(n *yaml.Node, what string) string {
	switch {
	case isNull(n):
		return ""
	case n.Kind != yaml.ScalarNode || n.Tag != "!!str":
		p.errorf(n, "%s must be a string, got %s", what, got(n))
		return ""
	}
	return n.Value
}

func (p *parser) boolean(n *yaml.Node, what string) bool {
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		p.errorf(n, "%s must be true or false, got %s", what, got(n))
	}
	return b
}

// count reads a whole number, 0 or more.
func (p *parser) count(n *yaml.Node, what string) int {
	return p.whole(n, what, "a whole number, 0 or more")
}

// limit reads a count, or null for unlimited.
func (p *parser) limit(n *yaml.Node, what string) *int {
	if isNull(n) {
		return nil
	}
	v := p.whole(n, what, "a whole number, 0 or more, or null for unlimited")
	return &v
}

func (p *parser) whole(n *yaml.Node, what, want string) int {
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil || v < 0 {
		p.errorf(n, "%s must be %s, got %s", what, want, got(n))
		return 0
	}
	return v
}

func (p *parser) seq(n *yaml.Node, what string) []*yaml.Node {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s must be a list, got %s", what, got(n))
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = resolve(c)
	}
	return out
}

func (p *parser) model(root *yaml.Node) *roster.Model {
	m := &roster.Model{}
	str := func(dst *string, what string) func(*yaml.Node) {
		return func(v *yaml.Node) { *dst = p.str(v, what) }
	}
	flag := func(dst *bool, what string) func(*yaml.Node) {
		return func(v *yaml.Node) { *dst = p.boolean(v, what) }
	}
	var existing string
	p.pos.top = p.fields(root, "the model", handlers{
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
	p.pos.names = p.fields(n, "names", handlers{
		"organization": func(v *yaml.Node) { m.Names.Organization = p.str(v, "names.organization") },
		"client":       func(v *yaml.Node) { m.Names.Client = p.str(v, "names.client") },
	})
}

func (p *parser) features(n *yaml.Node, m *roster.Model) {
	for _, fn := range p.seq(n, "features") {
		f := roster.Feature{Permissions: []roster.Permission{}}
		fp := featurePos{line: fn.Line}
		fp.key = p.fields(fn, "a feature", handlers{
			"key":  func(v *yaml.Node) { f.Key = p.str(v, "feature key") },
			"name": func(v *yaml.Node) { f.Name = p.str(v, "feature name") },
			"permissions": func(v *yaml.Node) {
				for _, pn := range p.seq(v, "permissions") {
					perm, pp := p.permission(pn)
					f.Permissions = append(f.Permissions, perm)
					fp.perms = append(fp.perms, pp)
				}
			},
		})["key"]
		if f.Name == "" {
			f.Name = f.Key
		}
		m.Features = append(m.Features, f)
		p.pos.features = append(p.pos.features, fp)
	}
}

func (p *parser) permission(n *yaml.Node) (roster.Permission, permPos) {
	var perm roster.Permission
	pp := permPos{line: n.Line}
	seen := p.fields(n, "a permission", handlers{
		"key":        func(v *yaml.Node) { perm.Key = p.str(v, "permission key") },
		"name":       func(v *yaml.Node) { perm.Name = p.str(v, "permission name") },
		"per_client": func(v *yaml.Node) { perm.PerClient = p.boolean(v, "per_client") },
	})
	pp.key, pp.perClient = seen["key"], seen["per_client"].line
	if perm.Name == "" {
		perm.Name = perm.Key
	}
	return perm, pp
}

func (p *parser) roles(n *yaml.Node, m *roster.Model) {
	for _, rn := range p.seq(n, "roles") {
		r := roster.RoleDef{Permissions: []string{}}
		rp := rolePos{line: rn.Line}
		var access string
		seen := p.fields(rn, "a role", handlers{
			"key":            func(v *yaml.Node) { r.Key = p.str(v, "role key") },
			"name":           func(v *yaml.Node) { r.Name = p.str(v, "role name") },
			"description":    func(v *yaml.Node) { r.Description = p.str(v, "role description") },
			"admin":          func(v *yaml.Node) { r.Admin = p.boolean(v, "admin") },
			"client_access":  func(v *yaml.Node) { access = p.str(v, "client_access") },
			"not_assignable": func(v *yaml.Node) { r.NotAssignable = p.boolean(v, "not_assignable") },
			"permissions":    func(v *yaml.Node) { p.rolePermissions(v, &r, &rp) },
		})
		rp.key, rp.access, rp.admin = seen["key"], seen["client_access"], seen["admin"].line
		if r.Name == "" {
			r.Name = r.Key
		}
		r.ClientAccess = roster.ClientAccessRule(access)
		m.Roles = append(m.Roles, r)
		p.pos.roles = append(p.pos.roles, rp)
	}
}

// rolePermissions reads a list of permission keys, or "*" for the whole
// catalog (expanded by validate once the catalog is known).
func (p *parser) rolePermissions(v *yaml.Node, r *roster.RoleDef, rp *rolePos) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!str" && v.Value == "*" {
		rp.wildcard = true
		return
	}
	for _, item := range p.seq(v, `role permissions (a list of keys, or "*")`) {
		before := len(p.errs)
		key := p.str(item, "a permission key")
		switch {
		case len(p.errs) > before:
		case key == "*":
			p.errorf(item, `"*" stands for the whole catalog on its own: write permissions: "*"`)
		case key == "":
			p.errorf(item, "a permission key must not be empty")
		default:
			r.Permissions = append(r.Permissions, key)
			rp.listed = append(rp.listed, item.Line)
		}
	}
}

func (p *parser) plans(n *yaml.Node, m *roster.Model) {
	for _, pn := range p.seq(n, "plans") {
		var plan roster.Plan
		pp := planPos{line: pn.Line}
		pp.key = p.fields(pn, "a plan", handlers{
			"key":              func(v *yaml.Node) { plan.Key = p.str(v, "plan key") },
			"name":             func(v *yaml.Node) { plan.Name = p.str(v, "plan name") },
			"seats":            func(v *yaml.Node) { plan.Seats = p.limit(v, "seats") },
			"agent_seats":      func(v *yaml.Node) { plan.AgentSeats = p.limit(v, "agent_seats") },
			"free_agent_seats": func(v *yaml.Node) { plan.FreeAgentSeats = p.count(v, "free_agent_seats") },
			"custom_roles":     func(v *yaml.Node) { plan.CustomRoles = p.boolean(v, "custom_roles") },
		})["key"]
		if plan.Name == "" {
			plan.Name = plan.Key
		}
		m.Plans = append(m.Plans, plan)
		p.pos.plans = append(p.pos.plans, pp)
	}
}
