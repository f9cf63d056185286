package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// SignupInput is R1's form.
type SignupInput struct {
	Email, Password, FirstName, LastName, OrganizationName string
	// IP is the client's address: sign-ups per address are limited (R2).
	IP string
}

// SignupResult is what sign-up answers.
type SignupResult struct {
	User   User
	Org    OrgView
	Token  string
	Member MemberView
}

// validateName checks a person's or an organization's name.
func validateName(field, v string, required bool) error {
	v = strings.TrimSpace(v)
	if v == "" && required {
		return Invalid(field, field+" is required")
	}
	if !utf8.ValidString(v) {
		return Invalid(field, field+" is not valid UTF-8 text")
	}
	if utf8.RuneCountInString(v) > 100 || strings.ContainsAny(v, "\r\n\x00") {
		return Invalid(field, field+" must be at most 100 characters on one line")
	}
	return nil
}

func (s *Service) validatePassword(password, email string) error {
	if err := s.cfg.ValidatePassword(password, email); err != nil {
		return Invalid("password", "password "+err.Error())
	}
	return nil
}

// Signup is R1: it creates a user and an organization whose owner (and
// billing contact, where the model has one) the user becomes, and sends a
// verification email.
func (s *Service) Signup(ctx context.Context, in SignupInput) (SignupResult, error) {
	// Counted first, refused or not: every attempt probes whether an
	// address has an account.
	if err := s.allowSignup(in.IP); err != nil {
		return SignupResult{}, err
	}
	if !s.cfg.SignupOpen {
		return SignupResult{}, forbidden("sign-up is closed on this deployment")
	}
	in.Email = strings.TrimSpace(in.Email)
	if err := ValidateEmail(in.Email); err != nil {
		return SignupResult{}, err
	}
	for _, f := range []struct{ name, v string }{{"first_name", in.FirstName}, {"last_name", in.LastName}, {"organization_name", in.OrganizationName}} {
		if err := validateName(f.name, f.v, true); err != nil {
			return SignupResult{}, err
		}
	}
	if err := s.validatePassword(in.Password, in.Email); err != nil {
		return SignupResult{}, err
	}
	if _, err := s.store.GetUserByEmail(ctx, in.Email); err == nil {
		return SignupResult{}, NewError(CodeEmailTaken, "an account with this email exists")
	}
	hash, err := s.cfg.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return SignupResult{}, fmt.Errorf("signup: %w", err)
	}
	now := s.now()
	user := User{ID: NewUserID(), Email: in.Email, FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName), PasswordHash: hash, CreatedAt: now}
	org := Organization{ID: NewOrgID(), Name: strings.TrimSpace(in.OrganizationName), Plan: s.model.DefaultPlan, CreatedAt: now}
	owner := Member{ID: NewMemberID(), OrgID: org.ID, UserID: user.ID, Email: user.Email, Role: s.model.OwnerRole,
		Status: StatusActive, ClientMode: AccessAll, Accepted: true, CreatedAt: now}
	org.OwnerMemberID = owner.ID
	if s.model.BillingContact {
		org.BillingContact = owner.ID
	}
	var res SignupResult
	err = s.update(ctx, func(c *change) error {
		if err := c.tx.CreateUser(ctx, user); errors.Is(err, ErrConflict) {
			return NewError(CodeEmailTaken, "an account with this email exists")
		} else if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		if err := s.createOrganization(c, Actor{UserID: user.ID, Email: user.Email}, org, owner); err != nil {
			return err
		}
		if err := s.sendVerification(c, user); err != nil {
			return err
		}
		token, err := s.createSession(c, user.ID)
		if err != nil {
			return err
		}
		ov, err := s.orgView(ctx, c.tx, org)
		if err != nil {
			return err
		}
		stored, err := c.tx.GetMember(ctx, org.ID, owner.ID) // with the person's names (R15)
		if err != nil {
			return fmt.Errorf("reload owner: %w", err)
		}
		mv, err := s.memberViewOf(ctx, c.tx, org, stored)
		res = SignupResult{User: user, Org: ov, Token: token, Member: mv}
		return err
	})
	return res, err
}

