package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"net/url"
	"strings"
)

// GetOrganization returns an organization the caller is an active member of.
func (c *Client) GetOrganization(ctx context.Context, orgID string) (*Organization, error) {
	var out Organization
	if err := c.do(ctx, http.MethodGet, orgPath(orgID), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateOrganizationRequest changes an organization; nil fields are left
// as they are. EnforcedAuth sets the enforced provider ("google", "okta",
// "microsoft"); ClearEnforcedAuth sends null, enforcing none.
type UpdateOrganizationRequest struct {
	Name              *string
	EnforcedAuth      *string
	ClearEnforcedAuth bool
}

// MarshalJSON tells an absent enforced_auth from an explicit null.
func (r UpdateOrganizationRequest) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	if r.Name != nil {
		m["name"] = *r.Name
	}
	switch {
	case r.ClearEnforcedAuth:
		m["enforced_auth"] = nil
	case r.EnforcedAuth != nil:
		m["enforced_auth"] = *r.EnforcedAuth
	}
	return json.Marshal(m)
}

// UpdateOrganization changes an organization's name or enforced
// authentication (the owner or the model's settings permission).
func (c *Client) UpdateOrganization(ctx context.Context, orgID string, req UpdateOrganizationRequest) (*Organization, error) {
	var out Organization
	if err := c.do(ctx, http.MethodPatch, orgPath(orgID), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// TransferOwnership makes an active member the owner (R13).
func (c *Client) TransferOwnership(ctx context.Context, orgID, memberID string) (*Organization, error) {
	var out Organization
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "transfer-ownership"), nil, map[string]string{"member_id": memberID}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetBillingContact names the organization's billing contact (R14).
func (c *Client) SetBillingContact(ctx context.Context, orgID, memberID string) (*Organization, error) {
	var out Organization
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "billing-contact"), nil, map[string]string{"member_id": memberID}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MemberQuery filters and pages ListMembers. Zero values mean no filter
// (every role, the three statuses), the default page size (50) and the
// first page.
type MemberQuery struct {
	Roles    []string // role keys
	Statuses []string // StatusInvited, StatusActive, StatusRevoked
	Q        string   // part of a name or an email
	Limit    int      // 1 to 200
	Cursor   string   // MemberPage.NextCursor of the previous page
}

func (q MemberQuery) values() url.Values {
	v := url.Values{}
	if len(q.Roles) > 0 {
		v.Set("role", strings.Join(q.Roles, ","))
	}
	if len(q.Statuses) > 0 {
		v.Set("status", strings.Join(q.Statuses, ","))
	}
	if q.Q != "" {
		v.Set("q", q.Q)
	}
	return page(v, q.Limit, q.Cursor)
}

// MemberPage is one page of members; NextCursor is "" on the last page.
type MemberPage struct {
	Members    []Member
	NextCursor string
}

// ListMembers returns one page of an organization's members, ordered by
// creation time.
func (c *Client) ListMembers(ctx context.Context, orgID string, q MemberQuery) (*MemberPage, error) {
	var out struct {
		Members    []Member `json:"members"`
		NextCursor *string  `json:"next_cursor"`
	}
	if err := c.do(ctx, http.MethodGet, orgPath(orgID, "members"), q.values(), nil, &out); err != nil {
		return nil, err
	}
	return &MemberPage{Members: out.Members, NextCursor: cursor(out.NextCursor)}, nil
}

// AllMembers walks every page of ListMembers from q.Cursor on. It stops at
// the first error, which it yields with a zero Member.
func (c *Client) AllMembers(ctx context.Context, orgID string, q MemberQuery) iter.Seq2[Member, error] {
	return func(yield func(Member, error) bool) {
		for {
			p, err := c.ListMembers(ctx, orgID, q)
			if err != nil {
				yield(Member{}, err)
				return
			}
			for _, m := range p.Members {
				if !yield(m, nil) {
					return
				}
			}
			if p.NextCursor == "" {
				return
			}
			q.Cursor = p.NextCursor
		}
	}
}

// GetMember returns one member.
func (c *Client) GetMember(ctx context.Context, orgID, memberID string) (*Member, error) {
	var out Member
	if err := c.do(ctx, http.MethodGet, orgPath(orgID, "members", seg(memberID)), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateMemberRequest changes a member; nil fields are left as they are.
// Teams replaces the member's teams (a pointer to an empty slice removes
// them all). Names are the person's own (R15): setting them for another
// member is refused.
type UpdateMemberRequest struct {
	Role        *string   `json:"role,omitempty"`
	AgentAccess *bool     `json:"agent_access,omitempty"`
	Teams       *[]string `json:"teams,omitempty"`
	FirstName   *string   `json:"first_name,omitempty"`
	LastName    *string   `json:"last_name,omitempty"`
}

// UpdateMember changes a member's role, agent access or teams (R7, R8, R17).
// Granting a role above the caller's is CodeEscalation.
func (c *Client) UpdateMember(ctx context.Context, orgID, memberID string, req UpdateMemberRequest) (*Member, error) {
	var out Member
	if err := c.do(ctx, http.MethodPatch, orgPath(orgID, "members", seg(memberID)), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// SetClientAccess sets which clients a member reaches (R10, R11): mode
// AccessAll, or AccessSpecific with the client ids.
func (c *Client) SetClientAccess(ctx context.Context, orgID, memberID string, access ClientAccess) (*Member, error) {
	if access.Clients == nil {
		access.Clients = []string{}
	}
	var out Member
	if err := c.do(ctx, http.MethodPut, orgPath(orgID, "members", seg(memberID), "clients"), nil, access, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Revoke ends a member's access; on a pending invitation it cancels it.
func (c *Client) Revoke(ctx context.Context, orgID, memberID string) (*Member, error) {
	var out Member
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "members", seg(memberID), "revoke"), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Reactivate gives a revoked member access again, or a fresh invitation
// where it never accepted (R12); it needs a free seat.
func (c *Client) Reactivate(ctx context.Context, orgID, memberID string) (*Member, error) {
	var out Member
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "members", seg(memberID), "reactivate"), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Resent is a re-sent invitation with its new accept URL.
type Resent struct {
	Member    Member `json:"member"`
	AcceptURL string `json:"accept_url"`
}

// ResendInvitation sends a pending (or expired) invitation again with a
// fresh token and expiry; CodeNotPending otherwise.
func (c *Client) ResendInvitation(ctx context.Context, orgID, memberID string) (*Resent, error) {
	var out Resent
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "members", seg(memberID), "resend"), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteMember deletes a revoked member (CodeNotRevoked otherwise).
func (c *Client) DeleteMember(ctx context.Context, orgID, memberID string) error {
	return c.do(ctx, http.MethodDelete, orgPath(orgID, "members", seg(memberID)), nil, nil, nil)
}

// Access is what a member may do now.
type Access struct {
	Permissions []string     `json:"permissions"`
	Clients     ClientAccess `json:"clients"`
}

// MemberAccess returns a member's effective permissions and clients.
func (c *Client) MemberAccess(ctx context.Context, orgID, memberID string) (*Access, error) {
	var out Access
	if err := c.do(ctx, http.MethodGet, orgPath(orgID, "members", seg(memberID), "access"), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// InviteRequest is the body of Invite: 1 to 100 addresses and what they
// get. Empty fields are left out (the model's defaults apply). Names go
// with one address only; Disabled (add the user revoked) only where the
// model requires names.
type InviteRequest struct {
	Emails       []string      `json:"emails"`
	Role         string        `json:"role,omitempty"`
	ClientAccess *ClientAccess `json:"client_access,omitempty"`
	AgentAccess  bool          `json:"agent_access,omitempty"`
	Teams        []string      `json:"teams,omitempty"`
	FirstName    string        `json:"first_name,omitempty"`
	LastName     string        `json:"last_name,omitempty"`
	Disabled     bool          `json:"disabled,omitempty"`
}

// Invitation result statuses.
const (
	InviteInvited = "invited" // an invitation went out
	InviteAdded   = "added"   // an existing account joined at once (R4)
	InviteError   = "error"   // see InviteResult.Error
)

// InviteResult is the outcome for one address.
type InviteResult struct {
	Email     string `json:"email"`
	Status    string `json:"status"`
	MemberID  string `json:"member_id,omitempty"`
	AcceptURL string `json:"accept_url,omitempty"`
	// Error is set when Status is InviteError: CodeValidationFailed,
	// CodeDuplicate or CodeAlreadyMember.
	Error *InviteErrorDetail `json:"error,omitempty"`
}

// InviteErrorDetail is why one address was not invited.
type InviteErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Invite invites addresses (R2-R4). The call answers per address; the
// whole call is refused (an *Error) when the members would not fit
// (CodeSeatLimitReached, CodeAgentSeatLimitReached), the role is above
// the caller's (CodeEscalation), the request is invalid, or the caller
// invites too often (CodeRateLimited). It is not retried.
func (c *Client) Invite(ctx context.Context, orgID string, req InviteRequest) ([]InviteResult, error) {
	var out struct {
		Results []InviteResult `json:"results"`
	}
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "invitations"), nil, req, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}
