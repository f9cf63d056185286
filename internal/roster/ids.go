package roster

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// Typed identifiers. IDs are opaque strings with a type prefix (docs/api.md).
type (
	UserID   string
	OrgID    string
	MemberID string
	ClientID string
	TeamID   string
	EventID  string
)

// ID prefixes as the API contract names them.
const (
	prefixUser   = "usr_"
	prefixOrg    = "org_"
	prefixMember = "mem_"
	prefixClient = "cli_"
	prefixTeam   = "tm_"
	prefixEvent  = "evt_"
	prefixInvite = "inv_"
	prefixEmail  = "eml_"
	prefixSess   = "ses_"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// newID returns prefix followed by 80 random bits, base32 encoded.
func newID(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return prefix + idEncoding.EncodeToString(b[:])
}

// NewUserID and friends make fresh identifiers.
func NewUserID() UserID     { return UserID(newID(prefixUser)) }
func NewOrgID() OrgID       { return OrgID(newID(prefixOrg)) }
func NewMemberID() MemberID { return MemberID(newID(prefixMember)) }
func NewClientID() ClientID { return ClientID(newID(prefixClient)) }
func NewTeamID() TeamID     { return TeamID(newID(prefixTeam)) }
func NewEventID() EventID   { return EventID(newID(prefixEvent)) }
func newInvitationID() string {
	return newID(prefixInvite)
}

// HasPrefix reports whether s looks like an id of the given kind; used to
// answer 404 early for ids that cannot exist.
func hasPrefix(s, prefix string) bool { return strings.HasPrefix(s, prefix) && len(s) > len(prefix) }
