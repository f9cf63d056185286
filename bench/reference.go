package main

import "github.com/roster-dev/roster/internal/benchload"

// mapEval is the plain-map reference (internal/benchload.Reference): a map
// from (organization, user) to role and access, then a set lookup for the
// client.
type mapEval struct{ ref *benchload.Reference }

func (*mapEval) name() string { return "plain map (reference)" }

func (r *mapEval) load(w *workload) error {
	r.ref = benchload.NewReference(*w)
	return nil
}

func (r *mapEval) check(q *query) (bool, error) { return r.ref.Allowed(*q), nil }

func (*mapEval) close() {}
