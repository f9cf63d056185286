package portal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// memberData is a member's page: details, actions and activity (R18).
type memberData struct {
	userRow
	Self    bool
	Now     time.Time
	Teams   []roster.Team // every team, for the teams form
	Events  []eventRow
	Account *accountData // the caller's own account forms, on its own page
}

type eventRow struct {
	Time    time.Time
	Actor   string
	Action  string
	Changes []string
}

// RowData is the member's row (name, role, actions), for the templates.
func (d memberData) RowData() userRow { return d.userRow }

func (p *Portal) loadMember(r *http.Request, c *orgCtx) (memberData, error) {
	id := roster.MemberID(r.PathValue("member"))
	m, err := p.svc.GetMember(r.Context(), c.actor, c.id, id)
	if err != nil {
		return memberData{}, err
	}
	roles, err := p.svc.ListRoles(r.Context(), c.actor, c.id)
	if err != nil {
		return memberData{}, err
	}
	rows, err := p.userRows(r, c, roles, []roster.MemberView{m})
	if err != nil {
		return memberData{}, err
	}
	d := memberData{userRow: rows[0], Self: m.ID == c.caps.MemberID, Now: p.now()}
	d.Teams, err = p.allTeams(r, c)
	return d, err
}

func (p *Portal) memberPage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	d, err := p.loadMember(r, c)
	if err != nil {
		return err
	}
	if d.Events, err = p.activity(r, c, d.M.ID); err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "member", c.viewWith(displayName(d.M), "users", d))
}

// profilePage is the caller's own member page with its account forms.
func (p *Portal) profilePage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	r.SetPathValue("member", string(c.caps.MemberID))
	d, err := p.loadMember(r, c)
	if err != nil {
		return err
	}
	if d.Events, err = p.activity(r, c, d.M.ID); err != nil {
		return err
	}
	d.Account = &accountData{User: c.pr.User, Back: c.base() + "/profile"}
	return p.render(w, r, http.StatusOK, "member", c.viewWith("Your profile", "profile", d))
}

func displayName(m roster.MemberView) string {
	if n := strings.TrimSpace(m.FirstName + " " + m.LastName); n != "" {
		return n
	}
	return m.Email
}

// activity is the member's events (those they made and those about them),
// as far as the caller may see them (R18).
func (p *Portal) activity(r *http.Request, c *orgCtx, id roster.MemberID) ([]eventRow, error) {
	list, err := p.svc.ListAudit(r.Context(), c.actor, c.id, roster.AuditQuery{MemberID: id, Page: roster.Page{Limit: 50}})
	if err != nil {
		return nil, err
	}
	out := make([]eventRow, 0, len(list.Events))
	for _, e := range list.Events {
		out = append(out, eventRow{Time: e.Time, Actor: e.ActorEmail, Action: humanAction(e.Action), Changes: changes(e.Before, e.After)})
	}
	return out, nil
}

func humanAction(a string) string {
	return upperFirst(strings.NewReplacer(".", ": ", "_", " ").Replace(a))
}

// changes describes an event's before and after, one line per field.
func changes(before, after json.RawMessage) []string {
	var b, a map[string]any
	_ = json.Unmarshal(before, &b)
	_ = json.Unmarshal(after, &a)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	out := []string{}
	for _, k := range sorted {
		bv, inB := b[k]
		av, inA := a[k]
		switch {
		case inB && inA:
			out = append(out, fmt.Sprintf("%s: %s → %s", field(k), value(bv), value(av)))
		case inA:
			out = append(out, fmt.Sprintf("%s: %s", field(k), value(av)))
		default:
			out = append(out, fmt.Sprintf("%s was %s", field(k), value(bv)))
		}
	}
	return out
}

func field(k string) string { return strings.ReplaceAll(k, "_", " ") }

