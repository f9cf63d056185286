package roster

import (
	"context"
	"errors"
	"fmt"
)

// transferTarget loads the member a role moves to: it must exist in the
// organization (404) and be active (409 not_active).
func (s *Service) transferTarget(c *change, cl caller, id MemberID) (Member, error) {
	if !hasPrefix(string(id), prefixMember) {
		return Member{}, Invalid("member_id", "member_id is required")
	}
	m, err := c.tx.GetMember(c.ctx, cl.org.ID, id)
	if errors.Is(err, ErrNotFound) {
		return Member{}, notFound("member")
	}
	if err != nil {
		return Member{}, fmt.Errorf("get member: %w", err)
	}
	if m.Status != StatusActive {
		return Member{}, NewError(CodeNotActive, "the member is not active")
	}
	return m, nil
}

// TransferOwnership is R13: only the owner transfers; the target must be an
// active member and gets the owner role if it lacked it; the previous owner
// keeps the owner role and stops being owner. One transaction holds the
// organization's lock, so there is always exactly one owner.
func (s *Service) TransferOwnership(ctx context.Context, actor Actor, orgID OrgID, target MemberID) (OrgView, error) {
	if !s.model.OwnershipTransfer {
		return OrgView{}, notFound("ownership transfer")
	}
	var view OrgView
	err := s.update(ctx, func(c *change) error {
		cl, err := s.lockCaller(c, actor, orgID)
		if err != nil {
			return err
		}
		if cl.Operator || cl.org.OwnerMemberID != cl.member.ID {
			return forbidden("only the owner can transfer ownership")
		}
		m, err := s.transferTarget(c, cl, target)
		if err != nil {
			return err
		}
		if m.ID == cl.org.OwnerMemberID {
			return Invalid("member_id", "this member is the owner already")
		}
		if err := s.promoteToOwnerRole(c, cl, &m); err != nil {
			return err
		}
		org := cl.org
		org.OwnerMemberID = m.ID
		if err := c.tx.UpdateOrganization(ctx, org); err != nil {
			return fmt.Errorf("transfer ownership: %w", err)
		}
		if err := s.notifyTransfer(c, cl, m, "owner"); err != nil {
			return err
		}
		view, err = s.finishOrgChange(c, cl, org, "organization.ownership_transferred",
			map[string]any{"owner_member_id": cl.org.OwnerMemberID}, map[string]any{"owner_member_id": m.ID})
		return err
	})
	return view, err
}

func (s *Service) promoteToOwnerRole(c *change, cl caller, m *Member) error {
	if m.Role == s.model.OwnerRole {
		return nil
	}
	before := m.Role
	m.Role = s.model.OwnerRole
	if err := c.tx.UpdateMember(c.ctx, *m); err != nil {
		return fmt.Errorf("give owner role: %w", err)
	}
	return c.audit(cl.Actor, cl.org.ID, "member.role_changed", "member", string(m.ID), m.ID, map[string]any{"role": before}, map[string]any{"role": m.Role})
}

// SetBillingContact is R14: exactly one billing contact, any role, moved by
// the owner, or by the billing contact when its role is admin-level.
func (s *Service) SetBillingContact(ctx context.Context, actor Actor, orgID OrgID, target MemberID) (OrgView, error) {
	if !s.model.BillingContact {
		return OrgView{}, notFound("billing contact")
	}
	var view OrgView
	err := s.update(ctx, func(c *change) error {
		cl, err := s.lockCaller(c, actor, orgID)
		if err != nil {
			return err
		}
		isOwner := !cl.Operator && cl.org.OwnerMemberID == cl.member.ID
		isAdminContact := !cl.Operator && cl.org.BillingContact == cl.member.ID && s.isAdminLevel(cl.role)
		if !isOwner && !isAdminContact {
			return forbidden("only the owner, or an admin-level billing contact, can move the billing contact")
		}
		m, err := s.transferTarget(c, cl, target)
		if err != nil {
			return err
		}
		org := cl.org
		if m.ID == org.BillingContact {
			view, err = s.orgView(ctx, c.tx, org)
			return err
		}
		org.BillingContact = m.ID
		if err := c.tx.UpdateOrganization(ctx, org); err != nil {
			return fmt.Errorf("move billing contact: %w", err)
		}
		if err := s.notifyTransfer(c, cl, m, "billing contact"); err != nil {
			return err
		}
		view, err = s.finishOrgChange(c, cl, org, "organization.billing_contact_changed",
			map[string]any{"billing_contact_member_id": cl.org.BillingContact}, map[string]any{"billing_contact_member_id": m.ID})
		return err
	})
	return view, err
}

// notifyTransfer tells the member it has become owner or billing contact (R20).
func (s *Service) notifyTransfer(c *change, cl caller, m Member, what string) error {
	subject := fmt.Sprintf("You are now the %s of %s", what, cl.org.Name)
	body := greeting(m.FirstName) + fmt.Sprintf("%s made you the %s of the %s %s.\n", cl.Email, what, cl.org.Name, s.model.Names.Organization)
	return c.email(m.Email, "transfer", subject, body)
}

// finishOrgChange bumps the revision, audits, and returns the organization.
func (s *Service) finishOrgChange(c *change, cl caller, org Organization, action string, before, after map[string]any) (OrgView, error) {
	if err := c.touch(org.ID); err != nil {
		return OrgView{}, err
	}
	if err := c.audit(cl.Actor, org.ID, action, "organization", string(org.ID), "", before, after); err != nil {
		return OrgView{}, err
	}
	return s.orgView(c.ctx, c.tx, org)
}
