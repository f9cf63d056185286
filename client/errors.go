package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error codes of the API contract (the "code" of an error body). The HTTP
// status of each is fixed by the contract; Error.Status carries it.
const (
	CodeInvalidJSON            = "invalid_json"             // 400
	CodeUnauthenticated        = "unauthenticated"          // 401
	CodeInvalidCredentials     = "invalid_credentials"      // #nosec G101 -- 401; the name of an error code, not a credential
	CodeTOTPRequired           = "totp_required"            // 401
	CodeForbidden              = "forbidden"                // 403
	CodeEscalation             = "escalation"               // 403
	CodePlanFeatureUnavailable = "plan_feature_unavailable" // 403
	CodeNotFound               = "not_found"                // 404
	CodeMethodNotAllowed       = "method_not_allowed"       // 405
	CodeSeatLimitReached       = "seat_limit_reached"       // 409
	CodeAgentSeatLimitReached  = "agent_seat_limit_reached" // 409
	CodeEmailTaken             = "email_taken"              // 409
	CodeRoleInUse              = "role_in_use"              // 409
	CodeNameTaken              = "name_taken"               // 409
	CodeNotRevoked             = "not_revoked"              // 409
	CodeNotPending             = "not_pending"              // 409
	CodeNotActive              = "not_active"               // 409
	CodeOwnerProtected         = "owner_protected"          // 409
	CodeAlreadyMember          = "already_member"           // 409, and per address in InviteResult
	CodeInvitationExpired      = "invitation_expired"       // 410
	CodeInvitationUsed         = "invitation_used"          // 410
	CodeBodyTooLarge           = "body_too_large"           // 413
	CodeUnsupportedMediaType   = "unsupported_media_type"   // 415
	CodeValidationFailed       = "validation_failed"        // 422, with Field
	CodeRateLimited            = "rate_limited"             // 429, with RetryAfter
	CodeInternal               = "internal"                 // 500
	CodeUnavailable            = "unavailable"              // 503, with RetryAfter
	// CodeDuplicate is a per-address invitation result only (InviteResult.Error).
	CodeDuplicate = "duplicate"
)

// Error is a non-2xx answer of the API, decoded from the contract's error
// body {"error": {"code", "message", "field"}}. Get it with errors.As, or
// test its code with IsCode.
type Error struct {
	Status  int    // the HTTP status
	Code    string // one of the Code constants; "" when the body was not the contract's
	Message string // safe to show to a person
	Field   string // the request field at fault (422), or ""
	// RetryAfter is the node's Retry-After header (429 and 503), or 0.
	RetryAfter time.Duration
	// RequestID is the X-Request-Id the node gave the request: quote it
	// when reporting an internal error.
	RequestID string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "roster: %d", e.Status)
	if e.Code != "" {
		fmt.Fprintf(&b, " %s", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, " (field %s)", e.Field)
	}
	return b.String()
}

// Is makes errors.Is(err, &client.Error{Code: client.CodeNotFound}) match
// any *Error with that code (and that status, when the target sets one).
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Status == 0 || t.Status == e.Status) && t.Message == "" && t.Field == ""
}

// IsCode reports whether err is (or wraps) an *Error with the given code.
func IsCode(err error, code string) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == code
}

// StatusOf returns the HTTP status of an *Error in err's chain, or 0 when
// err is nil or did not come from an answer (a network error, a cancelled
// context).
func StatusOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// FieldOf returns the field an *Error in err's chain names, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// maxErrorBody bounds how much of an error answer is read.
const maxErrorBody = 64 << 10

func errorFrom(res *http.Response) *Error {
	e := &Error{Status: res.StatusCode, RequestID: res.Header.Get("X-Request-Id"), RetryAfter: retryAfter(res.Header.Get("Retry-After"), time.Now())}
	data, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	var body struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &body) == nil && body.Error.Code != "" {
		e.Code, e.Message, e.Field = body.Error.Code, body.Error.Message, body.Error.Field
	} else {
		// Not the contract's shape (a proxy's page, say): keep the status
		// text and the start of the body for the person reading the error.
		e.Message = http.StatusText(res.StatusCode)
		if s := strings.TrimSpace(string(data)); s != "" {
			if len(s) > 200 {
				s = s[:200] + "…"
			}
			e.Message += ": " + s
		}
	}
	return e
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