func value(v any) string {
	switch t := v.(type) {
	case nil:
		return "none"
	case string:
		if t == "" {
			return "none"
		}
		return t
	case bool:
		if t {
			return "yes"
		}
		return "no"
	case []any:
		return fmt.Sprintf("%d", len(t))
	case map[string]any:
		if mode, ok := t["mode"].(string); ok {
			if cs, ok := t["clients"].([]any); ok && mode == "specific" {
				return fmt.Sprintf("%d specific", len(cs))
			}
			return mode
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// changeRolePage lists the roles the caller may grant (R8).
func (p *Portal) changeRolePage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	d, err := p.loadMember(r, c)
	if err != nil {
		return err
	}
	roles, err := p.svc.GrantableRoles(r.Context(), c.actor, c.id)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "role", c.viewWith("Change role", "users", roleChoice{memberData: d, Roles: roles}))
}

type roleChoice struct {
	memberData
	Roles []roster.RoleView
}

func (p *Portal) changeRoleForm(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	id := roster.MemberID(r.PathValue("member"))
	role := r.PostFormValue("role")
	m, err := p.svc.UpdateMember(r.Context(), c.actor, c.id, id, roster.UpdateMemberInput{Role: &role})
	back := c.base() + "/users/" + string(id) + "/role"
	if err != nil {
		return p.backWithError(w, r, back, err)
	}
	return p.redirect(w, r, c.base()+"/users", displayName(m)+" now has the role "+roleName(p.model, role)+".")
}

func roleName(m *roster.Model, key string) string {
	if def, ok := m.SystemRole(key); ok {
		return def.Name
	}
	return key
}

type clientsChoice struct {
	memberData
	Clients  []roster.Client
	Rule     roster.ClientAccessRule
	Assigned []roster.ClientID
}

// assignClientsPage: check or uncheck clients, past (archived) ones
// included (R11).
func (p *Portal) assignClientsPage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	d, err := p.loadMember(r, c)
	if err != nil {
		return err
	}
	if !p.model.HasClients() {
		return &pageError{status: http.StatusNotFound, msg: "There are no clients here."}
	}
	clients, err := p.allClients(r, c)
	if err != nil {
		return err
	}
	roles, err := p.svc.ListRoles(r.Context(), c.actor, c.id)
	if err != nil {
		return err
	}
	ch := clientsChoice{memberData: d, Clients: clients, Assigned: d.M.Clients}
	for _, ro := range roles {
		if ro.Key == d.M.Role {
			ch.Rule = ro.ClientAccess
		}
	}
	return p.render(w, r, http.StatusOK, "clients_assign", c.viewWith("Assign "+p.model.Names.Client+"s", "users", ch))
}

func (p *Portal) assignClientsForm(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	id := roster.MemberID(r.PathValue("member"))
	in := roster.ClientAccessInput{Mode: roster.AccessSpecific, Clients: ids[roster.ClientID](r.PostForm["clients"])}
	if r.PostFormValue("mode") == "all" {
		in = roster.ClientAccessInput{Mode: roster.AccessAll, Clients: []roster.ClientID{}}
	}
	m, err := p.svc.SetClientAccess(r.Context(), c.actor, c.id, id, in)
	if err != nil {
		return p.backWithError(w, r, c.base()+"/users/"+string(id)+"/clients", err)
	}
	return p.redirect(w, r, c.base()+"/users", "Client access of "+displayName(m)+" saved.")
}

// agentForm switches agent access on or off (R17).
func (p *Portal) agentForm(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	id := roster.MemberID(r.PathValue("member"))
	on := r.PostFormValue("agent_access") == "on"
	m, err := p.svc.UpdateMember(r.Context(), c.actor, c.id, id, roster.UpdateMemberInput{AgentAccess: &on})
	back := safeNext(r.PostFormValue("back"))
	if err != nil {
		return p.backWithError(w, r, back, err)
	}
	what := "no longer has"
	if on {
		what = "now has"
	}
	return p.redirect(w, r, back, displayName(m)+" "+what+" agent access.")
}

// teamsForm sets a member's teams.
func (p *Portal) teamsForm(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	id := roster.MemberID(r.PathValue("member"))
	teams := ids[roster.TeamID](r.PostForm["teams"])
	m, err := p.svc.UpdateMember(r.Context(), c.actor, c.id, id, roster.UpdateMemberInput{Teams: &teams})
	back := c.base() + "/users/" + string(id)
	if err != nil {
		return p.backWithError(w, r, back, err)
	}
	return p.redirect(w, r, back, "Teams of "+displayName(m)+" saved.")
}

