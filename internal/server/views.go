package server

import (
	"encoding/json"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// Response bodies are their own types, so nothing secret (a password hash,
// a TOTP seed) can be encoded by accident (STYLE.md convention 9).

type userJSON struct {
	ID            roster.UserID `json:"id"`
	Email         string        `json:"email"`
	EmailVerified bool          `json:"email_verified"`
	FirstName     string        `json:"first_name"`
	LastName      string        `json:"last_name"`
	TwoFactor     bool          `json:"two_factor"`
	CreatedAt     time.Time     `json:"created_at"`
}

func toUser(u roster.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, EmailVerified: u.EmailVerified, FirstName: u.FirstName, LastName: u.LastName, TwoFactor: u.TOTPEnabled, CreatedAt: u.CreatedAt}
}

type seatsJSON struct {
	Limit *int `json:"limit"`
	Used  int  `json:"used"`
}

type agentSeatsJSON struct {
	Limit    *int `json:"limit"`
	Used     int  `json:"used"`
	Billable int  `json:"billable"`
}

type orgJSON struct {
	ID                     roster.OrgID    `json:"id"`
	Name                   string          `json:"name"`
	Plan                   string          `json:"plan"`
	OwnerMemberID          roster.MemberID `json:"owner_member_id"`
	BillingContactMemberID *string         `json:"billing_contact_member_id"`
	Seats                  seatsJSON       `json:"seats"`
	AgentSeats             agentSeatsJSON  `json:"agent_seats"`
	EnforcedAuth           *string         `json:"enforced_auth"`
	CustomRolesAvailable   bool            `json:"custom_roles_available"`
	CreatedAt              time.Time       `json:"created_at"`
}

func toOrg(o roster.OrgView) orgJSON {
	return orgJSON{
		ID: o.ID, Name: o.Name, Plan: o.Plan, OwnerMemberID: o.OwnerMemberID,
		BillingContactMemberID: optional(string(o.BillingContact)),
		Seats:                  seatsJSON{Limit: o.SeatLimit, Used: o.SeatsUsed},
		AgentSeats:             agentSeatsJSON{Limit: o.AgentSeatLimit, Used: o.AgentSeatsUsed, Billable: o.AgentSeatsBillable},
		EnforcedAuth:           optional(o.EnforcedAuth), CustomRolesAvailable: o.CustomRolesAvailable, CreatedAt: o.CreatedAt,
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type clientAccessJSON struct {
	Mode    roster.ClientAccessRule `json:"mode"`
	Clients []roster.ClientID       `json:"clients"`
}

type invitationJSON struct {
	ExpiresAt time.Time `json:"expires_at"`
}

type memberJSON struct {
	ID               roster.MemberID     `json:"id"`
	UserID           *string             `json:"user_id"`
	Email            string              `json:"email"`
	FirstName        string              `json:"first_name"`
	LastName         string              `json:"last_name"`
	Role             string              `json:"role"`
	Status           roster.MemberStatus `json:"status"`
	IsOwner          bool                `json:"is_owner"`
	IsBillingContact bool                `json:"is_billing_contact"`
	TwoFactor        *bool               `json:"two_factor"`
	EnforcedAuth     *string             `json:"enforced_auth"`
	ClientAccess     clientAccessJSON    `json:"client_access"`
	AgentAccess      bool                `json:"agent_access"`
	Teams            []roster.TeamID     `json:"teams"`
	Invitation       *invitationJSON     `json:"invitation"`
	CreatedAt        time.Time           `json:"created_at"`
	LastActiveAt     *time.Time          `json:"last_active_at"`
}

func toMember(v roster.MemberView) memberJSON {
	m := memberJSON{
		ID: v.ID, UserID: optional(string(v.UserID)), Email: v.Email, FirstName: v.FirstName, LastName: v.LastName,
		Role: v.Role, Status: v.Status, IsOwner: v.IsOwner, IsBillingContact: v.IsBillingContact,
		TwoFactor: v.TwoFactor, EnforcedAuth: optional(v.EnforcedAuth),
		ClientAccess: clientAccessJSON{Mode: v.ClientMode, Clients: nonNil(v.Clients)},
		AgentAccess:  v.AgentAccess, Teams: nonNil(v.Teams), CreatedAt: v.CreatedAt, LastActiveAt: v.LastActiveAt,
	}
	if v.Status == roster.StatusInvited && v.InvitationExpiry != nil {
		m.Invitation = &invitationJSON{ExpiresAt: *v.InvitationExpiry}
	}
	return m
}

func toMembers(vs []roster.MemberView) []memberJSON {
	out := make([]memberJSON, 0, len(vs))
	for _, v := range vs {
		out = append(out, toMember(v))
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

type clientJSON struct {
	ID         roster.ClientID     `json:"id"`
	Name       string              `json:"name"`
	ExternalID *string             `json:"external_id"`
	Status     roster.ClientStatus `json:"status"`
	CreatedAt  time.Time           `json:"created_at"`
}

func toClient(c roster.Client) clientJSON {
	return clientJSON{ID: c.ID, Name: c.Name, ExternalID: optional(c.ExternalID), Status: c.Status, CreatedAt: c.CreatedAt}
}

type roleMemberJSON struct {
	MemberID  roster.MemberID `json:"member_id"`
	FirstName string          `json:"first_name"`
	LastName  string          `json:"last_name"`
	Email     string          `json:"email"`
}

type roleJSON struct {
	Key          string                  `json:"key"`
	Name         string                  `json:"name"`
	Description  string                  `json:"description"`
	Icon         string                  `json:"icon"`
	System       bool                    `json:"system"`
	Admin        bool                    `json:"admin"`
	Permissions  []string                `json:"permissions"`
	ClientAccess roster.ClientAccessRule `json:"client_access"`
	Position     int                     `json:"position"`
	Members      []roleMemberJSON        `json:"members"`
}

func toRole(r roster.RoleView) roleJSON {
	out := roleJSON{Key: r.Key, Name: r.Name, Description: r.Description, Icon: r.Icon, System: r.System, Admin: r.Admin,
		Permissions: nonNil(r.Permissions), ClientAccess: r.ClientAccess, Position: r.Position, Members: []roleMemberJSON{}}
	for _, m := range r.Members {
		out.Members = append(out.Members, roleMemberJSON{MemberID: m.ID, FirstName: m.FirstName, LastName: m.LastName, Email: m.Email})
	}
	return out
}

type actorJSON struct {
	UserID *string `json:"user_id"`
	Email  string  `json:"email"`
}

type targetJSON struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type eventJSON struct {
	ID     roster.EventID  `json:"id"`
	Time   time.Time       `json:"time"`
	Actor  actorJSON       `json:"actor"`
	Action string          `json:"action"`
	Target targetJSON      `json:"target"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

func toEvent(e roster.AuditEvent) eventJSON {
	return eventJSON{ID: e.ID, Time: e.Time, Actor: actorJSON{UserID: optional(string(e.ActorUserID)), Email: e.ActorEmail},
		Action: e.Action, Target: targetJSON{Type: e.TargetType, ID: e.TargetID}, Before: rawOrEmpty(e.Before), After: rawOrEmpty(e.After)}
}

func rawOrEmpty(b json.RawMessage) json.RawMessage {
	if len(b) == 0 || string(b) == "null" {
		return json.RawMessage("{}")
	}
	return b
}

// page wraps a cursor for JSON: null on the last page.
func nextCursor(s string) *string { return optional(s) }
