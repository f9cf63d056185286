package portal

import (
	"net/http"
	"slices"

	"github.com/roster-dev/roster/internal/roster"
)

type rolesData struct {
	Roles    []roleRow
	Features []roster.Feature
	Custom   []string // custom role keys in their order, for re-ordering
}

type roleRow struct {
	roster.RoleView
	A     roster.RoleActions
	Up    []string // the custom order with this role one place up; nil when first
	Down  []string
	Perms []string
}

// rolesPage lists system and custom roles in their order, with their active
// members (R6) and the actions the caller may take on each.
func (p *Portal) rolesPage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	d, err := p.rolesData(r, c)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "roles", c.viewWith("Roles", "roles", d))
}

func (p *Portal) rolesData(r *http.Request, c *orgCtx) (rolesData, error) {
	roles, err := p.svc.ListRoles(r.Context(), c.actor, c.id)
	if err != nil {
		return rolesData{}, err
	}
	acts, err := p.svc.RoleActions(r.Context(), c.actor, c.id, roles)
	if err != nil {
		return rolesData{}, err
	}
	features, err := p.svc.ListPermissions(r.Context(), c.actor, c.id)
	if err != nil {
		return rolesData{}, err
	}
	d := rolesData{Features: features}
	for _, ro := range roles {
		if !ro.System {
			d.Custom = append(d.Custom, ro.Key)
		}
	}
	for _, ro := range roles {
		row := roleRow{RoleView: ro, A: acts[ro.Key], Perms: ro.Permissions}
		if i := slices.Index(d.Custom, ro.Key); i >= 0 && c.caps.ManageUsers {
			row.Up, row.Down = swapped(d.Custom, i, i-1), swapped(d.Custom, i, i+1)
		}
		d.Roles = append(d.Roles, row)
	}
	return d, nil
}

// swapped is order with positions i and j exchanged, or nil when j is out.
func swapped(order []string, i, j int) []string {
	if j < 0 || j >= len(order) {
		return nil
	}
	out := slices.Clone(order)
	out[i], out[j] = out[j], out[i]
	return out
}

// roleForm is the create and edit form of a custom role (R9).
type roleForm struct {
	Key          string // "" when creating
	Name         string
	Description  string
	Icon         string
	ClientAccess roster.ClientAccessRule
	Perms        []string
	Features     []roster.Feature
	Icons        []string
	ReadOnly     bool // a system role, or one the caller may not edit
	Members      []roster.Member
	Roles        []roster.RoleView // for the delete form's reassignment
	CanDelete    bool
}

var roleIcons = []string{"★", "◆", "●", "▲", "■", "✎", "⚑", "☂", "♫", "✉"}

func (p *Portal) newRolePage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	features, err := p.svc.ListPermissions(r.Context(), c.actor, c.id)
	if err != nil {
		return err
	}
	f := roleForm{Features: features, Icons: roleIcons, Icon: roleIcons[0], Perms: []string{}, ClientAccess: defaultRule(p.model)}
	return p.render(w, r, http.StatusOK, "role_edit", c.viewWith("New role", "roles", f))
}

func defaultRule(m *roster.Model) roster.ClientAccessRule {
	if m.HasClients() {
		return roster.AccessAllByDefault
	}
	return roster.AccessNone
}

// rolePage shows one role's permissions; a custom role the caller may edit
// shows the edit form.
func (p *Portal) rolePage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	d, err := p.rolesData(r, c)
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	i := slices.IndexFunc(d.Roles, func(x roleRow) bool { return x.Key == key })
	if i < 0 {
		return &pageError{status: http.StatusNotFound, msg: "There is no such role."}
	}
	ro := d.Roles[i]
	f := roleForm{Key: ro.Key, Name: ro.Name, Description: ro.Description, Icon: ro.Icon, ClientAccess: ro.ClientAccess,
		Perms: ro.Permissions, Features: d.Features, Icons: roleIcons, ReadOnly: !ro.A.Edit, Members: ro.Members, CanDelete: ro.A.Delete}
	for _, other := range d.Roles {
		if other.Key != key && !other.NotAssignable {
			f.Roles = append(f.Roles, other.RoleView)
		}
	}
	return p.render(w, r, http.StatusOK, "role_edit", c.viewWith(ro.Name, "roles", f))
}

func (p *Portal) roleInput(r *http.Request) roster.RoleInput {
	name, desc, icon := r.PostFormValue("name"), r.PostFormValue("description"), r.PostFormValue("icon")
	perms := r.PostForm["permissions"]
	if perms == nil {
		perms = []string{}
	}
	in := roster.RoleInput{Name: &name, Description: &desc, Icon: &icon, Permissions: &perms}
	if rule := roster.ClientAccessRule(r.PostFormValue("client_access")); rule != "" {
		in.ClientAccess = &rule
	}
	return in
}

func (p *Portal) createRole(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	ro, err := p.svc.CreateRole(r.Context(), c.actor, c.id, p.roleInput(r))
	if err != nil {
		return p.roleFormFailed(w, r, c, "", err)
	}
	return p.redirect(w, r, c.base()+"/roles", "Role "+ro.Name+" added.")
}

func (p *Portal) updateRole(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	key := r.PathValue("key")
	ro, err := p.svc.UpdateRole(r.Context(), c.actor, c.id, key, p.roleInput(r))
	if err != nil {
		return p.roleFormFailed(w, r, c, key, err)
	}
	return p.redirect(w, r, c.base()+"/roles", "Role "+ro.Name+" saved.")
}

// roleFormFailed shows the form again with what was sent and the refusal.
func (p *Portal) roleFormFailed(w http.ResponseWriter, r *http.Request, c *orgCtx, key string, err error) error {
	features, ferr := p.svc.ListPermissions(r.Context(), c.actor, c.id)
	if ferr != nil {
		return ferr
	}
	in := p.roleInput(r)
	f := roleForm{Key: key, Name: *in.Name, Description: *in.Description, Icon: *in.Icon, Perms: *in.Permissions,
		Features: features, Icons: roleIcons, ClientAccess: defaultRule(p.model)}
	if in.ClientAccess != nil {
		f.ClientAccess = *in.ClientAccess
	}
	title := "New role"
	if key != "" {
		title = "Edit role"
	}
	v := c.viewWith(title, "roles", f)
	if e := formError(&v, err); e != nil {
		return e
	}
	return p.render(w, r, formStatus(w, err), "role_edit", v)
}

// deleteRole is R9's delete, with reassignment of its members when chosen.
func (p *Portal) deleteRole(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	key := r.PathValue("key")
	if err := p.svc.DeleteRole(r.Context(), c.actor, c.id, key, r.PostFormValue("reassign_to")); err != nil {
		return p.backWithError(w, r, c.base()+"/roles/"+key, err)
	}
	return p.redirect(w, r, c.base()+"/roles", "Role deleted.")
}

// reorderRoles stores a new order of the custom roles.
func (p *Portal) reorderRoles(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	if _, err := p.svc.ReorderRoles(r.Context(), c.actor, c.id, r.PostForm["order"]); err != nil {
		return p.backWithError(w, r, c.base()+"/roles", err)
	}
	return p.redirect(w, r, c.base()+"/roles", "Order saved.")
}
