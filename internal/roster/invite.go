package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ClientAccessInput is a requested client access: mode "all" or "specific".
type ClientAccessInput struct {
	Mode    ClientAccessRule
	Clients []ClientID
}

// InviteInput is R3's form: the same role and access for every address.
type InviteInput struct {
	Emails               []string
	Role                 string
	ClientAccess         *ClientAccessInput
	AgentAccess          bool
	Teams                []TeamID
	FirstName, LastName  string
	Disabled             bool
	AgentAccessSpecified bool
}

// InviteResult is the outcome for one address.
type InviteResult struct {
	Email     string
	Status    string // invited, added or error
	MemberID  MemberID
	AcceptURL string
	Err       *Error
}

const maxInviteEmails = 100

// Invite is R3 and R4: members holding users.manage invite 1 to 100
// addresses at once; bad, duplicate and existing addresses are reported per
// address and the rest go ahead, within the seat limits (R16, R17).
func (s *Service) Invite(ctx context.Context, actor Actor, orgID OrgID, in InviteInput) ([]InviteResult, error) {
	var results []InviteResult
	var limited error
	counted := false
	err := s.update(ctx, func(c *change) error {
		cl, err := s.lockManager(c, actor, orgID)
		if err != nil {
			return err
		}
		// R2: invitations reveal whether an address has an account, so the
		// calls of an inviter are limited; counted once per call, after the
		// caller is known to be a manager, before anything is validated.
		if !counted {
			counted, limited = true, s.allowInvite(actor.UserID)
		}
		if limited != nil {
			return limited
		}
		r, access, err := s.validateInvite(ctx, c.tx, cl, in)
		if err != nil {
			return err
		}
		results, err = s.inviteAll(c, cl, in, r, access)
		return err
	})
	return results, err
}

// validateInvite checks the parts shared by every address: the role (R8),
// the client access (R11) and the model's switches.
func (s *Service) validateInvite(ctx context.Context, q Queries, cl caller, in InviteInput) (role, Member, error) {
	if len(in.Emails) == 0 || len(in.Emails) > maxInviteEmails {
		return role{}, Member{}, Invalid("emails", "give 1 to 100 email addresses")
	}
	key := in.Role
	if key == "" {
		key = s.model.DefaultRole
	}
	r, err := s.roleByKey(ctx, q, cl.org.ID, key)
	if errors.Is(err, ErrNotFound) {
		return role{}, Member{}, Invalid("role", "unknown role "+key)
	} else if err != nil {
		return role{}, Member{}, err
	}
	if err := s.checkCanGrant(cl, r); err != nil {
		return role{}, Member{}, err
	}
	mode := defaultClientMode(r.ClientAccess)
	if in.ClientAccess != nil {
		mode = in.ClientAccess.Mode
	}
	if err := s.checkClientScope(cl, r, mode); err != nil {
		return role{}, Member{}, err
	}
	if r.NotAssignable {
		return role{}, Member{}, Invalid("role", "role "+key+" cannot be given by invitation")
	}
	if err := s.validateInviteFields(in); err != nil {
		return role{}, Member{}, err
	}
	teams, err := s.resolveTeams(ctx, q, cl.org.ID, in.Teams)
	if err != nil {
		return role{}, Member{}, err
	}
	access := Member{ClientMode: defaultClientMode(r.ClientAccess), Clients: []ClientID{}, Teams: teams}
	if in.ClientAccess != nil {
		mode, clients, err := s.resolveClientAccess(ctx, q, cl, r, Member{}, *in.ClientAccess)
		if err != nil {
			return role{}, Member{}, err
		}
		access.ClientMode, access.Clients = mode, clients
	}
	return r, access, nil
}

func (s *Service) validateInviteFields(in InviteInput) error {
	switch {
	case (in.FirstName != "" || in.LastName != "") && len(in.Emails) != 1:
		return Invalid("first_name", "names can be given only when inviting one address")
	case s.model.InviteNamesRequired && (strings.TrimSpace(in.FirstName) == "" || strings.TrimSpace(in.LastName) == ""):
		field := "first_name"
		if strings.TrimSpace(in.FirstName) != "" {
			field = "last_name"
		}
		return Invalid(field, "first and last name are required")
	case in.Disabled && !s.model.InviteNamesRequired:
		return Invalid("disabled", "this model has no disabled invitations")
	case in.AgentAccess && !s.model.AgentAccess:
		return Invalid("agent_access", "this model has no agent access")
	}
	if err := validateName("first_name", in.FirstName, false); err != nil {
		return err
	}
	return validateName("last_name", in.LastName, false)
}

func defaultClientMode(rule ClientAccessRule) ClientAccessRule {
	if rule == AccessSpecific {
		return AccessSpecific
	}
	if rule == AccessNone {
		return AccessNone
	}
	return AccessAll
}

