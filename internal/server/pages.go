package server

import (
	"net/http"

	"github.com/roster-dev/roster/internal/httpkit"
)

// mountPortal serves the web portal (internal/portal) at every path that is
// not the API's or a service route's: "/", the emailed /invite/<token> and
// /verify/<token> links, and the portal's own pages. The portal applies its
// own cross-origin protection, CSRF tokens and Content-Security-Policy.
func (s *Server) mountPortal(portal http.Handler) {
	if portal == nil {
		portal = http.NotFoundHandler()
	}
	s.mux.Handle("/", portal)
	// The service routes answer other methods with 405, not the portal's 404.
	for _, path := range []string{"/healthz", "/readyz", "/metrics"} {
		s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			s.methodNotAllowed(w, r, httpkit.Allowed(s.mux, r))
		})
	}
}
