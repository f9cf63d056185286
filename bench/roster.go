package main

import (
	"github.com/roster-dev/roster/internal/authz"
)

// rosterEval is Roster's own permission index, loaded as the service loads
// it at start-up (PutAll) and asked as the service asks it (Check).
type rosterEval struct {
	x *authz.Index
}

func (*rosterEval) name() string { return "Roster (internal/authz)" }

func (r *rosterEval) load(w *workload) error {
	r.x = authz.New(w.model)
	r.x.PutAll(w.orgs)
	return nil
}

func (r *rosterEval) check(q *query) (bool, error) {
	return r.x.Check(q.org, q.user, q.perm, q.client).Allowed, nil
}

func (*rosterEval) close() {}
