package roster

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Page is a request for one page of a list.
type Page struct {
	Limit  int
	Cursor string
}

// MaxPageSize and DefaultPageSize bound list pages (docs/api.md conventions).
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

func (p Page) limit() (int, error) {
	switch {
	case p.Limit == 0:
		return DefaultPageSize, nil
	case p.Limit < 0 || p.Limit > MaxPageSize:
		return 0, Invalid("limit", "limit must be between 1 and 200")
	}
	return p.Limit, nil
}

// window reads a page request: its size and where it starts.
func (p Page) window() (int, *Cursor, error) {
	limit, err := p.limit()
	if err != nil {
		return 0, nil, err
	}
	at, err := decodeCursor(p.Cursor)
	return limit, at, err
}

// cut trims a store read of limit+1 items to the page and returns the
// cursor of the next page ("" on the last one). Never nil.
func cut[T any](items []T, limit int, position func(T) Cursor) ([]T, string) {
	if items == nil {
		return []T{}, ""
	}
	if len(items) <= limit {
		return items, ""
	}
	return items[:limit], EncodeCursor(position(items[limit-1]))
}

// EncodeCursor and decodeCursor make list positions opaque.
func EncodeCursor(c Cursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.Time.UnixNano(), 10) + "|" + c.ID))
}

func decodeCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	ts, id, ok := strings.Cut(string(b), "|")
	n, perr := strconv.ParseInt(ts, 10, 64)
	if err != nil || !ok || perr != nil || id == "" {
		return nil, Invalid("cursor", "not a cursor from this list")
	}
	return &Cursor{Time: time.Unix(0, n).UTC(), ID: id}, nil
}

// MemberQuery filters the members list.
type MemberQuery struct {
	Roles    []string
	Statuses []MemberStatus
	Query    string
	Page
}

// MemberList is one page of members.
type MemberList struct {
	Members    []MemberView
	NextCursor string
}

// ListMembers is the Users page: every active member sees it, except where
// the model names a permission for seeing others (then only oneself).
func (s *Service) ListMembers(ctx context.Context, actor Actor, orgID OrgID, q MemberQuery) (MemberList, error) {
	cl, err := s.readCaller(ctx, actor, orgID)
	if err != nil {
		return MemberList{}, err
	}
	limit, after, err := q.window()
	if err != nil {
		return MemberList{}, err
	}
	if err := s.validateMemberQuery(q); err != nil {
		return MemberList{}, err
	}
	for _, key := range q.Roles {
		if _, err := s.roleByKey(ctx, s.store, orgID, key); errors.Is(err, ErrNotFound) {
			return MemberList{}, Invalid("role", "unknown role "+key)
		} else if err != nil {
			return MemberList{}, err
		}
	}
	f := MemberFilter{Roles: q.Roles, Statuses: q.Statuses, Query: q.Query, After: after, Limit: limit + 1}
	if !s.canSeeMembers(cl) {
		f.OnlyID = cl.member.ID
	}
	ms, err := s.store.ListMembers(ctx, orgID, f)
	if err != nil {
		return MemberList{}, fmt.Errorf("list members: %w", err)
	}
	rules, err := s.clientRules(ctx, s.store, orgID)
	if err != nil {
		return MemberList{}, err
	}
	page, next := cut(ms, limit, func(m Member) Cursor { return Cursor{Time: m.CreatedAt, ID: string(m.ID)} })
	out := MemberList{Members: make([]MemberView, 0, len(page)), NextCursor: next}
	for _, m := range page {
		out.Members = append(out.Members, s.memberView(cl.org, rules, m))
	}
	return out, nil
}

func (s *Service) validateMemberQuery(q MemberQuery) error {
	for _, st := range q.Statuses {
		if st != StatusInvited && st != StatusActive && st != StatusRevoked {
			return Invalid("status", "status must be invited, active or revoked")
		}
	}
	if len(q.Query) > 254 {
		return Invalid("q", "q is too long")
	}
	return nil
}

// visibleMember loads a member the caller may see (404 otherwise).
func (s *Service) visibleMember(ctx context.Context, q Queries, cl caller, id MemberID) (Member, error) {
	if !hasPrefix(string(id), prefixMember) {
		return Member{}, notFound("member")
	}
	if !s.canSeeMembers(cl) && !cl.self(id) {
		return Member{}, notFound("member")
	}
	m, err := q.GetMember(ctx, cl.org.ID, id)
	if errors.Is(err, ErrNotFound) {
		return Member{}, notFound("member")
	}
	if err != nil {
		return Member{}, fmt.Errorf("get member: %w", err)
	}
	return m, nil
}

