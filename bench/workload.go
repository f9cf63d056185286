package main

import (
	"github.com/roster-dev/roster/internal/benchload"
	"github.com/roster-dev/roster/internal/roster"
)

// The workload is internal/benchload's, the one internal/authz's
// benchmarks draw: the first 1<<16 queries of scale 1 are the ones
// BenchmarkIndexCheck runs.
type (
	workload = benchload.Workload
	query    = benchload.Query
)

func newWorkload(m *roster.Model, orgs, members, clients, queries int) *workload {
	w := benchload.New(m, orgs, members, clients, queries)
	return &w
}
