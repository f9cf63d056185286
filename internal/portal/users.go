package portal

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// usersPageSize is the Users table's page length.
const usersPageSize = 25

type usersData struct {
	Rows         []userRow
	Roles        []roster.RoleView
	RoleFilter   string
	Status       string
	Q            string
	Next         string // URL of the next page, "" on the last
	First        string // URL of the first page, "" on the first
	Now          time.Time
	ShowEnforced bool
	Filtered     bool
}

type userRow struct {
	M        roster.MemberView
	RoleName string
	A        roster.MemberActions
	Clients  []string // names, in specific mode
	Teams    []string
}

// usersPage is the Users table (docs/rules.md, "Presets"): filters by role and
// status, search by name or email, paging by cursor.
func (p *Portal) usersPage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	qv := r.URL.Query()
	d := usersData{RoleFilter: qv.Get("role"), Status: qv.Get("status"), Q: strings.TrimSpace(qv.Get("q")), Now: p.now(), ShowEnforced: c.org.EnforcedAuth != ""}
	d.Filtered = d.RoleFilter != "" || d.Status != "" || d.Q != ""
	q := roster.MemberQuery{Query: d.Q, Page: roster.Page{Limit: usersPageSize, Cursor: qv.Get("cursor")}}
	if d.RoleFilter != "" {
		q.Roles = []string{d.RoleFilter}
	}
	if d.Status != "" {
		q.Statuses = []roster.MemberStatus{roster.MemberStatus(d.Status)}
	}
	list, err := p.svc.ListMembers(r.Context(), c.actor, c.id, q)
	if err != nil {
		return err
	}
	if d.Roles, err = p.svc.ListRoles(r.Context(), c.actor, c.id); err != nil {
		return err
	}
	if d.Rows, err = p.userRows(r, c, d.Roles, list.Members); err != nil {
		return err
	}
	page := url.Values{"role": {d.RoleFilter}, "status": {d.Status}, "q": {d.Q}}
	if list.NextCursor != "" {
		page.Set("cursor", list.NextCursor)
		d.Next = c.base() + "/users?" + page.Encode()
	}
	if qv.Get("cursor") != "" {
		page.Del("cursor")
		d.First = c.base() + "/users?" + page.Encode()
	}
	return p.render(w, r, http.StatusOK, "users", c.viewWith("Users", "users", d))
}

func (c *orgCtx) viewWith(title, section string, data any) view {
	v := c.view(title, section)
	v.P = data
	return v
}