// GetMember returns one member.
func (s *Service) GetMember(ctx context.Context, actor Actor, orgID OrgID, id MemberID) (MemberView, error) {
	cl, err := s.readCaller(ctx, actor, orgID)
	if err != nil {
		return MemberView{}, err
	}
	m, err := s.visibleMember(ctx, s.store, cl, id)
	if err != nil {
		return MemberView{}, err
	}
	return s.memberViewOf(ctx, s.store, cl.org, m)
}

// UpdateMemberInput is PATCH member: nil leaves a field. Names may be given
// only on one's own member (R15).
type UpdateMemberInput struct {
	Role                *string
	AgentAccess         *bool
	Teams               *[]TeamID
	FirstName, LastName *string
}

// actGuard says which of R8's checks on the target a member action needs.
type actGuard int

const (
	guardOther    actGuard = iota // R8: not oneself, not above the caller
	guardNotOwner                 // and not the owner (role change, revoke, delete)
	guardSelfOK                   // R8 for others; the caller may also act on itself
)

// memberAction runs fn on a member the caller manages, in one transaction,
// after R8's checks; it returns the member as stored afterwards. fn changes
// nothing the index holds but that member (its role, status and clients),
// so the index replaces the member instead of reloading the organization.
func (s *Service) memberAction(ctx context.Context, actor Actor, orgID OrgID, id MemberID, guard actGuard,
	fn func(c *change, cl caller, m *Member) error) (MemberView, error) {
	return s.memberActionAfter(ctx, actor, orgID, id, guard, nil, fn)
}

// memberActionAfter is memberAction with first, when not nil, run in the
// transaction before anything is locked.
func (s *Service) memberActionAfter(ctx context.Context, actor Actor, orgID OrgID, id MemberID, guard actGuard,
	first func(c *change) error, fn func(c *change, cl caller, m *Member) error) (MemberView, error) {
	var view MemberView
	err := s.update(ctx, func(c *change) error {
		if first != nil {
			if err := first(c); err != nil {
				return err
			}
		}
		cl, err := s.lockCaller(c, actor, orgID)
		if err != nil {
			return err
		}
		m, err := s.visibleMember(ctx, c.tx, cl, id)
		if err != nil {
			return err
		}
		if err := s.requireManager(cl); err != nil {
			return err
		}
		if guard != guardSelfOK || !cl.self(m.ID) {
			if err := s.checkCanActOn(ctx, c.tx, cl, m, guard == guardNotOwner); err != nil {
				return err
			}
		}
		if err := fn(c, cl, &m); err != nil {
			return err
		}
		if err := c.touch(orgID); err != nil {
			return err
		}
		if m, err = c.tx.GetMember(ctx, orgID, id); errors.Is(err, ErrNotFound) {
			return nil // deleted
		} else if err != nil {
			return fmt.Errorf("reload member: %w", err)
		}
		c.onlyMember(orgID, m)
		org, err := c.tx.GetOrganization(ctx, orgID)
		if err != nil {
			return fmt.Errorf("reload organization: %w", err)
		}
		view, err = s.memberViewOf(ctx, c.tx, org, m)
		return err
	})
	return view, err
}

// UpdateMember is R7 and R8: a role change is in force at the member's next
// request; nobody changes their own role or the owner's, or grants above
// themselves. Agent access (R17) and teams may also be set on oneself (the
// owner giving itself inbox access). Names are the person's own (R15): on
// another member they are 403, on oneself they change the account's names
// in the same transaction, so a refused part leaves everything as it was.
func (s *Service) UpdateMember(ctx context.Context, actor Actor, orgID OrgID, id MemberID, in UpdateMemberInput) (MemberView, error) {
	guard := guardSelfOK
	if in.Role != nil {
		guard = guardNotOwner
	}
	names := UpdateMeInput{FirstName: in.FirstName, LastName: in.LastName}
	return s.memberActionAfter(ctx, actor, orgID, id, guard, s.lockNamesOf(actor, names), func(c *change, cl caller, m *Member) error {
		if !names.empty() {
			if !cl.self(m.ID) {
				return forbidden("names belong to the person: each user edits their own")
			}
			if err := names.validate(); err != nil {
				return err
			}
			if _, err := s.applyNames(c, cl.Actor, names); err != nil {
				return err
			}
		}
		if in.Role != nil {
			if err := s.changeRole(c, cl, m, *in.Role); err != nil {
				return err
			}
		}
		if in.Teams != nil {
			if err := s.changeTeams(c, cl, m, *in.Teams); err != nil {
				return err
			}
		}
		if in.AgentAccess != nil {
			return s.changeAgentAccess(c, cl, m, *in.AgentAccess)
		}
		return nil
	})
}

