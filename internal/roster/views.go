package roster

import (
	"context"
	"fmt"
	"time"
)

// MemberView is a member as the API shows it.
type MemberView struct {
	Member
	IsOwner          bool
	IsBillingContact bool
	TwoFactor        *bool // nil while invited
	EnforcedAuth     string
	ClientMode       ClientAccessRule // effective (R10)
	InvitationExpiry *time.Time
}

// OrgView is an organization as the API shows it.
type OrgView struct {
	Organization
	SeatLimit            *int
	SeatsUsed            int
	AgentSeatLimit       *int
	AgentSeatsUsed       int
	AgentSeatsBillable   int
	CustomRolesAvailable bool
}

// memberViewOf shows one member, resolving its role's client rule.
func (s *Service) memberViewOf(ctx context.Context, q Queries, org Organization, m Member) (MemberView, error) {
	rules, err := s.clientRules(ctx, q, org.ID)
	if err != nil {
		return MemberView{}, err
	}
	return s.memberView(org, rules, m), nil
}

// memberView shows m; rules maps role keys to their client-access rule.
func (s *Service) memberView(org Organization, rules map[string]ClientAccessRule, m Member) MemberView {
	v := MemberView{
		Member:           m,
		IsOwner:          org.OwnerMemberID == m.ID,
		IsBillingContact: org.BillingContact != "" && org.BillingContact == m.ID,
		EnforcedAuth:     org.EnforcedAuth,
		InvitationExpiry: m.InvitationExpiresAt,
	}
	if m.Status != StatusInvited {
		tf := m.TwoFactor
		v.TwoFactor = &tf
	}
	rule, ok := rules[m.Role]
	if !ok {
		rule = AccessNone
	}
	v.ClientMode = EffectiveClientMode(rule, m.ClientMode)
	if v.Clients == nil {
		v.Clients = []ClientID{}
	}
	if v.Teams == nil {
		v.Teams = []TeamID{}
	}
	return v
}

func (s *Service) orgView(ctx context.Context, q Queries, org Organization) (OrgView, error) {
	seats, agents, err := q.CountSeats(ctx, org.ID, s.now())
	if err != nil {
		return OrgView{}, fmt.Errorf("count seats: %w", err)
	}
	plan, _ := s.model.Plan(org.Plan)
	v := OrgView{
		Organization: org, SeatLimit: plan.Seats, SeatsUsed: seats,
		AgentSeatLimit: plan.AgentSeats, AgentSeatsUsed: agents,
		AgentSeatsBillable:   max(0, agents-plan.FreeAgentSeats),
		CustomRolesAvailable: plan.CustomRoles,
	}
	return v, nil
}

// R16 seat limits and R17 agent seats: adding members must fit the plan;
// where both limits are hit, seat_limit_reached is the answer.
func (s *Service) ensureSeats(c *change, org Organization, addSeats, addAgents int) error {
	if addSeats <= 0 && addAgents <= 0 {
		return nil
	}
	plan, _ := s.model.Plan(org.Plan)
	if plan.Seats == nil && plan.AgentSeats == nil {
		return nil
	}
	seats, agents, err := c.tx.CountSeats(c.ctx, org.ID, s.now())
	if err != nil {
		return fmt.Errorf("count seats: %w", err)
	}
	if plan.Seats != nil && addSeats > 0 && seats+addSeats > *plan.Seats {
		return NewError(CodeSeatLimitReached, fmt.Sprintf("the %s plan has %d seats and %d are used", plan.Key, *plan.Seats, seats))
	}
	if plan.AgentSeats != nil && addAgents > 0 && agents+addAgents > *plan.AgentSeats {
		return NewError(CodeAgentSeatLimitReached, fmt.Sprintf("the %s plan has %d agent seats and %d are used", plan.Key, *plan.AgentSeats, agents))
	}
	return nil
}
