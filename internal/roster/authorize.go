package roster

import "context"

// Requirement is what a route needs of its caller before its body is read.
// Every route declares one (deny by default, docs/security.md item 2).
type Requirement int

const (
	// RequireNothing: public routes (sign-up, login, invitation links).
	RequireNothing Requirement = iota + 1
	// RequireUser: any signed-in user.
	RequireUser
	// RequireOperator: the operator token.
	RequireOperator
	// RequireMember: an active member of the organization in the path (or the operator).
	RequireMember
	// RequireManager: users.manage in that organization.
	RequireManager
	// RequireSettings: the model's settings permission or the owner.
	RequireSettings
	// RequireClientsAdmin: the model's permission to create and archive clients.
	RequireClientsAdmin
	// RequireCaller: a user's session or the operator token; the service
	// authorizes the rest from the in-memory index (checks).
	RequireCaller
)

// Authorize answers whether actor meets need in org, with the error the
// route must give otherwise (404 for a foreign organization, 403 for a
// missing permission). The service checks again inside its transaction;
// this early answer keeps the contract's order of refusals (401, 404, 403,
// then 422) when a body is malformed.
func (s *Service) Authorize(ctx context.Context, actor Actor, org OrgID, need Requirement) error {
	switch need {
	case RequireNothing, RequireUser, RequireCaller:
		return nil
	case RequireOperator:
		if !actor.Operator {
			return forbidden("the operator token is required")
		}
		return nil
	}
	cl, err := s.readCaller(ctx, actor, org)
	if err != nil {
		return err
	}
	switch need {
	case RequireManager:
		return s.requireManager(cl)
	case RequireSettings:
		return s.requireSettings(cl)
	case RequireClientsAdmin:
		return s.requireClientsAdmin(cl)
	}
	return nil
}
