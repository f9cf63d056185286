package server

import (
	"net/http"

	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    roster.Code `json:"code"`
	Message string      `json:"message"`
	Field   string      `json:"field,omitempty"`
}

// writeError is R21's one JSON shape: it turns any error into the
// contract's JSON, with the status of httpkit's table. Errors that are
// neither a *roster.Error nor an unreachable database are internal: a
// generic 500, the detail logged once here.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, status := httpkit.Classify(err)
	if e == nil {
		s.log.ErrorContext(r.Context(), "request failed", "error", err, "request_id", requestID(r), "route", r.Pattern)
		writeJSON(w, status, errorBody{errorDetail{Code: httpkit.CodeInternal, Message: "internal error; quote request id " + requestID(r)}})
		return
	}
	httpkit.SetRetryAfter(w.Header(), e)
	writeJSON(w, status, errorBody{errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}})
}

// methodNotAllowed answers a path that exists with other methods: 405 with
// Allow, in the contract's shape.
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, allowed []string) {
	httpkit.SetAllow(w.Header(), allowed)
	s.writeError(w, r, &roster.Error{Code: httpkit.CodeMethodNotAllowed, Message: r.Method + " is not allowed here"})
}
