package roster

import (
	"context"
	"sync"
	"time"
)

// laggingOrgs are the organizations whose index refresh failed after a
// committed change (R7, R12): the index may still allow what the commit
// took away. Checks on them answer 503 until a refresh succeeds; each such
// check tries one refresh first, so the normal path stays free of
// database queries.
type laggingOrgs struct {
	mu   sync.Mutex
	orgs map[OrgID]bool
}

func (l *laggingOrgs) mark(org OrgID, lagging bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !lagging {
		delete(l.orgs, org)
		return
	}
	if l.orgs == nil {
		l.orgs = map[OrgID]bool{}
	}
	l.orgs[org] = true
}

func (l *laggingOrgs) has(org OrgID) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.orgs[org]
}

// refreshTimeout bounds the refresh after a commit. It runs on a context
// detached from the request: a client hanging up after the commit must not
// leave the index behind the database.
const refreshTimeout = 10 * time.Second

// refreshAfterCommit reloads org after a committed change; on failure the
// organization is marked lagging, so checks fail closed.
func (s *Service) refreshAfterCommit(ctx context.Context, org OrgID) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
	defer cancel()
	if err := s.refresh(ctx, org); err != nil {
		s.lagging.mark(org, true)
		s.log.ErrorContext(ctx, "index refresh failed: checks on this organization answer 503 until it succeeds", "org_id", org, "error", err)
	}
}

// catchUp is called before a check on org: a lagging organization is
// refreshed now, or the check is refused with 503 (fail closed).
func (s *Service) catchUp(ctx context.Context, org OrgID) error {
	if !s.lagging.has(org) {
		return nil
	}
	if err := s.refresh(ctx, org); err != nil {
		s.log.WarnContext(ctx, "index still behind", "org_id", org, "error", err)
		return &Error{Code: CodeUnavailable, Message: "this organization's permissions are being reloaded; try again"}
	}
	return nil
}