// createOrganization stores a new organization with its owner member.
func (s *Service) createOrganization(c *change, actor Actor, org Organization, owner Member) error {
	if err := c.tx.CreateOrganization(c.ctx, org); err != nil {
		return fmt.Errorf("create organization: %w", err)
	}
	if err := c.tx.CreateMember(c.ctx, owner); err != nil {
		return fmt.Errorf("create owner member: %w", err)
	}
	if err := c.touch(org.ID); err != nil {
		return err
	}
	return c.audit(actor, org.ID, "organization.created", "organization", string(org.ID), owner.ID,
		nil, map[string]any{"name": org.Name, "plan": org.Plan, "owner_member_id": owner.ID})
}

// sendVerification queues R1's verification email.
func (s *Service) sendVerification(c *change, u User) error {
	token, hash := newToken()
	v := VerificationToken{TokenHash: hash, UserID: u.ID, ExpiresAt: s.now().Add(7 * 24 * time.Hour)}
	if err := c.tx.CreateVerificationToken(c.ctx, v); err != nil {
		return fmt.Errorf("create verification token: %w", err)
	}
	return c.email(u.Email, "verify", "Confirm your email address", verifyEmailBody(u, s.cfg.BaseURL+"/verify/"+token))
}

// VerifyEmail follows the emailed link (R1).
func (s *Service) VerifyEmail(ctx context.Context, token string) (User, error) {
	var user User
	err := s.update(ctx, func(c *change) error {
		v, err := c.tx.GetVerificationToken(ctx, HashToken(token))
		if errors.Is(err, ErrNotFound) || (err == nil && (v.Used || s.now().After(v.ExpiresAt))) {
			return notFound("verification token")
		}
		if err != nil {
			return fmt.Errorf("get verification token: %w", err)
		}
		if ok, err := c.tx.UseVerificationToken(ctx, v.TokenHash); err != nil || !ok {
			return errors.Join(notFound("verification token"), err)
		}
		if user, err = c.tx.GetUser(ctx, v.UserID); err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		user.EmailVerified = true
		if err := c.tx.UpdateUser(ctx, user); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		return c.audit(Actor{UserID: user.ID, Email: user.Email}, "", "user.email_verified", "user", string(user.ID), "", nil, map[string]any{"email_verified": true})
	})
	return user, err
}

// createSession issues a session token (R2): random 256 bits, stored hashed.
func (s *Service) createSession(c *change, user UserID) (string, error) {
	token, hash := newToken()
	now := s.now()
	sess := Session{ID: newID(prefixSess), TokenHash: hash, UserID: user, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.cfg.SessionMax)}
	if err := c.tx.CreateSession(c.ctx, sess); err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return token, nil
}

// Principal is the result of authenticating a session token.
type Principal struct {
	User      User
	SessionID string
}

// Actor returns the principal as an Actor.
func (p Principal) Actor() Actor { return Actor{UserID: p.User.ID, Email: p.User.Email} }

// Authenticate resolves a session token; sessions end after SessionIdle
// without use and SessionMax after login (docs/security.md item 23).
func (s *Service) Authenticate(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, NewError(CodeUnauthenticated, "authentication required")
	}
	sess, err := s.store.GetSessionByTokenHash(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) {
		return Principal{}, NewError(CodeUnauthenticated, "the session is unknown or has ended")
	}
	if err != nil {
		return Principal{}, fmt.Errorf("get session: %w", err)
	}
	now := s.now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > s.cfg.SessionIdle {
		return Principal{}, NewError(CodeUnauthenticated, "the session is unknown or has ended")
	}
	user, err := s.store.GetUser(ctx, sess.UserID)
	if err != nil {
		return Principal{}, fmt.Errorf("get session user: %w", err)
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := s.store.WithTx(ctx, func(tx Tx) error { return tx.TouchSession(ctx, sess.ID, now) }); err != nil {
			return Principal{}, fmt.Errorf("touch session: %w", err)
		}
	}
	return Principal{User: user, SessionID: sess.ID}, nil
}

