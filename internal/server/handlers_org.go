package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

func orgID(r *http.Request) roster.OrgID       { return roster.OrgID(r.PathValue("org")) }
func memberID(r *http.Request) roster.MemberID { return roster.MemberID(r.PathValue("member")) }

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) error {
	o, err := s.svc.GetOrganization(r.Context(), actorOf(r), orgID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrg(o))
	return nil
}

// nullableString tells an absent field from an explicit null.
type nullableString struct {
	Set   bool
	Value *string
}

func (n *nullableString) UnmarshalJSON(b []byte) error {
	n.Set = true
	if string(b) == "null" {
		return nil
	}
	var v string
	if err := jsonUnmarshal(b, &v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

type updateOrgRequest struct {
	Name         *string        `json:"name"`
	EnforcedAuth nullableString `json:"enforced_auth"`
}

func (s *Server) updateOrg(w http.ResponseWriter, r *http.Request) error {
	var req updateOrgRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	in := roster.UpdateOrgInput{Name: req.Name}
	if req.EnforcedAuth.Set {
		v := ""
		if req.EnforcedAuth.Value != nil {
			v = *req.EnforcedAuth.Value
			if v == "" {
				return roster.Invalid("enforced_auth", "enforced_auth must be null, google, okta or microsoft")
			}
		}
		in.EnforcedAuth = &v
	}
	o, err := s.svc.UpdateOrganization(r.Context(), actorOf(r), orgID(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrg(o))
	return nil
}

// pageOf reads ?limit= and ?cursor=.
func pageOf(r *http.Request) (roster.Page, error) {
	p := roster.Page{Cursor: r.URL.Query().Get("cursor")}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, roster.Invalid("limit", "limit must be between 1 and 200")
		}
		p.Limit = n
	}
	return p, nil
}

// splitList reads a comma-separated query parameter.
func splitList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	mq := roster.MemberQuery{Roles: splitList(q.Get("role")), Query: q.Get("q"), Page: page}
	for _, st := range splitList(q.Get("status")) {
		mq.Statuses = append(mq.Statuses, roster.MemberStatus(st))
	}
	list, err := s.svc.ListMembers(r.Context(), actorOf(r), orgID(r), mq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": toMembers(list.Members), "next_cursor": nextCursor(list.NextCursor)})
	return nil
}

func (s *Server) getMember(w http.ResponseWriter, r *http.Request) error {
	m, err := s.svc.GetMember(r.Context(), actorOf(r), orgID(r), memberID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMember(m))
	return nil
}

type updateMemberRequest struct {
	Role        *string          `json:"role"`
	AgentAccess *bool            `json:"agent_access"`
	Teams       *[]roster.TeamID `json:"teams"`
	FirstName   *string          `json:"first_name"`
	LastName    *string          `json:"last_name"`
}

func (s *Server) updateMember(w http.ResponseWriter, r *http.Request) error {
	var req updateMemberRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	m, err := s.svc.UpdateMember(r.Context(), actorOf(r), orgID(r), memberID(r), roster.UpdateMemberInput{
		Role: req.Role, AgentAccess: req.AgentAccess, Teams: req.Teams, FirstName: req.FirstName, LastName: req.LastName})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMember(m))
	return nil
}

type clientAccessRequest struct {
	Mode    string            `json:"mode"`
	Clients []roster.ClientID `json:"clients"`
}

func (s *Server) setMemberClients(w http.ResponseWriter, r *http.Request) error {
	var req clientAccessRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	m, err := s.svc.SetClientAccess(r.Context(), actorOf(r), orgID(r), memberID(r), roster.ClientAccessInput{Mode: roster.ClientAccessRule(req.Mode), Clients: req.Clients})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMember(m))
	return nil
}

func (s *Server) revokeMember(w http.ResponseWriter, r *http.Request) error {
	if err := s.decode(r, &struct{}{}); err != nil {
		return err
	}
	m, err := s.svc.Revoke(r.Context(), actorOf(r), orgID(r), memberID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMember(m))
	return nil
}

func (s *Server) reactivateMember(w http.ResponseWriter, r *http.Request) error {
	if err := s.decode(r, &struct{}{}); err != nil {
		return err
	}
	m, err := s.svc.Reactivate(r.Context(), actorOf(r), orgID(r), memberID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toMember(m))
	return nil
}

func (s *Server) resendInvitation(w http.ResponseWriter, r *http.Request) error {
	if err := s.decode(r, &struct{}{}); err != nil {
		return err
	}
	m, url, err := s.svc.Resend(r.Context(), actorOf(r), orgID(r), memberID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"member": toMember(m), "accept_url": url})
	return nil
}

func (s *Server) deleteMember(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteMember(r.Context(), actorOf(r), orgID(r), memberID(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) memberAccess(w http.ResponseWriter, r *http.Request) error {
	a, err := s.svc.Access(r.Context(), actorOf(r), orgID(r), memberID(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"permissions": nonNil(a.Permissions), "clients": clientAccessJSON{Mode: a.Mode, Clients: nonNil(a.Clients)}})
	return nil
}

type inviteRequest struct {
	Emails       []string             `json:"emails"`
	Role         string               `json:"role"`
	ClientAccess *clientAccessRequest `json:"client_access"`
	AgentAccess  bool                 `json:"agent_access"`
	Teams        []roster.TeamID      `json:"teams"`
	FirstName    string               `json:"first_name"`
	LastName     string               `json:"last_name"`
	Disabled     bool                 `json:"disabled"`
}

type inviteResultJSON struct {
	Email     string          `json:"email"`
	Status    string          `json:"status"`
	MemberID  roster.MemberID `json:"member_id,omitempty"`
	AcceptURL string          `json:"accept_url,omitempty"`
	Error     *errorDetail    `json:"error,omitempty"`
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request) error {
	var req inviteRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	in := roster.InviteInput{Emails: req.Emails, Role: req.Role, AgentAccess: req.AgentAccess, Teams: req.Teams,
		FirstName: req.FirstName, LastName: req.LastName, Disabled: req.Disabled}
	if req.ClientAccess != nil {
		in.ClientAccess = &roster.ClientAccessInput{Mode: roster.ClientAccessRule(req.ClientAccess.Mode), Clients: req.ClientAccess.Clients}
	}
	results, err := s.svc.Invite(r.Context(), actorOf(r), orgID(r), in)
	if err != nil {
		return err
	}
	out := make([]inviteResultJSON, 0, len(results))
	for _, res := range results {
		j := inviteResultJSON{Email: res.Email, Status: res.Status, MemberID: res.MemberID, AcceptURL: res.AcceptURL}
		if res.Err != nil {
			j.Error = &errorDetail{Code: res.Err.Code, Message: res.Err.Message}
		}
		out = append(out, j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
	return nil
}

type memberRefRequest struct {
	MemberID roster.MemberID `json:"member_id"`
}

func (s *Server) transferOwnership(w http.ResponseWriter, r *http.Request) error {
	var req memberRefRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	o, err := s.svc.TransferOwnership(r.Context(), actorOf(r), orgID(r), req.MemberID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrg(o))
	return nil
}

func (s *Server) setBillingContact(w http.ResponseWriter, r *http.Request) error {
	var req memberRefRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	o, err := s.svc.SetBillingContact(r.Context(), actorOf(r), orgID(r), req.MemberID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toOrg(o))
	return nil
}
