package portal

import (
	"net/http"

	"github.com/roster-dev/roster/internal/roster"
)

// orgCtx is a signed-in member's request inside one organization.
type orgCtx struct {
	pr    roster.Principal
	actor roster.Actor
	id    roster.OrgID
	org   roster.OrgView
	caps  roster.Capabilities
	orgs  []roster.Membership
}

// base is the organization's path prefix.
func (c *orgCtx) base() string { return "/o/" + string(c.id) }

// view starts a page view with the header's data.
func (c *orgCtx) view(title, section string) view {
	return view{Title: title, Section: section, User: &c.pr.User, Org: &c.org, Orgs: c.orgs, Caps: c.caps}
}

type orgHandler func(w http.ResponseWriter, r *http.Request, c *orgCtx) error

// org resolves the session and the caller's active membership of the
// organization in the path; an organization the caller is not an active
// member of is a 404, as in the API (R12).
func (p *Portal) org(h orgHandler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		pr, ok := p.requireLogin(w, r)
		if !ok {
			return nil
		}
		c := &orgCtx{pr: pr, actor: pr.Actor(), id: roster.OrgID(r.PathValue("org"))}
		var err error
		if c.caps, err = p.svc.Capabilities(r.Context(), c.actor, c.id); err != nil {
			return err
		}
		if c.org, err = p.svc.GetOrganization(r.Context(), c.actor, c.id); err != nil {
			return err
		}
		if _, c.orgs, err = p.svc.Me(r.Context(), pr); err != nil {
			return err
		}
		return h(w, r, c)
	}
}

func (p *Portal) orgHome(w http.ResponseWriter, r *http.Request) error {
	return p.redirect(w, r, "/o/"+r.PathValue("org")+"/users", "")
}

// roleNames maps role keys to names, for tables.
func roleNames(roles []roster.RoleView) map[string]string {
	m := make(map[string]string, len(roles))
	for _, r := range roles {
		m[r.Key] = r.Name
	}
	return m
}

// allClients reads every client the caller can see, active and archived
// (past clients are assignable too, R11), page by page.
func (p *Portal) allClients(r *http.Request, c *orgCtx) ([]roster.Client, error) {
	if !p.model.HasClients() {
		return nil, nil
	}
	var out []roster.Client
	q := roster.ClientQuery{Status: "all", Page: roster.Page{Limit: roster.MaxPageSize}}
	for range 50 {
		page, err := p.svc.ListClients(r.Context(), c.actor, c.id, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Clients...)
		if page.NextCursor == "" {
			break
		}
		q.Cursor = page.NextCursor
	}
	return out, nil
}

// allTeams reads every team where the model has teams.
func (p *Portal) allTeams(r *http.Request, c *orgCtx) ([]roster.Team, error) {
	if !p.model.Teams {
		return nil, nil
	}
	var out []roster.Team
	pg := roster.Page{Limit: roster.MaxPageSize}
	for range 50 {
		page, err := p.svc.ListTeams(r.Context(), c.actor, c.id, pg)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Teams...)
		if page.NextCursor == "" {
			break
		}
		pg.Cursor = page.NextCursor
	}
	return out, nil
}
