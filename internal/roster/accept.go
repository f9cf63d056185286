package roster

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// InvitationPreview is what an invitation link shows before acceptance.
type InvitationPreview struct {
	Org           Organization
	Email         string
	Role          string
	InvitedBy     string // the inviter's email, "" for the operator
	ExpiresAt     time.Time
	AccountExists bool
	FirstName     string
	LastName      string
}

// R5 invitation tokens: unknown or superseded → 404; accepted or cancelled
// → 410 invitation_used; expired → 410 invitation_expired.
func (s *Service) pendingInvitation(ctx context.Context, q Queries, token string) (Invitation, error) {
	inv, err := q.GetInvitationByTokenHash(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) {
		return Invitation{}, notFound("invitation")
	}
	if err != nil {
		return Invitation{}, fmt.Errorf("get invitation: %w", err)
	}
	switch inv.State {
	case InvitationSuperseded:
		return Invitation{}, notFound("invitation")
	case InvitationAccepted, InvitationCancelled:
		return Invitation{}, NewError(CodeInvitationUsed, "this invitation was already used or cancelled")
	}
	if !s.now().Before(inv.ExpiresAt) {
		return Invitation{}, NewError(CodeInvitationExpired, "this invitation has expired: ask for a new one")
	}
	return inv, nil
}

// PreviewInvitation answers GET /invitations/{token}; the token is the secret.
func (s *Service) PreviewInvitation(ctx context.Context, token string) (InvitationPreview, error) {
	inv, err := s.pendingInvitation(ctx, s.store, token)
	if err != nil {
		return InvitationPreview{}, err
	}
	org, err := s.store.GetOrganization(ctx, inv.OrgID)
	if err != nil {
		return InvitationPreview{}, fmt.Errorf("get organization: %w", err)
	}
	m, err := s.store.GetMember(ctx, inv.OrgID, inv.MemberID)
	if err != nil {
		return InvitationPreview{}, fmt.Errorf("get member: %w", err)
	}
	p := InvitationPreview{Org: org, Email: m.Email, Role: m.Role, ExpiresAt: inv.ExpiresAt, FirstName: m.FirstName, LastName: m.LastName}
	if inv.InvitedBy != "" {
		if u, err := s.store.GetUser(ctx, inv.InvitedBy); err == nil {
			p.InvitedBy = u.Email
		}
	}
	_, err = s.store.GetUserByEmail(ctx, m.Email)
	p.AccountExists = err == nil
	return p, nil
}

// AcceptInput is the accept form; Principal is set when the caller sent a
// session token.
type AcceptInput struct {
	Token               string
	Password            string
	FirstName, LastName string
	TOTPCode            string
	Principal           *Principal
	IP                  string // the client's address, for R2's per-IP limit
}

// AcceptResult is what acceptance answers.
type AcceptResult struct {
	User   User
	Org    OrgView
	Member MemberView
	Token  string
}

// AcceptInvitation is R4 and R5: the invited address joins, as a new account
// (password and names) or as its existing account (session or password).
// Acceptance re-checks that the invitation is pending and the seats, claims
// the token with a conditional update, and marks the address verified.
func (s *Service) AcceptInvitation(ctx context.Context, in AcceptInput) (AcceptResult, error) {
	inv, err := s.pendingInvitation(ctx, s.store, in.Token)
	if err != nil {
		return AcceptResult{}, err
	}
	m, err := s.store.GetMember(ctx, inv.OrgID, inv.MemberID)
	if err != nil {
		return AcceptResult{}, fmt.Errorf("get member: %w", err)
	}
	user, isNew, err := s.acceptingUser(ctx, in, m)
	if err != nil {
		return AcceptResult{}, err
	}
	var res AcceptResult
	err = s.update(ctx, func(c *change) error {
		var err error
		res, err = s.acceptInTx(c, in.Token, user, isNew)
		return err
	})
	return res, err
}

// acceptingUser works out who accepts, outside the transaction because
// password hashing is slow.
func (s *Service) acceptingUser(ctx context.Context, in AcceptInput, m Member) (User, bool, error) {
	if in.Principal != nil {
		if NormalizeEmail(in.Principal.User.Email) != NormalizeEmail(m.Email) {
			return User{}, false, forbidden("this invitation was sent to another email address")
		}
		return in.Principal.User, false, nil
	}
	existing, err := s.store.GetUserByEmail(ctx, m.Email)
	if err == nil {
		return s.authenticateExisting(ctx, existing, in)
	}
	if !errors.Is(err, ErrNotFound) {
		return User{}, false, fmt.Errorf("get user: %w", err)
	}
	return s.newAcceptingUser(ctx, in, m)
}

func (s *Service) authenticateExisting(ctx context.Context, u User, in AcceptInput) (User, bool, error) {
	if in.Password == "" {
		return User{}, false, NewError(CodeUnauthenticated, "this address has an account: sign in or give its password")
	}
	// R2: the same throttled check as Login, or acceptance would be a way to
	// guess any invited account's password without limit.
	if _, _, err := s.verifyCredentials(ctx, LoginInput{Email: u.Email, Password: in.Password, TOTPCode: in.TOTPCode, IP: in.IP}); err != nil {
		return User{}, false, err
	}
	return u, false, nil
}

