package authz_test

import (
	"runtime"
	"testing"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/benchload"
)

// The benchmark workload is internal/benchload's, shared with the bench/
// module, so that every figure of the permission check compares.
const benchQueries = 1 << 16

func newWorkload(tb testing.TB, orgs, members, clients, queries int) benchload.Workload {
	return benchload.New(practiceModel(tb), orgs, members, clients, queries)
}

func index(w benchload.Workload) *authz.Index {
	x := authz.New(w.Model)
	x.PutAll(w.Orgs)
	return x
}

// TestIndexAgreesWithReference runs a small workload through both.
func TestIndexAgreesWithReference(t *testing.T) {
	w := newWorkload(t, 40, benchload.Members, benchload.Clients, 1<<14)
	x, ref := index(w), benchload.NewReference(w)
	reasons := map[authz.Reason]int{}
	for _, q := range w.Queries {
		d := x.Check(q.Org, q.User, q.Perm, q.Client)
		reasons[d.Reason]++
		if want := ref.Allowed(q); d.Allowed != want {
			t.Errorf("Check(%+v) = %+v, reference allowed = %v", q, d, want)
		}
	}
	for _, r := range []authz.Reason{authz.Granted, authz.NotMember, authz.Inactive, authz.MissingPermission,
		authz.ClientNotAssigned, authz.UnknownClient, authz.UnknownPermission} {
		if reasons[r] == 0 {
			t.Errorf("the workload never yields %s: %v", r, reasons)
		}
	}
	t.Logf("reasons: %v", reasons)
}

func benchWorkload(b *testing.B) benchload.Workload {
	return newWorkload(b, benchload.Orgs, benchload.Members, benchload.Clients, benchQueries)
}

func BenchmarkIndexCheck(b *testing.B) {
	w := benchWorkload(b)
	x := index(w)
	qs := w.Queries
	granted := 0
	n := 0
	for ; b.Loop(); n++ {
		q := &qs[n&(len(qs)-1)]
		if x.Check(q.Org, q.User, q.Perm, q.Client).Allowed {
			granted++
		}
	}
	reportChecks(b, n, granted)
}

func BenchmarkReferenceCheck(b *testing.B) {
	w := benchWorkload(b)
	ref := benchload.NewReference(w)
	qs := w.Queries
	granted := 0
	n := 0
	for ; b.Loop(); n++ {
		if ref.Allowed(qs[n&(len(qs)-1)]) {
			granted++
		}
	}
	reportChecks(b, n, granted)
}

func reportChecks(b *testing.B, n, granted int) {
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "checks/s")
	b.ReportMetric(float64(granted)/float64(n), "granted/op")
}

// BenchmarkIndexBuild times loading the whole workload into a new index and
// reports the heap the index holds. The id strings are shared with the
// input and counted in neither this nor the reference's figure.
func BenchmarkIndexBuild(b *testing.B) {
	w := benchWorkload(b)
	for b.Loop() {
		index(w)
	}
	b.ReportMetric(heapMiB(&w, func() any { return index(w) }), "MiB-heap") // after the loop, which resets metrics
}

func BenchmarkReferenceBuild(b *testing.B) {
	w := benchWorkload(b)
	for b.Loop() {
		benchload.NewReference(w)
	}
	b.ReportMetric(heapMiB(&w, func() any { return benchload.NewReference(w) }), "MiB-heap") // after the loop, which resets metrics
}

// BenchmarkIndexPut times one organization's reload into a full index, the
// cost of every committed change.
func BenchmarkIndexPut(b *testing.B) {
	w := benchWorkload(b)
	x := index(w)
	a := w.Orgs[0]
	for b.Loop() {
		a.Revision++
		x.Put(a)
	}
}

// heapMiB returns the live heap that build's result holds. The input must
// stay alive throughout, or its collection would be subtracted.
func heapMiB(input any, build func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	v := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(v)
	runtime.KeepAlive(input)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / (1 << 20)
}
