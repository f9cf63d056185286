package portal

import (
	"net/http"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

type settingsData struct {
	Plan      roster.Plan
	Providers []string
	Teams     []roster.Team
}

// settingsPage shows the organization's name, enforced authentication and
// plan with its seats; the form only to those who may change them.
func (p *Portal) settingsPage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	plan, _ := p.model.Plan(c.org.Plan)
	d := settingsData{Plan: plan, Providers: []string{"google", "okta", "microsoft"}}
	var err error
	if d.Teams, err = p.allTeams(r, c); err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "settings", c.viewWith("Settings", "settings", d))
}

func (p *Portal) settingsForm(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	name := r.PostFormValue("name")
	auth := strings.TrimSpace(r.PostFormValue("enforced_auth"))
	in := roster.UpdateOrgInput{Name: &name, EnforcedAuth: &auth}
	if _, err := p.svc.UpdateOrganization(r.Context(), c.actor, c.id, in); err != nil {
		return p.backWithError(w, r, c.base()+"/settings", err)
	}
	return p.redirect(w, r, c.base()+"/settings", "Settings saved.")
}

// teamCreate adds a team (users.manage).
func (p *Portal) teamCreate(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	t, err := p.svc.CreateTeam(r.Context(), c.actor, c.id, r.PostFormValue("name"))
	if err != nil {
		return p.backWithError(w, r, c.base()+"/settings", err)
	}
	return p.redirect(w, r, c.base()+"/settings", "Team "+t.Name+" added.")
}

func (p *Portal) teamDelete(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	if err := p.svc.DeleteTeam(r.Context(), c.actor, c.id, roster.TeamID(r.PathValue("team"))); err != nil {
		return p.backWithError(w, r, c.base()+"/settings", err)
	}
	return p.redirect(w, r, c.base()+"/settings", "Team deleted.")
}
