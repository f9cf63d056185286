package authz

import "github.com/roster-dev/roster/internal/roster"

// Reason says why a check was allowed or denied. The values are part of the
// API contract.
type Reason string

const (
	Granted           Reason = "granted"
	NotMember         Reason = "not_member"          // unknown organization, or the user is not in it
	Inactive          Reason = "inactive"            // invited or revoked
	MissingPermission Reason = "missing_permission"  // the member's role lacks the permission
	ClientNotAssigned Reason = "client_not_assigned" // the client is outside the member's access
	UnknownClient     Reason = "unknown_client"      // not a client of the organization
	UnknownPermission Reason = "unknown_permission"  // not in the model's catalog
)

// Decision is a check's answer.
type Decision struct {
	Allowed bool
	Reason  Reason
}

func allow() Decision        { return Decision{Allowed: true, Reason: Granted} }
func deny(r Reason) Decision { return Decision{Reason: r} }

// EffectiveMode is R10: the client access a member gets from its role's rule
// and its own stored choice. Only all_by_default honours the member's
// narrowing to specific clients; an unknown rule gives no clients. It is
// roster.EffectiveClientMode, so the domain and the index cannot disagree.
func EffectiveMode(rule, stored roster.ClientAccessRule) roster.ClientAccessRule {
	return roster.EffectiveClientMode(rule, stored)
}