// Logout ends the session server-side.
func (s *Service) Logout(ctx context.Context, p Principal) error {
	return s.store.WithTx(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, p.SessionID) })
}

// Membership is one line of /me.
type Membership struct {
	Member  Member
	Org     Organization
	IsOwner bool
}

// Me returns the user and their active memberships.
func (s *Service) Me(ctx context.Context, p Principal) (User, []Membership, error) {
	ms, err := s.store.ListMembershipsOfUser(ctx, p.User.ID)
	if err != nil {
		return User{}, nil, fmt.Errorf("list memberships: %w", err)
	}
	out := []Membership{}
	for _, m := range ms {
		if m.Status != StatusActive {
			continue
		}
		org, err := s.store.GetOrganization(ctx, m.OrgID)
		if err != nil {
			return User{}, nil, fmt.Errorf("get organization: %w", err)
		}
		out = append(out, Membership{Member: m, Org: org, IsOwner: org.OwnerMemberID == m.ID})
	}
	return p.User, out, nil
}

// UpdateMeInput holds the names a user may change (R15); nil leaves a field.
type UpdateMeInput struct {
	FirstName, LastName *string
}

func (in UpdateMeInput) empty() bool { return in.FirstName == nil && in.LastName == nil }

func (in UpdateMeInput) validate() error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"first_name", in.FirstName}, {"last_name", in.LastName}} {
		if f.v != nil {
			if err := validateName(f.name, *f.v, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// R15 names belong to the person: UpdateMe, and PATCH of one's own member
// (UpdateMember), are the only ways to change them.
func (s *Service) UpdateMe(ctx context.Context, p Principal, in UpdateMeInput) (User, error) {
	if err := in.validate(); err != nil {
		return User{}, err
	}
	var user User
	err := s.update(ctx, func(c *change) error {
		if err := s.touchMembershipsOf(c, p.User.ID); err != nil { // organizations first
			return err
		}
		var err error
		user, err = s.applyNames(c, p.Actor(), in)
		return err
	})
	return user, err
}

// applyNames stores the actor's new names and audits what changed (R15).
// The caller has locked the actor's organizations (touchMembershipsOf).
func (s *Service) applyNames(c *change, actor Actor, in UpdateMeInput) (User, error) {
	user, err := c.tx.GetUser(c.ctx, actor.UserID)
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	before, after := map[string]any{}, map[string]any{}
	if in.FirstName != nil && strings.TrimSpace(*in.FirstName) != user.FirstName {
		before["first_name"], after["first_name"] = user.FirstName, strings.TrimSpace(*in.FirstName)
		user.FirstName = strings.TrimSpace(*in.FirstName)
	}
	if in.LastName != nil && strings.TrimSpace(*in.LastName) != user.LastName {
		before["last_name"], after["last_name"] = user.LastName, strings.TrimSpace(*in.LastName)
		user.LastName = strings.TrimSpace(*in.LastName)
	}
	if len(after) == 0 {
		return user, nil
	}
	if err := c.tx.UpdateUser(c.ctx, user); err != nil {
		return User{}, fmt.Errorf("update user: %w", err)
	}
	return user, c.audit(actor, "", "user.updated", "user", string(user.ID), "", before, after)
}

// touchMembershipsOf bumps the revision of every organization the user is in,
// so that caches of member names follow. It locks them in id order, and
// before the user's own row (GetUser in a transaction locks it): every
// transaction takes organizations first, in one order, so two users' writes
// cannot deadlock.
func (s *Service) touchMembershipsOf(c *change, user UserID) error {
	ms, err := c.tx.ListMembershipsOfUser(c.ctx, user)
	if err != nil {
		return fmt.Errorf("list memberships: %w", err)
	}
	orgs := make([]OrgID, 0, len(ms))
	for _, m := range ms {
		orgs = append(orgs, m.OrgID)
	}
	slices.Sort(orgs)
	for _, org := range slices.Compact(orgs) {
		if err := c.touch(org); err != nil {
			return err
		}
	}
	return nil
}
