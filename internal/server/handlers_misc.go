package server

import (
	"encoding/json"
	"net/http"

	"github.com/roster-dev/roster/internal/roster"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

type permissionJSON struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	PerClient bool   `json:"per_client"`
}

type featureJSON struct {
	Key         string           `json:"key"`
	Name        string           `json:"name"`
	Permissions []permissionJSON `json:"permissions"`
}

func (s *Server) listPermissions(w http.ResponseWriter, r *http.Request) error {
	fs, err := s.svc.ListPermissions(r.Context(), actorOf(r), orgID(r))
	if err != nil {
		return err
	}
	out := []featureJSON{}
	for _, f := range fs {
		fj := featureJSON{Key: f.Key, Name: f.Name, Permissions: []permissionJSON{}}
		for _, p := range f.Permissions {
			fj.Permissions = append(fj.Permissions, permissionJSON(p))
		}
		out = append(out, fj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"features": out})
	return nil
}

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.svc.ListRoles(r.Context(), actorOf(r), orgID(r))
	if err != nil {
		return err
	}
	out := make([]roleJSON, 0, len(rs))
	for _, role := range rs {
		out = append(out, toRole(role))
	}
	writeJSON(w, http.StatusOK, map[string]any{"roles": out})
	return nil
}

func (s *Server) listClients(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	list, err := s.svc.ListClients(r.Context(), actorOf(r), orgID(r), roster.ClientQuery{Status: r.URL.Query().Get("status"), Page: page})
	if err != nil {
		return err
	}
	out := make([]clientJSON, 0, len(list.Clients))
	for _, c := range list.Clients {
		out = append(out, toClient(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": out, "next_cursor": nextCursor(list.NextCursor)})
	return nil
}

type createClientRequest struct {
	Name       string `json:"name"`
	ExternalID string `json:"external_id"`
}

func (s *Server) createClient(w http.ResponseWriter, r *http.Request) error {
	var req createClientRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	c, err := s.svc.CreateClient(r.Context(), actorOf(r), orgID(r), roster.CreateClientInput{Name: req.Name, ExternalID: req.ExternalID})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toClient(c))
	return nil
}

type updateClientRequest struct {
	Name   *string `json:"name"`
	Status *string `json:"status"`
}

func (s *Server) updateClient(w http.ResponseWriter, r *http.Request) error {
	var req updateClientRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	c, err := s.svc.UpdateClient(r.Context(), actorOf(r), orgID(r), roster.ClientID(r.PathValue("client")), roster.UpdateClientInput{Name: req.Name, Status: req.Status})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toClient(c))
	return nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := s.svc.ListAudit(r.Context(), actorOf(r), orgID(r), roster.AuditQuery{
		MemberID: roster.MemberID(q.Get("member_id")), Actor: roster.UserID(q.Get("actor")), Action: q.Get("action"), Page: page,
	})
	if err != nil {
		return err
	}
	out := make([]eventJSON, 0, len(list.Events))
	for _, e := range list.Events {
		out = append(out, toEvent(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out, "next_cursor": nextCursor(list.NextCursor)})
	return nil
}

type checkRequest struct {
	UserID     roster.UserID   `json:"user_id"`
	Permission string          `json:"permission"`
	ClientID   roster.ClientID `json:"client_id"`
}

type decisionJSON struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
}

func (s *Server) check(w http.ResponseWriter, r *http.Request) error {
	var req checkRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	d, err := s.svc.Check(r.Context(), actorOf(r), roster.CheckInput{OrgID: orgID(r), UserID: req.UserID, Permission: req.Permission, ClientID: req.ClientID})
	if err != nil {
		return err
	}
	s.metrics.checks.WithLabelValues(d.Reason).Inc()
	writeJSON(w, http.StatusOK, decisionJSON(d))
	return nil
}

type batchCheckItem struct {
	OrgID      roster.OrgID    `json:"org_id"`
	UserID     roster.UserID   `json:"user_id"`
	Permission string          `json:"permission"`
	ClientID   roster.ClientID `json:"client_id"`
}

type batchCheckRequest struct {
	Checks []batchCheckItem `json:"checks"`
}

func (s *Server) checkBatch(w http.ResponseWriter, r *http.Request) error {
	var req batchCheckRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	items := make([]roster.CheckInput, len(req.Checks))
	for i, c := range req.Checks {
		items[i] = roster.CheckInput{OrgID: c.OrgID, UserID: c.UserID, Permission: c.Permission, ClientID: c.ClientID}
	}
	ds, err := s.svc.CheckBatch(r.Context(), actorOf(r), items)
	if err != nil {
		return err
	}
	out := make([]decisionJSON, len(ds))
	for i, d := range ds {
		out[i] = decisionJSON(d)
		s.metrics.checks.WithLabelValues(d.Reason).Inc()
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
	return nil
}

type adminCreateOrgRequest struct {
	Name       string `json:"name"`
	OwnerEmail string `json:"owner_email"`
	Plan       string `json:"plan"`
}

func (s *Server) adminCreateOrg(w http.ResponseWriter, r *http.Request) error {
	var req adminCreateOrgRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	out, err := s.svc.CreateOrganization(r.Context(), actorOf(r), roster.CreateOrgInput{Name: req.Name, OwnerEmail: req.OwnerEmail, Plan: req.Plan})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"organization": toOrg(out.Org), "owner": toMember(out.Owner), "accept_url": optional(out.AcceptURL)})
	return nil
}