// inviteAll sorts the addresses, checks seats for the whole call, then
// invites or adds each.
func (s *Service) inviteAll(c *change, cl caller, in InviteInput, r role, access Member) ([]InviteResult, error) {
	results := make([]InviteResult, len(in.Emails))
	seen := map[string]bool{}
	var accepted []int
	for i, raw := range in.Emails {
		email := strings.TrimSpace(raw)
		results[i] = InviteResult{Email: email}
		norm := NormalizeEmail(email)
		if err := ValidateEmail(email); err != nil {
			results[i].Status, results[i].Err = "error", Invalid("emails", "not a valid email address")
			continue
		}
		if seen[norm] {
			results[i].Status, results[i].Err = "error", NewError(CodeDuplicate, "this address appears more than once")
			continue
		}
		seen[norm] = true
		if _, err := c.tx.GetMemberByEmail(c.ctx, cl.org.ID, email); err == nil {
			results[i].Status, results[i].Err = "error", NewError(CodeAlreadyMember, "already a member: resend or reactivate instead")
			continue
		} else if !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("get member by email: %w", err)
		}
		accepted = append(accepted, i)
	}
	if !in.Disabled {
		agents := 0
		if in.AgentAccess {
			agents = len(accepted)
		}
		if err := s.ensureSeats(c, cl.org, len(accepted), agents); err != nil {
			return nil, err
		}
	}
	for _, i := range accepted {
		if err := s.inviteOne(c, cl, in, r, access, &results[i]); err != nil {
			return nil, fmt.Errorf("invite %s: %w", results[i].Email, err)
		}
	}
	if len(accepted) > 0 {
		if err := c.touch(cl.org.ID); err != nil {
			return nil, err
		}
	}
	return results, nil
}

// inviteOne is R4 for one address: a verified account joins at once where
// the model says join; anyone else gets an invitation with an accept link.
func (s *Service) inviteOne(c *change, cl caller, in InviteInput, r role, access Member, res *InviteResult) error {
	now := s.now()
	m := Member{
		ID: NewMemberID(), OrgID: cl.org.ID, Email: res.Email,
		FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName),
		Role: r.Key, Status: StatusInvited, ClientMode: access.ClientMode, Clients: slices.Clone(access.Clients),
		AgentAccess: in.AgentAccess, Teams: slices.Clone(access.Teams), InvitedBy: cl.UserID, CreatedAt: now,
	}
	user, err := c.tx.GetUserByEmail(c.ctx, res.Email)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("get user: %w", err)
	}
	res.MemberID = m.ID
	if err == nil && user.EmailVerified && s.model.ExistingUsers == ExistingUsersJoin {
		return s.addExisting(c, cl, m, user, in.Disabled, res)
	}
	if err == nil {
		// An existing account is linked at once, so checks answer
		// "inactive" for it until it accepts (R11); acceptance still
		// needs the token and that account.
		m.UserID = user.ID
	}
	if in.Disabled {
		m.Status = StatusRevoked
		res.Status = "added"
		if err := c.tx.CreateMember(c.ctx, m); err != nil {
			return fmt.Errorf("create member: %w", err)
		}
		return c.audit(cl.Actor, cl.org.ID, "member.invited", "member", string(m.ID), m.ID, nil, memberJSON(m))
	}
	if err := c.tx.CreateMember(c.ctx, m); err != nil {
		return fmt.Errorf("create member: %w", err)
	}
	url, err := s.issueInvitation(c, cl, m, "invitation")
	if err != nil {
		return err
	}
	res.Status, res.AcceptURL = "invited", url
	return c.audit(cl.Actor, cl.org.ID, "member.invited", "member", string(m.ID), m.ID, nil, memberJSON(m))
}

// addExisting makes a verified account a member at once and tells them (R4).
func (s *Service) addExisting(c *change, cl caller, m Member, user User, disabled bool, res *InviteResult) error {
	m.UserID, m.Email, m.Accepted, m.Status = user.ID, user.Email, true, StatusActive
	m.FirstName, m.LastName = "", ""
	if disabled {
		m.Status = StatusRevoked
	}
	if err := c.tx.CreateMember(c.ctx, m); err != nil {
		return fmt.Errorf("create member: %w", err)
	}
	res.Status = "added"
	if !disabled {
		if err := c.email(user.Email, "added", fmt.Sprintf("You now have access to %s", cl.org.Name), s.addedBody(user.FirstName, cl.org.Name, cl.Email)); err != nil {
			return err
		}
	}
	return c.audit(cl.Actor, cl.org.ID, "member.added", "member", string(m.ID), m.ID, nil, memberJSON(m))
}

// issueInvitation creates a pending invitation token for m and queues its
// email; it returns the accept URL.
func (s *Service) issueInvitation(c *change, cl caller, m Member, kind string) (string, error) {
	token, hash := newToken()
	now := s.now()
	inv := Invitation{ID: newInvitationID(), OrgID: m.OrgID, MemberID: m.ID, TokenHash: hash, State: InvitationPending,
		ExpiresAt: now.Add(s.cfg.InviteTTL), InvitedBy: cl.UserID, CreatedAt: now}
	if err := c.tx.CreateInvitation(c.ctx, inv); err != nil {
		return "", fmt.Errorf("create invitation: %w", err)
	}
	url := s.cfg.BaseURL + "/invite/" + token
	inviter := cl.Email
	if cl.Operator {
		inviter = ""
	}
	body := s.invitationBody(m.FirstName, cl.org.Name, inviter, url, inv.ExpiresAt.Format(time.RFC1123))
	if err := c.email(m.Email, kind, s.invitationSubject(cl.org.Name), body); err != nil {
		return "", err
	}
	return url, nil
}

func clientAccessJSON(m Member) map[string]any {
	clients := m.Clients
	if clients == nil {
		clients = []ClientID{}
	}
	return map[string]any{"mode": m.ClientMode, "clients": clients}
}

// memberJSON is a new member's audit record: what the invitation set.
func memberJSON(m Member) map[string]any {
	return map[string]any{"email": m.Email, "role": m.Role, "status": m.Status, "client_access": clientAccessJSON(m),
		"agent_access": m.AgentAccess, "teams": nonNil(m.Teams)}
}
