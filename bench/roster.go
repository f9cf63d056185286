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
	r.x = authz.New(w.Model)
	r.x.PutAll(w.Orgs)
	return nil
}

func (r *rosterEval) check(q *query) (bool, error) {
	return r.x.Check(q.Org, q.User, q.Perm, q.Client).Allowed, nil
}

func (*rosterEval) close() {}