// userRows joins members with their role names, client and team names, and
// the actions the caller may take on each (asked of the service).
func (p *Portal) userRows(r *http.Request, c *orgCtx, roles []roster.RoleView, ms []roster.MemberView) ([]userRow, error) {
	acts, err := p.svc.MemberActions(r.Context(), c.actor, c.id, ms)
	if err != nil {
		return nil, err
	}
	clients, err := p.allClients(r, c)
	if err != nil {
		return nil, err
	}
	teams, err := p.allTeams(r, c)
	if err != nil {
		return nil, err
	}
	names := roleNames(roles)
	rows := make([]userRow, 0, len(ms))
	for _, m := range ms {
		row := userRow{M: m, RoleName: names[m.Role], A: acts[m.ID], Clients: clientNames(clients, m.Clients), Teams: teamNames(teams, m.Teams)}
		if row.RoleName == "" {
			row.RoleName = m.Role
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func clientNames(all []roster.Client, ids []roster.ClientID) []string {
	out := []string{}
	for _, cl := range all {
		if slices.Contains(ids, cl.ID) {
			out = append(out, cl.Name)
		}
	}
	if hidden := len(ids) - len(out); hidden > 0 {
		out = append(out, plusHidden(hidden))
	}
	return out
}

func plusHidden(n int) string {
	if n == 1 {
		return "1 more you cannot see"
	}
	return strconv.Itoa(n) + " more you cannot see"
}

func teamNames(all []roster.Team, ids []roster.TeamID) []string {
	out := []string{}
	for _, t := range all {
		if slices.Contains(ids, t.ID) {
			out = append(out, t.Name)
		}
	}
	return out
}

// inviteData is the Invite form and, after sending, its per-address results.
type inviteData struct {
	Roles         []roster.RoleView // those the caller may grant
	Clients       []roster.Client
	Teams         []roster.Team
	Emails        string
	Role          string
	Mode          string
	Selected      []roster.ClientID
	SelectedTeams []roster.TeamID
	Agent         bool
	FirstName     string
	LastName      string
	Disabled      bool
	Results       []roster.InviteResult
}

func (p *Portal) inviteFormData(r *http.Request, c *orgCtx) (inviteData, error) {
	d := inviteData{Role: p.model.DefaultRole, Mode: "all"}
	if !c.caps.GrantEveryClient {
		d.Mode = "specific" // R11: only specific clients the caller sees
	}
	var err error
	if d.Roles, err = p.svc.GrantableRoles(r.Context(), c.actor, c.id); err != nil {
		return d, err
	}
	if d.Clients, err = p.allClients(r, c); err != nil {
		return d, err
	}
	d.Teams, err = p.allTeams(r, c)
	return d, err
}

func (p *Portal) invitePageForm(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	if !c.caps.ManageUsers {
		return &pageError{status: http.StatusForbidden, msg: "Inviting people needs the permission to manage users."}
	}
	d, err := p.inviteFormData(r, c)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "invite", c.viewWith(p.inviteTitle(), "users", d))
}

func (p *Portal) inviteTitle() string {
	if p.model.InviteNamesRequired {
		return "Add a user"
	}
	return "Invite people"
}

// inviteSubmit is R3 through the portal: the service reports each address;
// the page shows every result.
func (p *Portal) inviteSubmit(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	d, err := p.inviteFormData(r, c)
	if err != nil {
		return err
	}
	f := r.PostForm
	d.Emails, d.Role, d.Mode = f.Get("emails"), f.Get("role"), f.Get("client_mode")
	d.Agent, d.Disabled = f.Get("agent_access") == "on", f.Get("disabled") == "on"
	d.FirstName, d.LastName = f.Get("first_name"), f.Get("last_name")
	d.Selected = ids[roster.ClientID](f["clients"])
	d.SelectedTeams = ids[roster.TeamID](f["teams"])
	in := roster.InviteInput{
		Emails: splitEmails(d.Emails), Role: d.Role, AgentAccess: d.Agent,
		Teams: d.SelectedTeams, FirstName: d.FirstName, LastName: d.LastName, Disabled: d.Disabled,
		ClientAccess: clientAccessInput(d.Roles, d.Role, d.Mode, d.Selected),
	}
	res, err := p.svc.Invite(r.Context(), c.actor, c.id, in)
	v := c.viewWith(p.inviteTitle(), "users", d)
	if err != nil {
		if ferr := formError(&v, err); ferr != nil {
			return ferr
		}
		return p.render(w, r, formStatus(w, err), "invite", v)
	}
	d.Results = res
	if allSent(res) {
		d.Emails, d.FirstName, d.LastName = "", "", ""
	}
	v.P = d
	return p.render(w, r, http.StatusOK, "invite", v)
}

func allSent(res []roster.InviteResult) bool {
	for _, r := range res {
		if r.Status == "error" {
			return false
		}
	}
	return true
}

// clientAccessInput turns the form's client choice into the service's
// input. A role whose rule cannot be narrowed gets the role's default;
// all_by_default follows the choice; a specific role gets its list, and
// "all clients" for it goes to the service as asked, which refuses it (R11)
// rather than inviting someone with no clients while the form said all.
func clientAccessInput(roles []roster.RoleView, key, mode string, selected []roster.ClientID) *roster.ClientAccessInput {
	var rule roster.ClientAccessRule
	for _, r := range roles {
		if r.Key == key {
			rule = r.ClientAccess
		}
	}
	switch {
	case rule == roster.AccessSpecific && mode == "all":
		return &roster.ClientAccessInput{Mode: roster.AccessAll, Clients: []roster.ClientID{}}
	case rule == roster.AccessSpecific || (rule == roster.AccessAllByDefault && mode == "specific"):
		return &roster.ClientAccessInput{Mode: roster.AccessSpecific, Clients: selected}
	case rule == roster.AccessAllByDefault:
		return &roster.ClientAccessInput{Mode: roster.AccessAll, Clients: []roster.ClientID{}}
	}
	return nil
}

// splitEmails reads addresses separated by commas, semicolons, spaces or
// new lines, as people paste them.
func splitEmails(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
	})
}

func ids[T ~string](vals []string) []T {
	out := make([]T, 0, len(vals))
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, T(v))
		}
	}
	return out
}
