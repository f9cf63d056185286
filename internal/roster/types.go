package roster

import (
	"encoding/json"
	"time"
)

// User is a person: one login across all organizations.
type User struct {
	ID            UserID
	Email         string // as given at sign-up or invitation
	EmailVerified bool
	FirstName     string
	LastName      string
	PasswordHash  string
	TOTPSecret    []byte // sealed; nil when 2FA was never started
	TOTPEnabled   bool
	TOTPLastStep  int64
	CreatedAt     time.Time
}

// Organization is a tenant.
type Organization struct {
	ID             OrgID
	Name           string
	Plan           string
	OwnerMemberID  MemberID
	BillingContact MemberID // empty when the model has no billing contact
	EnforcedAuth   string   // "", "google", "okta" or "microsoft"
	Revision       int64    // bumped by every change to the organization's data
	CreatedAt      time.Time
}

// MemberStatus is a membership's lifecycle state.
type MemberStatus string

const (
	StatusInvited MemberStatus = "invited"
	StatusActive  MemberStatus = "active"
	StatusRevoked MemberStatus = "revoked"
)

// Member is a user (or an invited address) in an organization.
type Member struct {
	ID     MemberID
	OrgID  OrgID
	UserID UserID // empty until the invitation is accepted
	Email  string // the invited address; the user's address once joined
	// FirstName and LastName are the names given on the invitation; once the
	// member has a user the user's own names are shown (R15).
	FirstName string
	LastName  string
	Role      string
	Status    MemberStatus
	// ClientMode is the member's own choice for all_by_default roles ("all" or
	// "specific"); the effective mode follows the role's rule (R10).
	ClientMode   ClientAccessRule
	Clients      []ClientID
	AgentAccess  bool
	Teams        []TeamID
	Accepted     bool // the member has joined at least once
	InvitedBy    UserID
	CreatedAt    time.Time
	LastActiveAt *time.Time

	// Read-only, filled by the store's reads from joined rows:
	// TwoFactor is the user's TOTP state (false while there is no user);
	// InvitationExpiresAt is the expiry of the pending invitation, if any.
	TwoFactor           bool
	InvitationExpiresAt *time.Time
}

// InvitationState is the state of one invitation token.
type InvitationState string

const (
	InvitationPending    InvitationState = "pending"
	InvitationAccepted   InvitationState = "accepted"
	InvitationCancelled  InvitationState = "cancelled"
	InvitationSuperseded InvitationState = "superseded" // replaced by a resend
)

// Invitation is one single-use token for a pending membership.
type Invitation struct {
	ID        string
	OrgID     OrgID
	MemberID  MemberID
	TokenHash []byte
	State     InvitationState
	ExpiresAt time.Time
	InvitedBy UserID
	CreatedAt time.Time
}

// ClientStatus is a client's lifecycle state.
type ClientStatus string

const (
	ClientActive   ClientStatus = "active"
	ClientArchived ClientStatus = "archived"
)

// Client is a resource whose access is scoped per member.
type Client struct {
	ID         ClientID
	OrgID      OrgID
	Name       string
	ExternalID string
	Status     ClientStatus
	CreatedAt  time.Time
}

// Session is a login. Only the hash of its token is stored.
type Session struct {
	ID         string
	TokenHash  []byte
	UserID     UserID
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}

// AuditEvent records one change (R18).
type AuditEvent struct {
	ID          EventID
	OrgID       OrgID // empty for account-level events
	ActorUserID UserID
	ActorEmail  string
	Action      string
	TargetType  string
	TargetID    string
	// MemberID is the member the event is about, if any, for profile activity.
	MemberID  MemberID
	Before    json.RawMessage
	After     json.RawMessage
	IP        string
	RequestID string
	Time      time.Time
}

// Email is one message waiting in the outbox (R20).
type Email struct {
	ID        string
	To        string
	Subject   string
	Body      string // plain text, UTF-8; sealed while in the outbox (SealEmail, OpenEmail)
	Kind      string // invitation, resend, added, verify, ...
	CreatedAt time.Time
	Attempts  int
}

// VerificationToken confirms a user's email address (R1).
type VerificationToken struct {
	TokenHash []byte
	UserID    UserID
	ExpiresAt time.Time
	Used      bool
}

// ThrottleState counts failed logins for one key (an address or an IP) in
// the database so the limit holds across nodes (R2).
type ThrottleState struct {
	Key         string
	Failures    int
	WindowStart time.Time
	LockedUntil time.Time
	Lockouts    int
}

// OrgAccess is everything the authorization index needs to answer checks for
// one organization, read in one consistent snapshot at Revision.
type OrgAccess struct {
	OrgID    OrgID
	Revision int64
	Members  []MemberAccess
	Clients  []ClientID // every client of the organization, archived included
	// CustomRoles are the organization's own roles; system roles come from
	// the model.
	CustomRoles []RoleDef
}

// MemberAccess is one membership as the index sees it.
type MemberAccess struct {
	MemberID   MemberID
	UserID     UserID // empty while invited without an account
	Role       string
	Status     MemberStatus
	ClientMode ClientAccessRule // stored choice; see Member.ClientMode
	Clients    []ClientID
}

// CustomRole is an organization's own role (R9). Its key is made from its
// name at creation and never changes.
type CustomRole struct {
	OrgID        OrgID
	Key          string
	Name         string
	Description  string
	Icon         string
	Permissions  []string // catalog keys, in catalog order
	ClientAccess ClientAccessRule
	Position     int // display order among the organization's custom roles
	CreatedAt    time.Time
}

// RoleDef is the custom role as the rules and the index see a role.
func (r CustomRole) RoleDef() RoleDef {
	return RoleDef{Key: r.Key, Name: r.Name, Description: r.Description, Permissions: r.Permissions, ClientAccess: r.ClientAccess}
}

// Team is a named group of members (the marketing preset's inbox teams).
type Team struct {
	ID        TeamID
	OrgID     OrgID
	Name      string
	CreatedAt time.Time
	// Members is read-only, filled by the store's reads: the team's
	// members, in the order they joined the organization.
	Members []MemberID
}