// confirmations are the actions that ask before they act.
var confirmations = map[string]struct{ Title, Text, Button string }{
	"revoke":   {"Revoke access", "They will lose access to this %s at once. They stay listed as revoked, and can be reactivated later.", "Revoke access"},
	"delete":   {"Delete permanently", "Their membership and its settings are deleted; this cannot be undone. Their account and their other %ss are not affected.", "Delete permanently"},
	"transfer": {"Transfer ownership", "They become the owner of this %s, with the owner's role. You keep your role but are no longer the owner.", "Transfer ownership"},
	"billing":  {"Make billing contact", "They will receive the bills of this %s, in place of the current billing contact.", "Make billing contact"},
}

var disableConfirmation = struct{ Title, Text, Button string }{"Disable", "They will lose access to this %s at once. You can re-enable them later.", "Disable"}

// cancelConfirmation is revoke on a pending invitation (R12: it cancels it).
var cancelConfirmation = struct{ Title, Text, Button string }{"Cancel invitation", "The invitation link stops working at once. They stay listed, and you can send a fresh invitation later (Reactivate) from this %s's Users page.", "Cancel invitation"}

type confirmData struct {
	memberData
	Action, Heading, Text, Button string
}

func (p *Portal) confirmPage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	action := r.PathValue("action")
	cf, ok := confirmations[action]
	if action == "revoke" && p.model.InviteNamesRequired {
		cf = disableConfirmation // the accounts preset says disable and re-enable
	}
	if !ok {
		return &pageError{status: http.StatusNotFound, msg: "There is no such action."}
	}
	d, err := p.loadMember(r, c)
	if err != nil {
		return err
	}
	if action == "revoke" && d.M.Status == roster.StatusInvited && !p.model.InviteNamesRequired {
		cf = cancelConfirmation
	}
	cd := confirmData{memberData: d, Action: action, Heading: cf.Title, Text: fmt.Sprintf(cf.Text, p.model.Names.Organization), Button: cf.Button}
	return p.render(w, r, http.StatusOK, "confirm", c.viewWith(cf.Title, "users", cd))
}

// memberActionForm runs one row action; every rule is the service's.
func (p *Portal) memberActionForm(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	id := roster.MemberID(r.PathValue("member"))
	ctx := r.Context()
	back := safeNext(r.PostFormValue("back"))
	if back == "/" {
		back = c.base() + "/users"
	}
	var err error
	var msg string
	switch r.PathValue("action") {
	case "revoke":
		_, err = p.svc.Revoke(ctx, c.actor, c.id, id)
		msg = p.word("Access revoked.", "Disabled.")
	case "reactivate":
		var m roster.MemberView
		m, err = p.svc.Reactivate(ctx, c.actor, c.id, id)
		msg = p.word("Reactivated.", "Re-enabled.")
		if m.Status == roster.StatusInvited {
			msg = p.word("Reactivated", "Re-enabled") + ": a fresh invitation is on its way."
		}
	case "delete":
		err = p.svc.DeleteMember(ctx, c.actor, c.id, id)
		msg, back = "Deleted permanently.", c.base()+"/users"
	case "resend":
		_, _, err = p.svc.Resend(ctx, c.actor, c.id, id)
		msg = "Invitation sent again."
	case "transfer":
		_, err = p.svc.TransferOwnership(ctx, c.actor, c.id, id)
		msg = "Ownership transferred."
	case "billing":
		_, err = p.svc.SetBillingContact(ctx, c.actor, c.id, id)
		msg = "Billing contact changed."
	default:
		return &pageError{status: http.StatusNotFound, msg: "There is no such action."}
	}
	if err != nil {
		return p.backWithError(w, r, back, err)
	}
	return p.redirect(w, r, back, msg)
}

// word picks the accounts preset's words (disable, re-enable) where the
// model is that kind (names required on invitations), others elsewhere.
func (p *Portal) word(usual, accounts string) string {
	if p.model.InviteNamesRequired {
		return accounts
	}
	return usual
}
