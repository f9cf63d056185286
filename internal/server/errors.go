package server

import (
	"errors"
	"math"
	"net/http"
	"strconv"

	"github.com/roster-dev/roster/internal/roster"
)

// statusOf is the one table from error code to HTTP status.
var statusOf = map[roster.Code]int{
	roster.CodeInvalidJSON:            http.StatusBadRequest,
	roster.CodeUnauthenticated:        http.StatusUnauthorized,
	roster.CodeInvalidCredentials:     http.StatusUnauthorized,
	roster.CodeTOTPRequired:           http.StatusUnauthorized,
	roster.CodeForbidden:              http.StatusForbidden,
	roster.CodeEscalation:             http.StatusForbidden,
	roster.CodePlanFeatureUnavailable: http.StatusForbidden,
	roster.CodeNotFound:               http.StatusNotFound,
	roster.CodeSeatLimitReached:       http.StatusConflict,
	roster.CodeAgentSeatLimitReached:  http.StatusConflict,
	roster.CodeEmailTaken:             http.StatusConflict,
	roster.CodeRoleInUse:              http.StatusConflict,
	roster.CodeNameTaken:              http.StatusConflict,
	roster.CodeNotRevoked:             http.StatusConflict,
	roster.CodeNotPending:             http.StatusConflict,
	roster.CodeNotActive:              http.StatusConflict,
	roster.CodeOwnerProtected:         http.StatusConflict,
	roster.CodeAlreadyMember:          http.StatusConflict,
	roster.CodeInvitationExpired:      http.StatusGone,
	roster.CodeInvitationUsed:         http.StatusGone,
	codeMethodNotAllowed:              http.StatusMethodNotAllowed,
	codeBodyTooLarge:                  http.StatusRequestEntityTooLarge,
	codeUnsupportedMediaType:          http.StatusUnsupportedMediaType,
	roster.CodeValidationFailed:       http.StatusUnprocessableEntity,
	roster.CodeRateLimited:            http.StatusTooManyRequests,
	roster.CodeUnavailable:            http.StatusServiceUnavailable,
}

// Codes that only the HTTP layer produces.
const (
	codeMethodNotAllowed     roster.Code = "method_not_allowed"
	codeBodyTooLarge         roster.Code = "body_too_large"
	codeUnsupportedMediaType roster.Code = "unsupported_media_type"
	codeInternal             roster.Code = "internal"
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    roster.Code `json:"code"`
	Message string      `json:"message"`
	Field   string      `json:"field,omitempty"`
}

// writeError is R21's one JSON shape: it turns any error into the contract's JSON. Errors that are not
// *roster.Error are internal: a generic 500, the detail logged once here.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *roster.Error
	if !errors.As(err, &e) || statusOf[e.Code] == 0 {
		if isUnavailable(err) {
			e = &roster.Error{Code: roster.CodeUnavailable, Message: "the service is temporarily unavailable"}
		} else {
			s.log.ErrorContext(r.Context(), "request failed", "error", err, "request_id", requestID(r), "route", r.Pattern)
			writeJSON(w, http.StatusInternalServerError, errorBody{errorDetail{Code: codeInternal, Message: "internal error; quote request id " + requestID(r)}})
			return
		}
	}
	if e.Code == roster.CodeRateLimited || e.Code == roster.CodeUnavailable {
		// At least 1 s: an unavailable without its own wait (database
		// down, feed cut) gets 1; a shed password hash says its own.
		secs := int(math.Ceil(e.RetryAfter.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
	}
	writeJSON(w, statusOf[e.Code], errorBody{errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}})
}

// isUnavailable recognises a database that cannot be reached: writes fail
// closed with 503.
func isUnavailable(err error) bool {
	var u interface{ Unavailable() bool }
	return errors.As(err, &u) && u.Unavailable()
}