func (s *Service) newAcceptingUser(ctx context.Context, in AcceptInput, m Member) (User, bool, error) {
	first, last := strings.TrimSpace(in.FirstName), strings.TrimSpace(in.LastName)
	if first == "" {
		first = m.FirstName
	}
	if last == "" {
		last = m.LastName
	}
	if err := validateName("first_name", first, true); err != nil {
		return User{}, false, err
	}
	if err := validateName("last_name", last, true); err != nil {
		return User{}, false, err
	}
	if in.Password == "" {
		return User{}, false, Invalid("password", "a password is required to create the account")
	}
	if err := s.validatePassword(in.Password, m.Email); err != nil {
		return User{}, false, err
	}
	hash, err := s.cfg.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return User{}, false, fmt.Errorf("hash password: %w", err)
	}
	u := User{ID: NewUserID(), Email: m.Email, EmailVerified: true, FirstName: first, LastName: last, PasswordHash: hash, CreatedAt: s.now()}
	return u, true, nil
}

// acceptInTx claims the token and activates the member.
func (s *Service) acceptInTx(c *change, token string, user User, isNew bool) (AcceptResult, error) {
	inv, err := s.pendingInvitation(c.ctx, c.tx, token)
	if err != nil {
		return AcceptResult{}, err
	}
	org, err := c.tx.LockOrganization(c.ctx, inv.OrgID)
	if err != nil {
		return AcceptResult{}, fmt.Errorf("lock organization: %w", err)
	}
	m, err := c.tx.GetMember(c.ctx, inv.OrgID, inv.MemberID)
	if err != nil {
		return AcceptResult{}, fmt.Errorf("get member: %w", err)
	}
	if m.Status != StatusInvited {
		return AcceptResult{}, NewError(CodeInvitationUsed, "this invitation was already used or cancelled")
	}
	if other, err := c.tx.GetMemberByUser(c.ctx, org.ID, user.ID); err == nil && other.ID != m.ID {
		return AcceptResult{}, NewError(CodeAlreadyMember, "you are already a member of this "+s.model.Names.Organization)
	}
	if err := s.recheckSeatsOnAccept(c, org, m); err != nil {
		return AcceptResult{}, err
	}
	won, err := c.tx.SetInvitationState(c.ctx, inv.ID, InvitationPending, InvitationAccepted)
	if err != nil {
		return AcceptResult{}, fmt.Errorf("claim invitation: %w", err)
	}
	if !won {
		return AcceptResult{}, NewError(CodeInvitationUsed, "this invitation was already used")
	}
	return s.activateAccepted(c, org, m, user, isNew)
}

// recheckSeatsOnAccept is R5/R16: if the plan shrank since the invitation,
// acceptance is refused when the members would not fit.
func (s *Service) recheckSeatsOnAccept(c *change, org Organization, m Member) error {
	plan, _ := s.model.Plan(org.Plan)
	seats, agents, err := c.tx.CountSeats(c.ctx, org.ID, s.now())
	if err != nil {
		return fmt.Errorf("count seats: %w", err)
	}
	if plan.Seats != nil && seats > *plan.Seats {
		return NewError(CodeSeatLimitReached, "the plan has no free seat for this member")
	}
	if m.AgentAccess && plan.AgentSeats != nil && agents > *plan.AgentSeats {
		return NewError(CodeAgentSeatLimitReached, "the plan has no free agent seat for this member")
	}
	return nil
}

func (s *Service) activateAccepted(c *change, org Organization, m Member, user User, isNew bool) (AcceptResult, error) {
	if isNew {
		if err := c.tx.CreateUser(c.ctx, user); errors.Is(err, ErrConflict) {
			return AcceptResult{}, NewError(CodeEmailTaken, "an account with this email was just created: sign in to accept")
		} else if err != nil {
			return AcceptResult{}, fmt.Errorf("create user: %w", err)
		}
	} else if !user.EmailVerified {
		fresh, err := c.tx.GetUser(c.ctx, user.ID)
		if err != nil {
			return AcceptResult{}, fmt.Errorf("get user: %w", err)
		}
		fresh.EmailVerified = true
		user = fresh
		if err := c.tx.UpdateUser(c.ctx, user); err != nil {
			return AcceptResult{}, fmt.Errorf("verify user: %w", err)
		}
	}
	before := m.Status
	m.UserID, m.Email, m.Status, m.Accepted = user.ID, user.Email, StatusActive, true
	if err := c.tx.UpdateMember(c.ctx, m); err != nil {
		return AcceptResult{}, fmt.Errorf("activate member: %w", err)
	}
	if err := c.touch(org.ID); err != nil {
		return AcceptResult{}, err
	}
	actor := Actor{UserID: user.ID, Email: user.Email}
	if err := c.audit(actor, org.ID, "member.joined", "member", string(m.ID), m.ID, map[string]any{"status": before}, map[string]any{"status": m.Status, "user_id": user.ID}); err != nil {
		return AcceptResult{}, err
	}
	token, err := s.createSession(c, user.ID)
	if err != nil {
		return AcceptResult{}, err
	}
	m, err = c.tx.GetMember(c.ctx, org.ID, m.ID)
	if err != nil {
		return AcceptResult{}, fmt.Errorf("get member: %w", err)
	}
	ov, err := s.orgView(c.ctx, c.tx, org)
	if err != nil {
		return AcceptResult{}, err
	}
	mv, err := s.memberViewOf(c.ctx, c.tx, org, m)
	if err != nil {
		return AcceptResult{}, err
	}
	return AcceptResult{User: user, Org: ov, Member: mv, Token: token}, nil
}
