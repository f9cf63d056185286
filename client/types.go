package client

import (
	"encoding/json"
	"time"
)

// The response types mirror the contract's JSON (docs/api.md and the node's
// OpenAPI document); fields the contract makes nullable are pointers.

// User is a person's account.
type User struct {
	ID            string    `json:"id"`
	Email         string    `json:"email"`
	EmailVerified bool      `json:"email_verified"`
	FirstName     string    `json:"first_name"`
	LastName      string    `json:"last_name"`
	TwoFactor     bool      `json:"two_factor"`
	CreatedAt     time.Time `json:"created_at"`
}

// Seats is an organization's seat count; Limit is nil for unlimited.
type Seats struct {
	Limit *int `json:"limit"`
	Used  int  `json:"used"`
}

// AgentSeats is an organization's agent-seat count (R17); Limit is nil for
// unlimited, Billable leaves out the free first seat.
type AgentSeats struct {
	Limit    *int `json:"limit"`
	Used     int  `json:"used"`
	Billable int  `json:"billable"`
}

// Organization is a tenant.
type Organization struct {
	ID                     string     `json:"id"`
	Name                   string     `json:"name"`
	Plan                   string     `json:"plan"`
	OwnerMemberID          string     `json:"owner_member_id"`
	BillingContactMemberID *string    `json:"billing_contact_member_id"`
	Seats                  Seats      `json:"seats"`
	AgentSeats             AgentSeats `json:"agent_seats"`
	EnforcedAuth           *string    `json:"enforced_auth"`
	CustomRolesAvailable   bool       `json:"custom_roles_available"`
	CreatedAt              time.Time  `json:"created_at"`
}

// OrganizationRef names an organization.
type OrganizationRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Client-access modes of a member (ClientAccess.Mode) and of a role
// (Role.ClientAccess).
const (
	AccessAll          = "all"
	AccessAllByDefault = "all_by_default" // a role's rule only
	AccessSpecific     = "specific"
	AccessNone         = "none"
)

// ClientAccess is which of the organization's clients a member reaches.
type ClientAccess struct {
	Mode    string   `json:"mode"`
	Clients []string `json:"clients"`
}

// Member statuses.
const (
	StatusInvited = "invited"
	StatusActive  = "active"
	StatusRevoked = "revoked"
)

// Member is a person's place in one organization.
type Member struct {
	ID               string       `json:"id"`
	UserID           *string      `json:"user_id"`
	Email            string       `json:"email"`
	FirstName        string       `json:"first_name"`
	LastName         string       `json:"last_name"`
	Role             string       `json:"role"`
	Status           string       `json:"status"`
	IsOwner          bool         `json:"is_owner"`
	IsBillingContact bool         `json:"is_billing_contact"`
	TwoFactor        *bool        `json:"two_factor"` // nil while invited
	EnforcedAuth     *string      `json:"enforced_auth"`
	ClientAccess     ClientAccess `json:"client_access"`
	AgentAccess      bool         `json:"agent_access"`
	Teams            []string     `json:"teams"`
	Invitation       *Invitation  `json:"invitation"` // set while invited
	CreatedAt        time.Time    `json:"created_at"`
	LastActiveAt     *time.Time   `json:"last_active_at"`
}

// Invitation is a pending invitation's expiry.
type Invitation struct {
	ExpiresAt time.Time `json:"expires_at"`
}

// Membership is one of the caller's organizations (Me).
type Membership struct {
	MemberID     string          `json:"member_id"`
	Organization OrganizationRef `json:"organization"`
	Role         string          `json:"role"`
	Status       string          `json:"status"`
	IsOwner      bool            `json:"is_owner"`
}

// Permission is one permission of the model.
type Permission struct {
	Key       string `json:"key"`
	Name      string `json:"name"`
	PerClient bool   `json:"per_client"`
}

// Feature groups permissions.
type Feature struct {
	Key         string       `json:"key"`
	Name        string       `json:"name"`
	Permissions []Permission `json:"permissions"`
}

// RoleMember is an active member holding a role.
type RoleMember struct {
	MemberID  string `json:"member_id"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
}

// Role is a system or custom role.
type Role struct {
	Key          string       `json:"key"`
	Name         string       `json:"name"`
	Description  string       `json:"description"`
	Icon         string       `json:"icon"`
	System       bool         `json:"system"`
	Admin        bool         `json:"admin"`
	Permissions  []string     `json:"permissions"`
	ClientAccess string       `json:"client_access"`
	Position     int          `json:"position"`
	Members      []RoleMember `json:"members"`
}

// Team is a group of members (models with teams).
type Team struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Members   []string  `json:"members"`
	CreatedAt time.Time `json:"created_at"`
}

// Client statuses.
const (
	ClientActive   = "active"
	ClientArchived = "archived"
)

// OrgClient is a client (customer) of an organization, in models with
// clients. (Client is this package's API client.)
type OrgClient struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	ExternalID *string   `json:"external_id"`
	Status     string    `json:"status"`
	CreatedAt  time.Time `json:"created_at"`
}

// Actor is who made an audited change.
type Actor struct {
	UserID *string `json:"user_id"`
	Email  string  `json:"email"`
}

// Target is what an audited change was made to.
type Target struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Event is one audit event; Before and After are JSON objects of the
// changed fields.
type Event struct {
	ID     string          `json:"id"`
	Time   time.Time       `json:"time"`
	Actor  Actor           `json:"actor"`
	Action string          `json:"action"`
	Target Target          `json:"target"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// Reasons of a Decision.
const (
	ReasonGranted           = "granted"
	ReasonNotMember         = "not_member"
	ReasonInactive          = "inactive"
	ReasonMissingPermission = "missing_permission"
	ReasonClientNotAssigned = "client_not_assigned"
	ReasonUnknownClient     = "unknown_client"
	ReasonUnknownPermission = "unknown_permission"
)

// Decision is the answer of a permission check.
type Decision struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
}
