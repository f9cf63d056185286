package roster

import (
	"errors"
	"fmt"
	"time"
)

// Code is a stable, machine-readable error code of the API contract.
// Its HTTP status is decided once, in the server's error table.
type Code string

// Error codes of docs/api.md.
const (
	CodeInvalidJSON            Code = "invalid_json"
	CodeUnauthenticated        Code = "unauthenticated"
	CodeInvalidCredentials     Code = "invalid_credentials" // #nosec G101 -- the name of an error code, not a credential
	CodeTOTPRequired           Code = "totp_required"
	CodeForbidden              Code = "forbidden"
	CodeEscalation             Code = "escalation"
	CodePlanFeatureUnavailable Code = "plan_feature_unavailable"
	CodeNotFound               Code = "not_found"
	CodeSeatLimitReached       Code = "seat_limit_reached"
	CodeAgentSeatLimitReached  Code = "agent_seat_limit_reached"
	CodeEmailTaken             Code = "email_taken"
	CodeRoleInUse              Code = "role_in_use"
	CodeNameTaken              Code = "name_taken"
	CodeNotRevoked             Code = "not_revoked"
	CodeNotPending             Code = "not_pending"
	CodeNotActive              Code = "not_active"
	CodeOwnerProtected         Code = "owner_protected"
	CodeInvitationExpired      Code = "invitation_expired"
	CodeInvitationUsed         Code = "invitation_used"
	CodeValidationFailed       Code = "validation_failed"
	CodeRateLimited            Code = "rate_limited"
	CodeUnavailable            Code = "unavailable"
	// Per-address invitation result codes (docs/api.md, invitations).
	CodeDuplicate     Code = "duplicate"
	CodeAlreadyMember Code = "already_member"
)

// Error is a refusal the API reports to its caller: a code, a message safe to
// show, and the field at fault where there is one. Anything that is not an
// *Error reaching the server is an internal error (500, detail logged only).
type Error struct {
	Code       Code
	Message    string
	Field      string
	RetryAfter time.Duration // for CodeRateLimited and CodeUnavailable (0: the default)
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (field %s)", e.Code, e.Message, e.Field)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Is makes errors.Is(err, ErrNotFound) match any *Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Field == "" && t.Message == ""
}

// Sentinel errors, compared with errors.Is by code only.
var (
	ErrNotFound        = &Error{Code: CodeNotFound}
	ErrForbidden       = &Error{Code: CodeForbidden}
	ErrEscalation      = &Error{Code: CodeEscalation}
	ErrInvalid         = &Error{Code: CodeValidationFailed}
	ErrConflictEmail   = &Error{Code: CodeEmailTaken}
	ErrUnauthenticated = &Error{Code: CodeUnauthenticated}
	ErrUnavailable     = &Error{Code: CodeUnavailable}
)

// NewError builds an *Error.
func NewError(code Code, message string) *Error { return &Error{Code: code, Message: message} }

// Invalid is a 422 validation_failed naming the field at fault.
func Invalid(field, message string) *Error {
	return &Error{Code: CodeValidationFailed, Field: field, Message: message}
}

// notFound is the uniform answer for anything the caller may not see.
func notFound(what string) *Error {
	return &Error{Code: CodeNotFound, Message: what + " not found"}
}

func forbidden(message string) *Error { return &Error{Code: CodeForbidden, Message: message} }

// CodeOf returns the code of err, or "" when err is not an *Error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