// lockNamesOf returns what must be locked before a change of the actor's
// names: every organization the actor is in (touchMembershipsOf), taken
// before the member action locks its own, so lock order stays global.
func (s *Service) lockNamesOf(actor Actor, names UpdateMeInput) func(c *change) error {
	return func(c *change) error {
		if names.empty() || actor.Operator {
			return nil
		}
		return s.touchMembershipsOf(c, actor.UserID)
	}
}

func (s *Service) changeRole(c *change, cl caller, m *Member, key string) error {
	r, err := s.roleByKey(c.ctx, c.tx, cl.org.ID, key)
	if errors.Is(err, ErrNotFound) {
		return Invalid("role", "unknown role "+key)
	} else if err != nil {
		return err
	}
	if err := s.checkCanGrant(cl, r); err != nil {
		return err
	}
	if err := s.checkClientScope(cl, r, m.ClientMode); err != nil {
		return err
	}
	if r.NotAssignable {
		return Invalid("role", "role "+key+" cannot be assigned")
	}
	if m.Role == key {
		return nil
	}
	before := m.Role
	m.Role = key // R11: the client list is kept; the mode follows the new role's rule
	if err := c.tx.UpdateMember(c.ctx, *m); err != nil {
		return fmt.Errorf("update member: %w", err)
	}
	return c.audit(cl.Actor, cl.org.ID, "member.role_changed", "member", string(m.ID), m.ID, map[string]any{"role": before}, map[string]any{"role": key})
}

func (s *Service) changeAgentAccess(c *change, cl caller, m *Member, on bool) error {
	if !s.model.AgentAccess {
		return Invalid("agent_access", "this model has no agent access")
	}
	if m.AgentAccess == on {
		return nil
	}
	if on && m.Status != StatusRevoked {
		if err := s.ensureSeats(c, cl.org, 0, 1); err != nil {
			return err
		}
	}
	m.AgentAccess = on
	if err := c.tx.UpdateMember(c.ctx, *m); err != nil {
		return fmt.Errorf("update member: %w", err)
	}
	return c.audit(cl.Actor, cl.org.ID, "member.agent_access_changed", "member", string(m.ID), m.ID, map[string]any{"agent_access": !on}, map[string]any{"agent_access": on})
}

// SetClientAccess is R11: members with users.manage give another member all
// clients (all_by_default roles only) or a list of specific clients, active
// or archived, among those the caller can see.
func (s *Service) SetClientAccess(ctx context.Context, actor Actor, orgID OrgID, id MemberID, in ClientAccessInput) (MemberView, error) {
	if !s.model.HasClients() {
		return MemberView{}, notFound("clients")
	}
	return s.memberAction(ctx, actor, orgID, id, guardOther, func(c *change, cl caller, m *Member) error {
		r, err := s.roleByKey(c.ctx, c.tx, cl.org.ID, m.Role)
		if err != nil {
			return err
		}
		if err := s.checkClientScope(cl, r, in.Mode); err != nil {
			return err
		}
		mode, clients, err := s.resolveClientAccess(c.ctx, c.tx, cl, r, *m, in)
		if err != nil {
			return err
		}
		before := clientAccessJSON(*m)
		m.ClientMode, m.Clients = mode, clients
		if err := c.tx.UpdateMember(c.ctx, *m); err != nil {
			return fmt.Errorf("update member: %w", err)
		}
		return c.audit(cl.Actor, cl.org.ID, "member.clients_changed", "member", string(m.ID), m.ID,
			map[string]any{"client_access": before}, map[string]any{"client_access": clientAccessJSON(*m)})
	})
}

