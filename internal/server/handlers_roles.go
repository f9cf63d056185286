package server

import (
	"net/http"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// roleRequest is the body of POST and PATCH roles (R9); absent fields are
// left as they are on PATCH.
type roleRequest struct {
	Name         *string                  `json:"name"`
	Description  *string                  `json:"description"`
	Icon         *string                  `json:"icon"`
	Permissions  *[]string                `json:"permissions"`
	ClientAccess *roster.ClientAccessRule `json:"client_access"`
}

func (req roleRequest) input() roster.RoleInput {
	return roster.RoleInput{Name: req.Name, Description: req.Description, Icon: req.Icon, Permissions: req.Permissions, ClientAccess: req.ClientAccess}
}

func roleKey(r *http.Request) string { return r.PathValue("key") }

func (s *Server) createRole(w http.ResponseWriter, r *http.Request) error {
	var req roleRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	role, err := s.svc.CreateRole(r.Context(), actorOf(r), orgID(r), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toRole(role))
	return nil
}

func (s *Server) updateRole(w http.ResponseWriter, r *http.Request) error {
	var req roleRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	role, err := s.svc.UpdateRole(r.Context(), actorOf(r), orgID(r), roleKey(r), req.input())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toRole(role))
	return nil
}

func (s *Server) deleteRole(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteRole(r.Context(), actorOf(r), orgID(r), roleKey(r), r.URL.Query().Get("reassign_to")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type reorderRolesRequest struct {
	Roles []string `json:"roles"`
}

func (s *Server) reorderRoles(w http.ResponseWriter, r *http.Request) error {
	var req reorderRolesRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	roles, err := s.svc.ReorderRoles(r.Context(), actorOf(r), orgID(r), nonNil(req.Roles))
	if err != nil {
		return err
	}
	out := make([]roleJSON, 0, len(roles))
	for _, role := range roles {
		out = append(out, toRole(role))
	}
	writeJSON(w, http.StatusOK, map[string]any{"roles": out})
	return nil
}

type teamJSON struct {
	ID        roster.TeamID     `json:"id"`
	Name      string            `json:"name"`
	Members   []roster.MemberID `json:"members"`
	CreatedAt time.Time         `json:"created_at"`
}

func toTeam(t roster.Team) teamJSON {
	return teamJSON{ID: t.ID, Name: t.Name, Members: nonNil(t.Members), CreatedAt: t.CreatedAt}
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	list, err := s.svc.ListTeams(r.Context(), actorOf(r), orgID(r), page)
	if err != nil {
		return err
	}
	out := make([]teamJSON, 0, len(list.Teams))
	for _, t := range list.Teams {
		out = append(out, toTeam(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": out, "next_cursor": nextCursor(list.NextCursor)})
	return nil
}

type createTeamRequest struct {
	Name string `json:"name"`
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	var req createTeamRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	t, err := s.svc.CreateTeam(r.Context(), actorOf(r), orgID(r), req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, toTeam(t))
	return nil
}

func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteTeam(r.Context(), actorOf(r), orgID(r), roster.TeamID(r.PathValue("team"))); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type adminUpdateOrgRequest struct {
	Plan string `json:"plan"`
}

func (s *Server) adminUpdateOrg(w http.ResponseWriter, r *http.Request) error {
	var req adminUpdateOrgRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	o, err := s.svc.SetPlan(r.Context(), actorOf(r), orgID(r), req.Plan)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrg(o))
	return nil
}
