package roster

import (
	"context"
	"fmt"
)

// CheckInput asks: may user do permission (on client)?
type CheckInput struct {
	OrgID      OrgID
	UserID     UserID
	Permission string
	ClientID   ClientID
}

// Decision is a check's answer with its reason.
type Decision struct {
	Allowed bool
	Reason  string
}

// MaxBatchChecks bounds POST /check.
const MaxBatchChecks = 1000

// Check is R19 for one question inside an organization: a member may check
// itself; checking others needs users.manage (or the operator token).
//
// The caller is authorized from the index too, so a check makes no database
// query (the session of a user caller is looked up once per request).
func (s *Service) Check(ctx context.Context, actor Actor, in CheckInput) (Decision, error) {
	if err := s.indexFresh(); err != nil { // R7: no decision from a stale index
		return Decision{}, err
	}
	if err := s.catchUp(ctx, in.OrgID); err != nil {
		return Decision{}, err
	}
	if err := s.authorizeCheck(actor, in); err != nil {
		return Decision{}, err
	}
	if err := s.validateCheck(in, ""); err != nil {
		return Decision{}, err
	}
	return s.decide(in), nil
}

// authorizeCheck: the organization must exist for the operator; a user must
// be an active member (404 otherwise) and may check others only with
// users.manage.
func (s *Service) authorizeCheck(actor Actor, in CheckInput) error {
	if actor.Operator {
		if _, ok := s.index.Revision(in.OrgID); !ok {
			return notFound("organization")
		}
		return nil
	}
	if st, ok := s.index.MemberStatus(in.OrgID, actor.UserID); !ok || st != StatusActive {
		return notFound("organization")
	}
	if in.UserID == actor.UserID {
		return nil
	}
	if allowed, _ := s.index.Decide(in.OrgID, actor.UserID, permUsersManage, ""); !allowed {
		return forbidden("checking another user needs users.manage")
	}
	return nil
}

// CheckBatch is R19 for up to 1000 questions, operator only; a malformed
// item refuses the whole batch naming its index.
func (s *Service) CheckBatch(ctx context.Context, actor Actor, items []CheckInput) ([]Decision, error) {
	if !actor.Operator {
		return nil, forbidden("batch checks need the operator token")
	}
	if err := s.indexFresh(); err != nil { // R7: no decision from a stale index
		return nil, err
	}
	if len(items) == 0 || len(items) > MaxBatchChecks {
		return nil, Invalid("checks", "give 1 to 1000 checks")
	}
	for i, in := range items {
		if err := s.validateCheck(in, fmt.Sprintf("checks[%d].", i)); err != nil {
			return nil, err
		}
	}
	for i, in := range items {
		if i == 0 || in.OrgID != items[i-1].OrgID {
			if err := s.catchUp(ctx, in.OrgID); err != nil {
				return nil, err
			}
		}
	}
	out := make([]Decision, len(items))
	for i, in := range items {
		out[i] = s.decide(in)
	}
	return out, nil
}

// validateCheck: a per-client permission needs a client (422); unknown
// permissions are answered, not refused.
func (s *Service) validateCheck(in CheckInput, prefix string) error {
	switch {
	case in.OrgID == "" && prefix != "":
		return Invalid(prefix+"org_id", "org_id is required")
	case in.UserID == "":
		return Invalid(prefix+"user_id", "user_id is required")
	case in.Permission == "":
		return Invalid(prefix+"permission", "permission is required")
	}
	if p, ok := s.model.Permission(in.Permission); ok && p.PerClient && in.ClientID == "" {
		return Invalid(prefix+"client_id", fmt.Sprintf("%s is a per-client permission: client_id is required", in.Permission))
	}
	return nil
}

// decide answers from the in-memory index: no database query (R19).
func (s *Service) decide(in CheckInput) Decision {
	allowed, reason := s.index.Decide(in.OrgID, in.UserID, in.Permission, in.ClientID)
	return Decision{Allowed: allowed, Reason: reason}
}
