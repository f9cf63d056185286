package app_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roster-dev/roster/internal/apitest"
	"github.com/roster-dev/roster/internal/postgres"
)

// TestClusterFlappingFeed is rule R7 under an attack on the change feed:
// the listening connections are terminated every 150-300 ms for several
// seconds, so each node's feed reconnects over and over, while node A makes
// role changes. After each change, every check on node B sent more than
// 1 s after A acknowledged the commit either reflects the change or is
// refused with 503: never the old answer. A node that failed closed all
// the time would pass that, so B must also answer most checks, and be
// ready and current once the attack stops.
func TestClusterFlappingFeed(t *testing.T) {
	const (
		changes = 6
		window  = 1500 * time.Millisecond // checks on B after each change
	)
	db, nodes := cluster(t, 2)
	a, b := nodes[0], nodes[1]
	owner := a.Signup("owner@example.com", "Org")
	bob, bobMember := member(t, a, owner, "bookkeeper", "bob@example.com")
	waitAll(t, "new member", propagationLimit, nodes[1:], func(e *apitest.Env) bool { return isActive(e, owner, bob) })

	// The attacker: every listening connection of the database (B's, and
	// A's, which answers from its own commits anyway) is terminated every
	// 150-300 ms, until stop or 12 s at most.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var kills int
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 12*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Errorf("attacker: %v", err)
			return
		}
		defer conn.Close(context.Background())
		for ctx.Err() == nil {
			var n int
			if err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = current_database() AND application_name = $1`, postgres.FeedApplicationName).Scan(&n); err != nil {
				if ctx.Err() == nil {
					t.Errorf("attacker: %v", err)
				}
				return
			}
			kills += n
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-time.After(150*time.Millisecond + rand.N(150*time.Millisecond)):
			}
		}
	})
	halt := sync.OnceFunc(func() { close(stop); wg.Wait() })
	t.Cleanup(halt)

	path := "/api/v1/orgs/" + owner.OrgID + "/members/" + bobMember
	roles := []string{"client_manager", "bookkeeper"} // users.manage: allowed, denied
	var answered, refused, late int
	for i := range changes {
		role := roles[i%2]
		a.Must(http.StatusOK, "PATCH", path, owner.Token, map[string]any{"role": role})
		acked := time.Now() // the commit happened before
		want := role == "client_manager"
		for time.Since(acked) < window {
			sent := time.Now()
			d := check(b, owner.OrgID, bob, "users.manage", "")
			switch {
			case d.status == http.StatusServiceUnavailable && d.code == "unavailable":
				refused++
			case d.status != http.StatusOK:
				t.Fatalf("change %d: check on B: got %d %s, want 200 or 503 unavailable", i, d.status, d.code)
			default:
				answered++
				if d.allowed != want && sent.Sub(acked) > propagationLimit {
					if late++; late == 1 { // the first says it; the count follows
						t.Errorf("change %d (to %s): B answered allowed=%v (the old role) to a check sent %v after the commit was acknowledged",
							i, role, d.allowed, sent.Sub(acked).Round(time.Millisecond))
					}
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	halt()
	t.Logf("%d listening connections terminated; B answered %d checks and refused %d with 503; %d stale answers after 1 s",
		kills, answered, refused, late)
	if kills < changes {
		t.Errorf("the attacker terminated only %d listening connections", kills)
	}
	if answered < refused {
		t.Errorf("B refused %d checks and answered only %d: the catch-up poll should keep it fresh while its feed flaps", refused, answered)
	}
	waitAll(t, "ready and current after the attack", 5*time.Second, nodes[1:], func(e *apitest.Env) bool {
		return e.Do("GET", "/readyz", "", nil).Status == http.StatusOK &&
			check(e, owner.OrgID, bob, "users.manage", "").allowed == (roles[(changes-1)%2] == "client_manager")
	})
}
