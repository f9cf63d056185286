package authz_test

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/roster"
)

// flipping is the fixture at revision rev, where u_flip is a practice_admin
// at even revisions and a client at odd ones.
func flipping(o roster.OrgID, rev int64) roster.OrgAccess {
	a := fixture()
	a.OrgID, a.Revision = o, rev
	role := "client"
	if rev%2 == 0 {
		role = "practice_admin"
	}
	a.Members = append(a.Members, active("u_flip", role, "", c1))
	return a
}

// TestConcurrentReadersAndWriters runs readers against writers that Put
// revisions out of order and Remove another organization; run it with -race.
// Readers must only ever see whole snapshots.
func TestConcurrentReadersAndWriters(t *testing.T) {
	x := authz.New(practiceModel(t))
	const churn roster.OrgID = "org_churn"
	const writers, revisions = 4, 400
	x.Put(flipping(org, 0))

	var stop atomic.Bool
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for !stop.Load() {
				readConsistent(t, x, churn)
			}
		})
	}

	revs := rand.New(rand.NewPCG(1, 2)).Perm(revisions)
	var ws sync.WaitGroup
	for w := range writers {
		ws.Go(func() {
			for i := w; i < revisions; i += writers {
				x.Put(flipping(org, int64(revs[i])))
				x.Put(flipping(churn, int64(i)))
				x.Remove(churn)
			}
		})
	}
	ws.Wait()
	stop.Store(true)
	readers.Wait()
	if rev, _ := x.Revision(org); rev != revisions-1 {
		t.Errorf("Revision after concurrent Puts = %d, want %d", rev, revisions-1)
	}
	if _, ok := x.Revision(churn); ok {
		t.Error("removed organization still installed")
	}
}

func readConsistent(t *testing.T, x *authz.Index, churn roster.OrgID) {
	if d := x.Check(org, "u_admin", "users.manage", ""); !d.Allowed {
		t.Errorf("u_admin denied during a swap: %+v", d)
	}
	if d := x.Check(churn, "u_book_specific", "clients.view", c1); d.Reason != authz.Granted && d.Reason != authz.NotMember {
		t.Errorf("churning org: Check = %s, want granted or not_member", d.Reason)
	}
	v, ok := x.Member(org, "u_flip")
	if !ok {
		t.Error("u_flip missing during a swap")
		return
	}
	admin, wantMode := v.Role == "practice_admin", roster.AccessSpecific
	if admin {
		wantMode = roster.AccessAll
	}
	if v.Mode != wantMode || v.HasClient(c2) != admin {
		t.Errorf("torn view: role %s, mode %s, HasClient(c2) = %v", v.Role, v.Mode, v.HasClient(c2))
	}
	d := x.Check(org, "u_flip", "users.manage", "")
	if d.Reason != authz.Granted && d.Reason != authz.MissingPermission {
		t.Errorf("u_flip: Check = %s, want granted or missing_permission", d.Reason)
	}
	x.VisibleClients(org, "u_flip")
	x.Has(churn, "u_admin", "users.manage")
}