// resolveClientAccess validates a requested access against the role's rule
// (R10, R11). Clients the caller cannot see may not be added, and those the
// member already has stay: the caller cannot uncheck what it cannot see.
func (s *Service) resolveClientAccess(ctx context.Context, q Queries, cl caller, r role, current Member, in ClientAccessInput) (ClientAccessRule, []ClientID, error) {
	if !s.model.HasClients() {
		return "", nil, Invalid("client_access", "this model has no clients")
	}
	switch {
	case in.Mode == AccessAll && r.ClientAccess == AccessAllByDefault:
		if len(in.Clients) > 0 {
			return "", nil, Invalid("clients", "clients must be empty when mode is all")
		}
		return AccessAll, []ClientID{}, nil
	case in.Mode == AccessAll:
		return "", nil, Invalid("mode", fmt.Sprintf("mode all is only for roles with all_by_default access; %s has %s", r.Key, r.ClientAccess))
	case in.Mode == AccessSpecific && (r.ClientAccess == AccessAllByDefault || r.ClientAccess == AccessSpecific):
	case in.Mode == AccessSpecific:
		return "", nil, Invalid("mode", fmt.Sprintf("role %s has %s access, which cannot be narrowed", r.Key, r.ClientAccess))
	default:
		return "", nil, Invalid("mode", "mode must be all or specific")
	}
	clients, err := s.allowedClientList(ctx, q, cl, current, in.Clients)
	return AccessSpecific, clients, err
}

