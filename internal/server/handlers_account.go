package server

import (
	"net/http"

	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if err := s.ready(r.Context()); err != nil {
		s.log.WarnContext(r.Context(), "not ready", "error", err)
		return roster.NewError(roster.CodeUnavailable, "not ready")
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

type signupRequest struct {
	Email            string `json:"email"`
	Password         string `json:"password"`
	FirstName        string `json:"first_name"`
	LastName         string `json:"last_name"`
	OrganizationName string `json:"organization_name"`
}

func (s *Server) signup(w http.ResponseWriter, r *http.Request) error {
	var req signupRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	res, err := s.svc.Signup(r.Context(), roster.SignupInput{Email: req.Email, Password: req.Password, FirstName: req.FirstName, LastName: req.LastName, OrganizationName: req.OrganizationName, IP: httpkit.ClientIP(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"user": toUser(res.User), "organization": toOrg(res.Org), "member": toMember(res.Member), "token": res.Token})
	return nil
}

type tokenRequest struct {
	Token string `json:"token"`
}

func (s *Server) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	var req tokenRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	u, err := s.svc.VerifyEmail(r.Context(), req.Token)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUser(u)})
	return nil
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTPCode string `json:"totp_code"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	token, u, err := s.svc.Login(r.Context(), roster.LoginInput{Email: req.Email, Password: req.Password, TOTPCode: req.TOTPCode, IP: httpkit.ClientIP(r)})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": token, "user": toUser(u)})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	p, _ := principalOf(r)
	if err := s.svc.Logout(r.Context(), p); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type membershipJSON struct {
	MemberID     roster.MemberID     `json:"member_id"`
	Organization orgRefJSON          `json:"organization"`
	Role         string              `json:"role"`
	Status       roster.MemberStatus `json:"status"`
	IsOwner      bool                `json:"is_owner"`
}

type orgRefJSON struct {
	ID   roster.OrgID `json:"id"`
	Name string       `json:"name"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	p, _ := principalOf(r)
	u, ms, err := s.svc.Me(r.Context(), p)
	if err != nil {
		return err
	}
	out := []membershipJSON{}
	for _, m := range ms {
		out = append(out, membershipJSON{MemberID: m.Member.ID, Organization: orgRefJSON{m.Org.ID, m.Org.Name}, Role: m.Member.Role, Status: m.Member.Status, IsOwner: m.IsOwner})
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUser(u), "memberships": out})
	return nil
}

type updateMeRequest struct {
	FirstName *string `json:"first_name"`
	LastName  *string `json:"last_name"`
}

func (s *Server) updateMe(w http.ResponseWriter, r *http.Request) error {
	var req updateMeRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	p, _ := principalOf(r)
	u, err := s.svc.UpdateMe(r.Context(), p, roster.UpdateMeInput{FirstName: req.FirstName, LastName: req.LastName})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUser(u)})
	return nil
}

func (s *Server) beginTOTP(w http.ResponseWriter, r *http.Request) error {
	if err := s.decode(r, &struct{}{}); err != nil {
		return err
	}
	p, _ := principalOf(r)
	e, err := s.svc.BeginTOTP(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"secret": e.Secret, "otpauth_url": e.OTPAuthURL})
	return nil
}

type codeRequest struct {
	Code string `json:"code"`
}

func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var req codeRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	p, _ := principalOf(r)
	codes, err := s.svc.ConfirmTOTP(r.Context(), p, req.Code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
	return nil
}

func (s *Server) disableTOTP(w http.ResponseWriter, r *http.Request) error {
	var req codeRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	p, _ := principalOf(r)
	if err := s.svc.DisableTOTP(r.Context(), p, req.Code); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) previewInvitation(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.PreviewInvitation(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"organization": orgRefJSON{p.Org.ID, p.Org.Name}, "email": p.Email, "role": p.Role,
		"invited_by": optional(p.InvitedBy), "expires_at": p.ExpiresAt, "account_exists": p.AccountExists,
		"first_name": p.FirstName, "last_name": p.LastName,
	})
	return nil
}

type acceptRequest struct {
	Token     string `json:"token"`
	Password  string `json:"password"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	TOTPCode  string `json:"totp_code"`
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	var req acceptRequest
	if err := s.decode(r, &req); err != nil {
		return err
	}
	in := roster.AcceptInput{Token: req.Token, Password: req.Password, FirstName: req.FirstName, LastName: req.LastName, TOTPCode: req.TOTPCode, IP: httpkit.ClientIP(r)}
	if p, ok := principalOf(r); ok {
		in.Principal = &p
	}
	res, err := s.svc.AcceptInvitation(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user": toUser(res.User), "organization": toOrg(res.Org), "member": toMember(res.Member), "token": res.Token})
	return nil
}
