package portal

import (
	"net/http"
	"net/url"

	"github.com/roster-dev/roster/internal/roster"
)

type clientsData struct {
	Status  string // active or archived
	Clients []roster.Client
	Next    string
	First   string
	Name    string // the add form's value after a refusal
}

// clientsPage lists the clients the caller can see, active or past.
func (p *Portal) clientsPage(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	if !p.model.HasClients() {
		return &pageError{status: http.StatusNotFound, msg: "This " + p.model.Names.Organization + " has no " + p.model.Names.Client + "s."}
	}
	d, err := p.clientsList(r, c)
	if err != nil {
		return err
	}
	return p.render(w, r, http.StatusOK, "clients", c.viewWith(upperFirst(p.model.Names.Client)+"s", "clients", d))
}

func (p *Portal) clientsList(r *http.Request, c *orgCtx) (clientsData, error) {
	d := clientsData{Status: r.URL.Query().Get("status")}
	if d.Status != "archived" {
		d.Status = "active"
	}
	cursor := r.URL.Query().Get("cursor")
	list, err := p.svc.ListClients(r.Context(), c.actor, c.id, roster.ClientQuery{Status: d.Status, Page: roster.Page{Limit: 50, Cursor: cursor}})
	if err != nil {
		return d, err
	}
	d.Clients = list.Clients
	if list.NextCursor != "" {
		d.Next = c.base() + "/clients?" + url.Values{"status": {d.Status}, "cursor": {list.NextCursor}}.Encode()
	}
	if cursor != "" {
		d.First = c.base() + "/clients?status=" + d.Status
	}
	return d, nil
}

// clientCreate adds a client; it is visible at once to members with all
// clients and to nobody restricted until assigned (R11).
func (p *Portal) clientCreate(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	name := r.PostFormValue("name")
	cl, err := p.svc.CreateClient(r.Context(), c.actor, c.id, roster.CreateClientInput{Name: name, ExternalID: r.PostFormValue("external_id")})
	if err != nil {
		return p.backWithError(w, r, c.base()+"/clients", err)
	}
	return p.redirect(w, r, c.base()+"/clients", cl.Name+" added.")
}

// clientStatus archives or restores a client; archived clients stay granted
// to those who had them (R11).
func (p *Portal) clientStatus(w http.ResponseWriter, r *http.Request, c *orgCtx) error {
	status := r.PostFormValue("status")
	id := roster.ClientID(r.PathValue("client"))
	cl, err := p.svc.UpdateClient(r.Context(), c.actor, c.id, id, roster.UpdateClientInput{Status: &status})
	back := c.base() + "/clients"
	if status == "active" {
		back += "?status=archived"
	}
	if err != nil {
		return p.backWithError(w, r, back, err)
	}
	msg := cl.Name + " archived."
	if cl.Status == roster.ClientActive {
		msg = cl.Name + " restored."
	}
	return p.redirect(w, r, back, msg)
}