func (s *Service) allowedClientList(ctx context.Context, q Queries, cl caller, current Member, requested []ClientID) ([]ClientID, error) {
	all, visible := s.visibleClients(cl)
	canSee := func(id ClientID) bool { return all || slices.Contains(visible, id) }
	out := []ClientID{}
	for _, id := range requested {
		if slices.Contains(out, id) {
			continue
		}
		if _, err := q.GetClient(ctx, cl.org.ID, id); err != nil || (!canSee(id) && !slices.Contains(current.Clients, id)) {
			return nil, Invalid("clients", fmt.Sprintf("unknown client %s", id))
		}
		out = append(out, id)
	}
	for _, id := range current.Clients {
		if !canSee(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// Revoke is R12: the member loses access at once; a pending invitation is
// cancelled. The owner cannot be revoked; revoking the billing contact moves
// that role to the owner.
func (s *Service) Revoke(ctx context.Context, actor Actor, orgID OrgID, id MemberID) (MemberView, error) {
	return s.memberAction(ctx, actor, orgID, id, guardNotOwner, func(c *change, cl caller, m *Member) error {
		if m.Status == StatusRevoked {
			return nil
		}
		before := m.Status
		if m.Status == StatusInvited {
			if err := s.cancelPendingInvitation(c, m, InvitationCancelled); err != nil {
				return err
			}
		}
		m.Status = StatusRevoked
		if err := c.tx.UpdateMember(c.ctx, *m); err != nil {
			return fmt.Errorf("revoke member: %w", err)
		}
		if cl.org.BillingContact == m.ID {
			org := cl.org
			org.BillingContact = org.OwnerMemberID
			if err := c.tx.UpdateOrganization(c.ctx, org); err != nil {
				return fmt.Errorf("move billing contact: %w", err)
			}
		}
		return c.audit(cl.Actor, cl.org.ID, "member.revoked", "member", string(m.ID), m.ID, map[string]any{"status": before}, map[string]any{"status": StatusRevoked})
	})
}

func (s *Service) cancelPendingInvitation(c *change, m *Member, to InvitationState) error {
	inv, err := c.tx.GetPendingInvitation(c.ctx, m.OrgID, m.ID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("get pending invitation: %w", err)
	}
	if _, err := c.tx.SetInvitationState(c.ctx, inv.ID, InvitationPending, to); err != nil {
		return fmt.Errorf("cancel invitation: %w", err)
	}
	return nil
}

// Reactivate is R12: a revoked member is active again with the same role and
// access (seats permitting); one who never accepted gets a fresh invitation.
func (s *Service) Reactivate(ctx context.Context, actor Actor, orgID OrgID, id MemberID) (MemberView, error) {
	return s.memberAction(ctx, actor, orgID, id, guardOther, func(c *change, cl caller, m *Member) error {
		if m.Status != StatusRevoked {
			return NewError(CodeNotRevoked, "only a revoked member can be reactivated")
		}
		r, err := s.roleByKey(c.ctx, c.tx, cl.org.ID, m.Role)
		if err != nil {
			return err
		}
		if err := s.checkClientScope(cl, r, m.ClientMode); err != nil {
			return err
		}
		agents := 0
		if m.AgentAccess {
			agents = 1
		}
		if err := s.ensureSeats(c, cl.org, 1, agents); err != nil {
			return err
		}
		m.Status = StatusActive
		if !m.Accepted {
			m.Status = StatusInvited
		}
		if err := c.tx.UpdateMember(c.ctx, *m); err != nil {
			return fmt.Errorf("reactivate member: %w", err)
		}
		if !m.Accepted {
			if _, err := s.issueInvitation(c, cl, *m, "invitation"); err != nil {
				return err
			}
		}
		return c.audit(cl.Actor, cl.org.ID, "member.reactivated", "member", string(m.ID), m.ID, map[string]any{"status": StatusRevoked}, map[string]any{"status": m.Status})
	})
}

// DeleteMember is R12: only a revoked member is deleted permanently.
func (s *Service) DeleteMember(ctx context.Context, actor Actor, orgID OrgID, id MemberID) error {
	_, err := s.memberAction(ctx, actor, orgID, id, guardNotOwner, func(c *change, cl caller, m *Member) error {
		if m.Status != StatusRevoked {
			return NewError(CodeNotRevoked, "revoke the member before deleting it")
		}
		if err := c.tx.DeleteMember(c.ctx, cl.org.ID, m.ID); err != nil {
			return fmt.Errorf("delete member: %w", err)
		}
		return c.audit(cl.Actor, cl.org.ID, "member.deleted", "member", string(m.ID), m.ID, map[string]any{"email": m.Email, "role": m.Role, "status": m.Status}, nil)
	})
	return err
}

// Resend is R5: a pending invitation, expired or not, gets a fresh token and
// expiry; the old token is then unknown. Seats are checked again.
func (s *Service) Resend(ctx context.Context, actor Actor, orgID OrgID, id MemberID) (MemberView, string, error) {
	var url string
	v, err := s.memberAction(ctx, actor, orgID, id, guardOther, func(c *change, cl caller, m *Member) error {
		if m.Status != StatusInvited {
			return NewError(CodeNotPending, "only a pending invitation can be resent")
		}
		if m.InvitationExpiresAt != nil && !s.now().Before(*m.InvitationExpiresAt) {
			agents := 0
			if m.AgentAccess {
				agents = 1
			}
			if err := s.ensureSeats(c, cl.org, 1, agents); err != nil {
				return err
			}
		}
		if err := s.cancelPendingInvitation(c, m, InvitationSuperseded); err != nil {
			return err
		}
		var err error
		if url, err = s.issueInvitation(c, cl, *m, "resend"); err != nil {
			return err
		}
		return c.audit(cl.Actor, cl.org.ID, "member.invitation_resent", "member", string(m.ID), m.ID, nil, map[string]any{"invitation": "resent"})
	})
	return v, url, err
}

// AccessView is what a member may do now.
type AccessView struct {
	Permissions []string
	Mode        ClientAccessRule
	Clients     []ClientID
}

// Access answers GET .../access for a member the caller can see.
func (s *Service) Access(ctx context.Context, actor Actor, orgID OrgID, id MemberID) (AccessView, error) {
	cl, err := s.readCaller(ctx, actor, orgID)
	if err != nil {
		return AccessView{}, err
	}
	m, err := s.visibleMember(ctx, s.store, cl, id)
	if err != nil {
		return AccessView{}, err
	}
	v, err := s.memberViewOf(ctx, s.store, cl.org, m)
	if err != nil {
		return AccessView{}, err
	}
	out := AccessView{Permissions: []string{}, Mode: v.ClientMode, Clients: []ClientID{}}
	if m.Status != StatusActive {
		return out, nil
	}
	r, err := s.roleByKey(ctx, s.store, orgID, m.Role)
	if err != nil {
		return AccessView{}, err
	}
	out.Permissions = s.model.Keys(r.perms)
	if v.ClientMode == AccessSpecific {
		out.Clients = slices.Clone(m.Clients)
	}
	return out, nil
}
