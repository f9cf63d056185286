// Package httpkit is what the JSON API (internal/server) and the web portal
// (internal/portal) share of HTTP: the one table from error code to status,
// the client's address behind trusted proxies, the security headers, and
// the methods a path answers (for 405). It holds no rule of the domain:
// those are roster.Service's.
package httpkit

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

// Codes that only the HTTP layer produces.
const (
	CodeMethodNotAllowed     roster.Code = "method_not_allowed"
	CodeBodyTooLarge         roster.Code = "body_too_large"
	CodeUnsupportedMediaType roster.Code = "unsupported_media_type"
	CodeInternal             roster.Code = "internal"
)

// statuses is the one table from error code to HTTP status, for the API's
// JSON errors and the portal's pages alike.
var statuses = map[roster.Code]int{
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
	roster.CodeDuplicate:              http.StatusConflict, // a per-address invitation result; never a whole answer
	roster.CodeInvitationExpired:      http.StatusGone,
	roster.CodeInvitationUsed:         http.StatusGone,
	CodeMethodNotAllowed:              http.StatusMethodNotAllowed,
	CodeBodyTooLarge:                  http.StatusRequestEntityTooLarge,
	CodeUnsupportedMediaType:          http.StatusUnsupportedMediaType,
	roster.CodeValidationFailed:       http.StatusUnprocessableEntity,
	roster.CodeRateLimited:            http.StatusTooManyRequests,
	roster.CodeUnavailable:            http.StatusServiceUnavailable,
	CodeInternal:                      http.StatusInternalServerError,
}

// Status is the HTTP status of an error code; 0 for a code it does not know.
func Status(c roster.Code) int { return statuses[c] }

// Classify turns any error into the refusal to report and its status. A
// *roster.Error with a known code is itself; an error that reports
// Unavailable() (a database that cannot be reached) is CodeUnavailable, 503;
// anything else is internal: nil and 500, and the caller logs it.
func Classify(err error) (*roster.Error, int) {
	var e *roster.Error
	if errors.As(err, &e) && e.Code != CodeInternal && statuses[e.Code] != 0 {
		return e, statuses[e.Code]
	}
	var u interface{ Unavailable() bool }
	if errors.As(err, &u) && u.Unavailable() {
		return &roster.Error{Code: roster.CodeUnavailable, Message: "the service is temporarily unavailable"}, http.StatusServiceUnavailable
	}
	return nil, http.StatusInternalServerError
}

// SetRetryAfter sets Retry-After on a rate_limited or unavailable answer:
// at least 1 s. An unavailable without its own wait (database down, feed
// cut) gets 1; a shed password hash or a limit says its own.
func SetRetryAfter(h http.Header, e *roster.Error) {
	if e == nil || (e.Code != roster.CodeRateLimited && e.Code != roster.CodeUnavailable) {
		return
	}
	secs := int(math.Ceil(e.RetryAfter.Seconds()))
	h.Set("Retry-After", strconv.Itoa(max(secs, 1)))
}

// Content-Security-Policy of the JSON API (nothing to load) and of the
// portal's pages (their own scripts, styles and images only).
const (
	CSPNone  = "default-src 'none'; frame-ancestors 'none'"
	CSPPages = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)

// SetSecurityHeaders sets the headers every answer carries, with csp as
// its Content-Security-Policy.
func SetSecurityHeaders(h http.Header, csp string) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", csp)
	h.Set("Cache-Control", "no-store")
}

// methods are those a route of the API or the portal may declare.
var methods = []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete}

// Allowed lists the methods that mux serves r's path with, other than
// r.Method: patterns that name a method, not catch-alls. A GET route
// answers HEAD too. Empty when the path is not served at all (404, not
// 405).
func Allowed(mux *http.ServeMux, r *http.Request) []string {
	var out []string
	for _, m := range methods {
		if m == r.Method {
			continue
		}
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, p := mux.Handler(probe); strings.Contains(p, " ") {
			out = append(out, m)
			if m == http.MethodGet && r.Method != http.MethodHead {
				out = append(out, http.MethodHead)
			}
		}
	}
	return out
}

// SetAllow sets the Allow header of a 405 answer.
func SetAllow(h http.Header, allowed []string) {
	h.Set("Allow", strings.Join(allowed, ", "))
}
