package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// GetOrganization shows the organization to any active member.
func (s *Service) GetOrganization(ctx context.Context, actor Actor, orgID OrgID) (OrgView, error) {
	cl, err := s.readCaller(ctx, actor, orgID)
	if err != nil {
		return OrgView{}, err
	}
	return s.orgView(ctx, s.store, cl.org)
}

// UpdateOrgInput is PATCH organization; nil leaves a field. EnforcedAuth
// "" clears it.
type UpdateOrgInput struct {
	Name         *string
	EnforcedAuth *string
}

var enforcedAuthProviders = []string{"", "google", "okta", "microsoft"}

// UpdateOrganization changes settings: the owner or the model's settings
// permission (an admin-level role where the model names none).
func (s *Service) UpdateOrganization(ctx context.Context, actor Actor, orgID OrgID, in UpdateOrgInput) (OrgView, error) {
	var view OrgView
	err := s.update(ctx, func(c *change) error {
		cl, err := s.lockCaller(c, actor, orgID)
		if err != nil {
			return err
		}
		if err := s.requireSettings(cl); err != nil {
			return err
		}
		org := cl.org
		before, after := map[string]any{}, map[string]any{}
		if in.Name != nil {
			if err := validateName("name", *in.Name, true); err != nil {
				return err
			}
			before["name"], after["name"] = org.Name, strings.TrimSpace(*in.Name)
			org.Name = strings.TrimSpace(*in.Name)
		}
		if in.EnforcedAuth != nil {
			if !slices.Contains(enforcedAuthProviders, *in.EnforcedAuth) {
				return Invalid("enforced_auth", "enforced_auth must be null, google, okta or microsoft")
			}
			before["enforced_auth"], after["enforced_auth"] = nullable(org.EnforcedAuth), nullable(*in.EnforcedAuth)
			org.EnforcedAuth = *in.EnforcedAuth
		}
		if err := c.tx.UpdateOrganization(ctx, org); err != nil {
			return fmt.Errorf("update organization: %w", err)
		}
		if err := c.touch(orgID); err != nil {
			return err
		}
		if err := c.audit(cl.Actor, orgID, "organization.updated", "organization", string(orgID), "", before, after); err != nil {
			return err
		}
		view, err = s.orgView(ctx, c.tx, org)
		return err
	})
	return view, err
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// CreateOrgInput is the operator's form.
type CreateOrgInput struct {
	Name       string
	OwnerEmail string
	Plan       string
}

// CreatedOrg is the operator's answer: the organization, its owner member
// (invited, or added at once for a verified account where the model joins)
// and the accept URL of the owner's invitation.
type CreatedOrg struct {
	Org       OrgView
	Owner     MemberView
	AcceptURL string
}

// CreateOrganization is the operator's: it creates an organization and
// invites its owner (R1 for private deployments with sign-up closed).
func (s *Service) CreateOrganization(ctx context.Context, actor Actor, in CreateOrgInput) (CreatedOrg, error) {
	if !actor.Operator {
		return CreatedOrg{}, forbidden("the operator token is required")
	}
	if err := validateName("name", in.Name, true); err != nil {
		return CreatedOrg{}, err
	}
	in.OwnerEmail = strings.TrimSpace(in.OwnerEmail)
	if err := ValidateEmail(in.OwnerEmail); err != nil {
		return CreatedOrg{}, Invalid("owner_email", "not a valid email address")
	}
	if in.Plan == "" {
		in.Plan = s.model.DefaultPlan
	}
	if _, ok := s.model.Plan(in.Plan); !ok {
		return CreatedOrg{}, Invalid("plan", "unknown plan "+in.Plan)
	}
	var out CreatedOrg
	err := s.update(ctx, func(c *change) error {
		var err error
		out, err = s.createOrgWithOwner(c, actor, in)
		return err
	})
	return out, err
}

func (s *Service) createOrgWithOwner(c *change, actor Actor, in CreateOrgInput) (CreatedOrg, error) {
	now := s.now()
	org := Organization{ID: NewOrgID(), Name: strings.TrimSpace(in.Name), Plan: in.Plan, CreatedAt: now}
	owner := Member{ID: NewMemberID(), OrgID: org.ID, Email: in.OwnerEmail, Role: s.model.OwnerRole, Status: StatusInvited,
		ClientMode: AccessAll, Clients: []ClientID{}, Teams: []TeamID{}, CreatedAt: now}
	user, err := c.tx.GetUserByEmail(c.ctx, in.OwnerEmail)
	joins := err == nil && user.EmailVerified && s.model.ExistingUsers == ExistingUsersJoin
	if joins {
		owner.UserID, owner.Email, owner.Status, owner.Accepted = user.ID, user.Email, StatusActive, true
	}
	org.OwnerMemberID = owner.ID
	if s.model.BillingContact {
		org.BillingContact = owner.ID
	}
	if err := s.createOrganization(c, actor, org, owner); err != nil {
		return CreatedOrg{}, err
	}
	cl := caller{Actor: actor, org: org}
	out := CreatedOrg{}
	if joins {
		err = c.email(user.Email, "added", fmt.Sprintf("You now own %s", org.Name), s.addedBody(user.FirstName, org.Name, ""))
	} else {
		out.AcceptURL, err = s.issueInvitation(c, cl, owner, "invitation")
	}
	if err != nil {
		return CreatedOrg{}, err
	}
	m, err := c.tx.GetMember(c.ctx, org.ID, owner.ID)
	if err != nil {
		return CreatedOrg{}, fmt.Errorf("get owner: %w", err)
	}
	if out.Owner, err = s.memberViewOf(c.ctx, c.tx, org, m); err != nil {
		return CreatedOrg{}, err
	}
	out.Org, err = s.orgView(c.ctx, c.tx, org)
	return out, err
}

// SetPlan is the operator's: it moves an organization to another plan of
// the model (R16, R17). A smaller plan refuses nobody already in: members
// over the new limits keep their seats, and new invitations, reactivations
// and acceptances are refused until the organization fits; custom roles
// keep working but cannot be created or edited (R9).
func (s *Service) SetPlan(ctx context.Context, actor Actor, orgID OrgID, plan string) (OrgView, error) {
	if !actor.Operator {
		return OrgView{}, forbidden("the operator token is required")
	}
	var view OrgView
	err := s.update(ctx, func(c *change) error {
		org, err := c.tx.LockOrganization(c.ctx, orgID)
		if errors.Is(err, ErrNotFound) {
			return notFound("organization")
		} else if err != nil {
			return fmt.Errorf("lock organization: %w", err)
		}
		if _, ok := s.model.Plan(plan); !ok {
			return Invalid("plan", fmt.Sprintf("unknown plan %q; this model has %s", plan, strings.Join(s.planKeys(), ", ")))
		}
		if org.Plan != plan {
			before := org.Plan
			org.Plan = plan
			if err := c.tx.UpdateOrganization(c.ctx, org); err != nil {
				return fmt.Errorf("update organization: %w", err)
			}
			if err := c.touch(orgID); err != nil {
				return err
			}
			if err := c.audit(actor, orgID, "organization.plan_changed", "organization", string(orgID), "", map[string]any{"plan": before}, map[string]any{"plan": plan}); err != nil {
				return err
			}
		}
		view, err = s.orgView(c.ctx, c.tx, org)
		return err
	})
	return view, err
}

func (s *Service) planKeys() []string {
	keys := make([]string, len(s.model.Plans))
	for i, p := range s.model.Plans {
		keys[i] = p.Key
	}
	return keys
}
