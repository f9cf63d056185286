package roster

import (
	"context"
	"time"
)

// Store is the persistence contract. Implementations: internal/sqlite and
// internal/postgres; internal/storetest checks both against this contract.
//
// Error contract for every method: a missing record is an error matching
// ErrNotFound (errors.Is); a unique constraint broken by Create* is an error
// matching ErrConflict; anything else is an internal error wrapped with
// context. Every method on tenant data takes the organization id and filters
// on it: a record of another organization is "not found".
type Store interface {
	Queries
	Outbox
	// WithTx runs fn in one write transaction: SQLite BEGIN IMMEDIATE,
	// PostgreSQL READ COMMITTED with LockOrganization taking the row lock.
	// fn's error rolls back and is returned unchanged; a nil error commits.
	// The Tx must not be used after fn returns. fn acts only through tx: a
	// store may run it again in a new transaction when the database aborted
	// the first (a deadlock victim).
	WithTx(ctx context.Context, fn func(tx Tx) error) error
	// LoadOrgAccess reads the authorization data of one organization in one
	// consistent snapshot.
	LoadOrgAccess(ctx context.Context, org OrgID) (OrgAccess, error)
	// LoadAccessPage reads the authorization data of up to limit
	// organizations whose ids sort after after, in id order, in one
	// snapshot and a fixed number of queries (the index at start-up).
	LoadAccessPage(ctx context.Context, after OrgID, limit int) ([]OrgAccess, error)
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// ErrConflict is returned by Create* when a unique key already exists.
var ErrConflict = &Error{Code: "conflict"}

// Queries are the reads, available on the Store and inside a Tx: one
// interface per aggregate.
type Queries interface {
	UserReads
	OrganizationReads
	MemberReads
	InvitationReads
	ClientReads
	RoleReads
	TeamReads
	AuditReads
	SessionReads
}

// Tx is a write transaction: the reads, and the writes of each aggregate.
type Tx interface {
	Queries
	UserWrites
	OrganizationWrites
	MemberWrites
	InvitationWrites
	ClientWrites
	RoleWrites
	TeamWrites
	AuditWrites
	SessionWrites
	// EnqueueEmail queues an email in the transaction (R20); Outbox sends it.
	EnqueueEmail(ctx context.Context, e Email) error
}

// UserReads: accounts.
type UserReads interface {
	GetUser(ctx context.Context, id UserID) (User, error)
	// GetUserByEmail matches case-insensitively (NormalizeEmail).
	GetUserByEmail(ctx context.Context, email string) (User, error)
}

// UserWrites: accounts, their second factor and recovery codes.
type UserWrites interface {
	CreateUser(ctx context.Context, u User) error
	UpdateUser(ctx context.Context, u User) error
	// SetTOTPLastStep stores step only if the stored value is still from
	// (compare-and-set); it reports whether it did.
	SetTOTPLastStep(ctx context.Context, user UserID, from, step int64) (bool, error)
	ReplaceRecoveryCodes(ctx context.Context, user UserID, hashes [][]byte) error
	// UseRecoveryCode marks an unused code as used; false when none matched.
	UseRecoveryCode(ctx context.Context, user UserID, hash []byte) (bool, error)
}

// OrganizationReads: organizations.
type OrganizationReads interface {
	GetOrganization(ctx context.Context, id OrgID) (Organization, error)
}

// OrganizationWrites: organizations, their lock and revision.
type OrganizationWrites interface {
	// LockOrganization serializes writers of one organization and returns
	// its current row (PostgreSQL: SELECT ... FOR UPDATE).
	LockOrganization(ctx context.Context, id OrgID) (Organization, error)
	// BumpRevision increments and returns the organization's revision; every
	// transaction that changes an organization's data calls it once.
	BumpRevision(ctx context.Context, id OrgID) (int64, error)
	CreateOrganization(ctx context.Context, o Organization) error
	UpdateOrganization(ctx context.Context, o Organization) error
}

// MemberReads: memberships.
type MemberReads interface {
	GetMember(ctx context.Context, org OrgID, id MemberID) (Member, error)
	GetMemberByUser(ctx context.Context, org OrgID, user UserID) (Member, error)
	GetMemberByEmail(ctx context.Context, org OrgID, email string) (Member, error)
	ListMembers(ctx context.Context, org OrgID, f MemberFilter) ([]Member, error)
	// ListMembershipsOfUser returns the user's memberships in every
	// organization, oldest first.
	ListMembershipsOfUser(ctx context.Context, user UserID) ([]Member, error)
	// CountSeats counts members holding a seat at now: active members and
	// invited members whose pending invitation has not expired (R16, R5);
	// agents counts those of them with agent access (R17).
	CountSeats(ctx context.Context, org OrgID, now time.Time) (seats, agents int, err error)
}

// MemberWrites: memberships with their clients and teams.
type MemberWrites interface {
	// CreateMember and UpdateMember store the member with its clients and
	// teams; UpdateMember replaces them.
	CreateMember(ctx context.Context, m Member) error
	UpdateMember(ctx context.Context, m Member) error
	DeleteMember(ctx context.Context, org OrgID, id MemberID) error
	TouchMember(ctx context.Context, org OrgID, id MemberID, at time.Time) error
}

// InvitationReads: invitations.
type InvitationReads interface {
	GetInvitationByTokenHash(ctx context.Context, hash []byte) (Invitation, error)
	// GetPendingInvitation returns the member's pending invitation.
	GetPendingInvitation(ctx context.Context, org OrgID, member MemberID) (Invitation, error)
}

// InvitationWrites: invitations.
type InvitationWrites interface {
	CreateInvitation(ctx context.Context, inv Invitation) error
	// SetInvitationState moves an invitation from one state to another only
	// if it is still in from; it reports whether it did (single use, R5).
	SetInvitationState(ctx context.Context, id string, from, to InvitationState) (bool, error)
}

// ClientReads: an organization's clients.
type ClientReads interface {
	GetClient(ctx context.Context, org OrgID, id ClientID) (Client, error)
	ListClients(ctx context.Context, org OrgID, f ClientFilter) ([]Client, error)
}

// ClientWrites: an organization's clients.
type ClientWrites interface {
	CreateClient(ctx context.Context, c Client) error
	UpdateClient(ctx context.Context, c Client) error
}

// RoleReads: custom roles.
type RoleReads interface {
	// ListCustomRoles returns the organization's custom roles ordered by
	// position, then creation time. GetCustomRole finds one by key.
	ListCustomRoles(ctx context.Context, org OrgID) ([]CustomRole, error)
	GetCustomRole(ctx context.Context, org OrgID, key string) (CustomRole, error)
}

// RoleWrites: custom roles.
type RoleWrites interface {
	// CreateCustomRole fails with ErrConflict when the key, or the name
	// compared case-insensitively, is taken in the organization.
	// UpdateCustomRole stores name, description, icon, permissions, client
	// access and position (ErrConflict on a taken name).
	CreateCustomRole(ctx context.Context, r CustomRole) error
	UpdateCustomRole(ctx context.Context, r CustomRole) error
	DeleteCustomRole(ctx context.Context, org OrgID, key string) error
}

// TeamReads: teams.
type TeamReads interface {
	// ListTeams returns the organization's teams ordered by creation time
	// then id, each with its members.
	ListTeams(ctx context.Context, org OrgID, f TeamFilter) ([]Team, error)
	GetTeam(ctx context.Context, org OrgID, id TeamID) (Team, error)
}

// TeamWrites: teams.
type TeamWrites interface {
	// CreateTeam fails with ErrConflict when the name, compared
	// case-insensitively, is taken. DeleteTeam also removes it from its
	// members.
	CreateTeam(ctx context.Context, t Team) error
	DeleteTeam(ctx context.Context, org OrgID, id TeamID) error
}

// AuditReads: the audit trail.
type AuditReads interface {
	// ListAudit returns events newest first.
	ListAudit(ctx context.Context, org OrgID, f AuditFilter) ([]AuditEvent, error)
}

// AuditWrites: the audit trail, append-only.
type AuditWrites interface {
	AppendAudit(ctx context.Context, e AuditEvent) error
}

// SessionReads: sessions, verification tokens and login throttles.
type SessionReads interface {
	GetSessionByTokenHash(ctx context.Context, hash []byte) (Session, error)
	GetVerificationToken(ctx context.Context, hash []byte) (VerificationToken, error)
	// GetThrottle returns the zero state (with Key set) when none is stored.
	GetThrottle(ctx context.Context, key string) (ThrottleState, error)
}

// SessionWrites: sessions, verification tokens and login throttles.
type SessionWrites interface {
	CreateSession(ctx context.Context, s Session) error
	TouchSession(ctx context.Context, id string, at time.Time) error
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions ends every session of the user except the one
	// whose id is except ("" ends them all); it returns how many it ended.
	DeleteUserSessions(ctx context.Context, user UserID, except string) (int, error)

	CreateVerificationToken(ctx context.Context, v VerificationToken) error
	// UseVerificationToken marks an unused token used; false if it was not.
	UseVerificationToken(ctx context.Context, hash []byte) (bool, error)

	PutThrottle(ctx context.Context, t ThrottleState) error
}

// MemberFilter selects members for ListMembers, ordered by creation time then id.
type MemberFilter struct {
	Roles    []string       // any of these roles; empty means all
	Statuses []MemberStatus // any of these; empty means all
	Query    string         // case-insensitive substring of names or email
	OnlyID   MemberID       // when set, only this member
	After    *Cursor        // strictly after this position
	Limit    int            // 0 means no limit
}

// ClientFilter selects clients for ListClients, ordered by creation time then id.
type ClientFilter struct {
	Status ClientStatus // "" means all
	IDs    []ClientID   // when non-nil, only these
	After  *Cursor
	Limit  int
}

// TeamFilter selects teams for ListTeams, ordered by creation time then id.
type TeamFilter struct {
	After *Cursor
	Limit int
}

// AuditFilter selects audit events, newest first.
type AuditFilter struct {
	Actor   UserID
	Action  string
	Subject *AuditSubject // restricts to events made by or about one person
	Before  *Cursor       // strictly older than this position
	Limit   int
}

// AuditSubject is one person: events they made, events about their
// membership, and events whose before or after names the membership (an
// ownership transfer or billing-contact change made to them).
type AuditSubject struct {
	User   UserID
	Member MemberID
}

// Cursor is a position in a list ordered by time then id.
type Cursor struct {
	Time time.Time
	ID   string
}

// Outbox is the email queue read by the mail sender (R20). Delivery is at
// least once: a claimed email whose sender dies is claimed again after the
// lease.
type Outbox interface {
	// ClaimEmails returns up to limit unsent emails due at now and hides them
	// from other claimers until now+lease, counting an attempt for each
	// (PostgreSQL: FOR UPDATE SKIP LOCKED, so each email goes to one node).
	ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Email, error)
	MarkEmailSent(ctx context.Context, id string, at time.Time) error
	// MarkEmailFailed records the error and makes the email due again at retryAt.
	MarkEmailFailed(ctx context.Context, id string, retryAt time.Time, errText string) error
	// PendingEmails counts unsent emails, for metrics.
	PendingEmails(ctx context.Context) (int, error)
}
