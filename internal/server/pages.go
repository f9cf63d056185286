package server

import (
	"fmt"
	"net/http"

	"github.com/roster-dev/roster/internal/roster"
)

// Limits are the per-node rate limits of the API that the portal shares:
// sign-ups per client address and invitation calls per inviter (R2: both
// reveal whether an address has an account; DECISIONS.md).
type Limits interface {
	AllowSignup(ip string) error
	AllowInvite(user roster.UserID) error
}

// AllowSignup counts one sign-up from ip; rate_limited past the limit.
func (s *Server) AllowSignup(ip string) error {
	if ok, wait := s.signups.allow(ip); !ok {
		return &roster.Error{Code: roster.CodeRateLimited, Message: "too many sign-ups from this address", RetryAfter: wait}
	}
	return nil
}

// AllowInvite counts one invitation call of user; rate_limited past the limit.
func (s *Server) AllowInvite(user roster.UserID) error {
	if ok, wait := s.invites.allow(string(user)); !ok {
		return &roster.Error{Code: roster.CodeRateLimited, Message: "too many invitations; try again later", RetryAfter: wait}
	}
	return nil
}

// mountPortal serves the web portal (internal/portal) at every path that is
// not the API's or a service route's: "/", the emailed /invite/<token> and
// /verify/<token> links, and the portal's own pages. The portal applies its
// own cross-origin protection, CSRF tokens and Content-Security-Policy.
func (s *Server) mountPortal(build func(Limits) (http.Handler, error)) error {
	var portal http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "404 page not found", http.StatusNotFound)
	})
	if build != nil {
		h, err := build(s)
		if err != nil {
			return fmt.Errorf("server: portal: %w", err)
		}
		portal = h
	}
	s.mux.Handle("/", portal)
	// The service routes answer other methods with 405, not the portal's 404.
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", "GET, HEAD")
			s.writeError(w, r, &roster.Error{Code: codeMethodNotAllowed, Message: r.Method + " is not allowed here"})
		})
	}
	return nil
}
