package client

import (
	"context"
	"net/http"
	"net/url"
)

// ListPermissions returns the model's permissions, grouped by feature.
func (c *Client) ListPermissions(ctx context.Context, orgID string) ([]Feature, error) {
	var out struct {
		Features []Feature `json:"features"`
	}
	if err := c.do(ctx, http.MethodGet, orgPath(orgID, "permissions"), nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Features, nil
}

// ListRoles returns the organization's roles in display order: system
// roles, then custom roles in their order.
func (c *Client) ListRoles(ctx context.Context, orgID string) ([]Role, error) {
	var out struct {
		Roles []Role `json:"roles"`
	}
	if err := c.do(ctx, http.MethodGet, orgPath(orgID, "roles"), nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Roles, nil
}

// RoleRequest defines a custom role (R9). CreateRole needs Name and
// Permissions; on UpdateRole nil fields are left as they are.
// ClientAccess is one of the Access constants.
type RoleRequest struct {
	Name         *string   `json:"name,omitempty"`
	Description  *string   `json:"description,omitempty"`
	Icon         *string   `json:"icon,omitempty"`
	Permissions  *[]string `json:"permissions,omitempty"`
	ClientAccess *string   `json:"client_access,omitempty"`
}

// CreateRole creates a custom role; its key is made from its name. Plans
// without custom roles answer CodePlanFeatureUnavailable; permissions the
// caller lacks, CodeEscalation.
func (c *Client) CreateRole(ctx context.Context, orgID string, req RoleRequest) (*Role, error) {
	var out Role
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "roles"), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateRole changes a custom role (system roles are CodeForbidden).
func (c *Client) UpdateRole(ctx context.Context, orgID, key string, req RoleRequest) (*Role, error) {
	var out Role
	if err := c.do(ctx, http.MethodPatch, orgPath(orgID, "roles", seg(key)), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteRole deletes a custom role, moving its members to reassignTo ("" for
// none: CodeRoleInUse while the role has members).
func (c *Client) DeleteRole(ctx context.Context, orgID, key, reassignTo string) error {
	q := url.Values{}
	if reassignTo != "" {
		q.Set("reassign_to", reassignTo)
	}
	return c.do(ctx, http.MethodDelete, orgPath(orgID, "roles", seg(key)), q, nil, nil)
}

// ReorderRoles puts the custom roles in the given order of keys and
// returns every role in display order.
func (c *Client) ReorderRoles(ctx context.Context, orgID string, keys []string) ([]Role, error) {
	if keys == nil {
		keys = []string{}
	}
	var out struct {
		Roles []Role `json:"roles"`
	}
	if err := c.do(ctx, http.MethodPut, orgPath(orgID, "roles", "order"), nil, map[string][]string{"roles": keys}, &out); err != nil {
		return nil, err
	}
	return out.Roles, nil
}

// PageQuery pages a list: Limit 1 to 200 (0: the default, 50); Cursor is
// the NextCursor of the previous page ("" for the first).
type PageQuery struct {
	Limit  int
	Cursor string
}

// TeamPage is one page of teams; NextCursor is "" on the last page.
type TeamPage struct {
	Teams      []Team
	NextCursor string
}

// ListTeams returns one page of the organization's teams, ordered by
// creation time (models with teams; CodeNotFound elsewhere).
func (c *Client) ListTeams(ctx context.Context, orgID string, q PageQuery) (*TeamPage, error) {
	var out struct {
		Teams      []Team  `json:"teams"`
		NextCursor *string `json:"next_cursor"`
	}
	if err := c.do(ctx, http.MethodGet, orgPath(orgID, "teams"), page(url.Values{}, q.Limit, q.Cursor), nil, &out); err != nil {
		return nil, err
	}
	return &TeamPage{Teams: out.Teams, NextCursor: cursor(out.NextCursor)}, nil
}

// CreateTeam creates a team (CodeNameTaken when the name is in use).
func (c *Client) CreateTeam(ctx context.Context, orgID, name string) (*Team, error) {
	var out Team
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "teams"), nil, map[string]string{"name": name}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteTeam deletes a team; its members leave it.
func (c *Client) DeleteTeam(ctx context.Context, orgID, teamID string) error {
	return c.do(ctx, http.MethodDelete, orgPath(orgID, "teams", seg(teamID)), nil, nil, nil)
}

// ClientQuery filters and pages ListClients. Status is ClientActive (the
// default), ClientArchived or "all".
type ClientQuery struct {
	Status string
	Limit  int
	Cursor string
}

// ClientPage is one page of clients; NextCursor is "" on the last page.
type ClientPage struct {
	Clients    []OrgClient
	NextCursor string
}

// ListClients returns one page of the clients the caller may see (models
// with clients; CodeNotFound elsewhere).
func (c *Client) ListClients(ctx context.Context, orgID string, q ClientQuery) (*ClientPage, error) {
	v := url.Values{}
	if q.Status != "" {
		v.Set("status", q.Status)
	}
	var out struct {
		Clients    []OrgClient `json:"clients"`
		NextCursor *string     `json:"next_cursor"`
	}
	if err := c.do(ctx, http.MethodGet, orgPath(orgID, "clients"), page(v, q.Limit, q.Cursor), nil, &out); err != nil {
		return nil, err
	}
	return &ClientPage{Clients: out.Clients, NextCursor: cursor(out.NextCursor)}, nil
}

// CreateClientRequest is the body of CreateClient.
type CreateClientRequest struct {
	Name       string `json:"name"`
	ExternalID string `json:"external_id,omitempty"`
}

// CreateClient creates a client of the organization.
func (c *Client) CreateClient(ctx context.Context, orgID string, req CreateClientRequest) (*OrgClient, error) {
	var out OrgClient
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "clients"), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateClientRequest changes a client; nil fields are left as they are.
// Status is ClientActive or ClientArchived.
type UpdateClientRequest struct {
	Name   *string `json:"name,omitempty"`
	Status *string `json:"status,omitempty"`
}

// UpdateClient renames, archives or restores a client.
func (c *Client) UpdateClient(ctx context.Context, orgID, clientID string, req UpdateClientRequest) (*OrgClient, error) {
	var out OrgClient
	if err := c.do(ctx, http.MethodPatch, orgPath(orgID, "clients", seg(clientID)), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AuditQuery filters and pages ListAudit.
type AuditQuery struct {
	MemberID string // events about this member
	Actor    string // events made by this user id
	Action   string // such as "member.role_changed"
	Limit    int
	Cursor   string
}

// AuditPage is one page of audit events, newest first; NextCursor is ""
// on the last page.
type AuditPage struct {
	Events     []Event
	NextCursor string
}

// ListAudit returns one page of the organization's audit log. Members
// with users.manage see every event; others the events they made and the
// events about them.
func (c *Client) ListAudit(ctx context.Context, orgID string, q AuditQuery) (*AuditPage, error) {
	v := url.Values{}
	for k, s := range map[string]string{"member_id": q.MemberID, "actor": q.Actor, "action": q.Action} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var out struct {
		Events     []Event `json:"events"`
		NextCursor *string `json:"next_cursor"`
	}
	if err := c.do(ctx, http.MethodGet, orgPath(orgID, "audit"), page(v, q.Limit, q.Cursor), nil, &out); err != nil {
		return nil, err
	}
	return &AuditPage{Events: out.Events, NextCursor: cursor(out.NextCursor)}, nil
}

// CheckRequest asks whether a user may do something in an organization.
// ClientID is needed for a per-client permission (422 on client_id
// without it) and ignored for an organization-wide one.
type CheckRequest struct {
	UserID     string `json:"user_id"`
	Permission string `json:"permission"`
	ClientID   string `json:"client_id,omitempty"`
}

// Check answers from the node's in-memory index. A member may check
// itself; others need users.manage or the operator token.
func (c *Client) Check(ctx context.Context, orgID string, req CheckRequest) (*Decision, error) {
	var out Decision
	if err := c.do(ctx, http.MethodPost, orgPath(orgID, "check"), nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// BatchCheck is one item of CheckBatch.
type BatchCheck struct {
	OrgID      string `json:"org_id"`
	UserID     string `json:"user_id"`
	Permission string `json:"permission"`
	ClientID   string `json:"client_id,omitempty"`
}

// CheckBatch answers up to 1000 checks across organizations, in order
// (operator token only). A malformed item refuses the whole batch with a
// 422 naming its index.
func (c *Client) CheckBatch(ctx context.Context, checks []BatchCheck) ([]Decision, error) {
	if checks == nil {
		checks = []BatchCheck{}
	}
	var out struct {
		Results []Decision `json:"results"`
	}
	if err := c.do(ctx, http.MethodPost, "/api/v1/check", nil, map[string][]BatchCheck{"checks": checks}, &out); err != nil {
		return nil, err
	}
	return out.Results, nil
}

// CreateOrganizationRequest is the operator's new organization: its owner
// is invited by email (or joins at once with an existing account).
type CreateOrganizationRequest struct {
	Name       string `json:"name"`
	OwnerEmail string `json:"owner_email"`
	Plan       string `json:"plan,omitempty"`
}

// CreatedOrganization is the answer of AdminCreateOrganization; AcceptURL
// is nil when the owner's account already existed.
type CreatedOrganization struct {
	Organization Organization `json:"organization"`
	Owner        Member       `json:"owner"`
	AcceptURL    *string      `json:"accept_url"`
}

// AdminCreateOrganization creates an organization (operator token only).
func (c *Client) AdminCreateOrganization(ctx context.Context, req CreateOrganizationRequest) (*CreatedOrganization, error) {
	var out CreatedOrganization
	if err := c.do(ctx, http.MethodPost, "/api/v1/admin/orgs", nil, req, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AdminSetPlan changes an organization's plan (operator token only).
func (c *Client) AdminSetPlan(ctx context.Context, orgID, plan string) (*Organization, error) {
	var out Organization
	if err := c.do(ctx, http.MethodPatch, "/api/v1/admin/orgs/"+seg(orgID), nil, map[string]string{"plan": plan}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
