package app_test

import (
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// TestPropagationDelay measures rule R7 across nodes: 200 role changes made
// through node A's API, each timed from A's response (the commit is
// acknowledged) until the indexes of B and C hold that revision. It runs
// only when asked, since it measures rather than checks:
//
//	ROSTER_BENCH_PROPAGATION=1 go test -run TestPropagationDelay -v ./internal/app/
//
// The figures go to BENCHMARKS.md.
func TestPropagationDelay(t *testing.T) {
	if os.Getenv("ROSTER_BENCH_PROPAGATION") == "" {
		t.Skip("a measurement: set ROSTER_BENCH_PROPAGATION=1 to run it")
	}
	const changes = 200
	_, nodes := cluster(t, 3)
	a, others := nodes[0], nodes[1:]
	owner := a.Signup("owner@example.com", "Org")
	_, bobMember := member(t, a, owner, "bookkeeper", "bob@example.com")
	org := roster.OrgID(owner.OrgID)
	path := "/api/v1/orgs/" + owner.OrgID + "/members/" + bobMember
	roles := []string{"client_manager", "bookkeeper"}
	delays := make([]time.Duration, 0, changes)
	for i := range changes {
		a.Must(http.StatusOK, "PATCH", path, owner.Token, map[string]any{"role": roles[i%2]})
		acked := time.Now()
		want, _ := a.App.Index.Revision(org)
		for _, e := range others {
			for {
				if rev, _ := e.App.Index.Revision(org); rev >= want {
					break
				}
				if time.Since(acked) > 5*time.Second {
					t.Fatalf("change %d: not propagated after 5 s", i)
				}
				time.Sleep(50 * time.Microsecond)
			}
		}
		delays = append(delays, time.Since(acked))
		time.Sleep(5 * time.Millisecond) // changes arrive one at a time, as a person makes them
	}
	slices.Sort(delays)
	pct := func(p int) time.Duration { return delays[min(len(delays)-1, len(delays)*p/100)] }
	t.Logf("propagation to 2 other nodes over %d changes: p50 %v, p90 %v, p99 %v, max %v",
		changes, pct(50), pct(90), pct(99), delays[len(delays)-1])
	if pct(99) > time.Second {
		t.Errorf("p99 %v is over rule R7's 1 s", pct(99))
	}
}
