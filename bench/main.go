// Command bench loads one workload into Roster's permission index and into
// three peers (a plain-map evaluator, Casbin, OpenFGA embedded) and prints
// one table: checks per second, latency per check, heap, load time, and the
// ratio of each to the plain map. Every peer's answers are compared with
// Roster's on the workload's queries. See README.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/benchload"
	"github.com/roster-dev/roster/internal/model"
)

type evaluator interface {
	name() string
	load(w *workload) error
	check(q *query) (bool, error)
	close()
}

type result struct {
	name      string
	skipped   string // why it is not in the table
	load      time.Duration
	heap      float64 // bytes
	perSec    float64
	p50, p99  time.Duration
	compared  int
	mismatch  int
	errors    int
	firstFail string
	note      string
	warm      string
}

func main() {
	scale := flag.Int("scale", 1, "organizations = 1,000 × scale (50 members and 200 clients each)")
	queries := flag.Int("queries", 1<<17, "queries in the workload; every fast peer is compared with Roster on all of them")
	duration := flag.Duration("duration", 3*time.Second, "how long each peer's throughput loop runs")
	warmup := flag.Duration("warmup", 15*time.Second, "at most this long, each peer first answers the compared queries once, untimed")
	peers := flag.String("peers", "roster,map,casbin,openfga", "which evaluators to run, in this order (roster always runs first: its answers are the expected ones)")
	fgaQueries := flag.Int("fga-queries", 20000, "queries OpenFGA is compared on and timed on (it is slow)")
	orgs := flag.Int("orgs", 0, "organizations, overriding -scale (for a quick try)")
	fgaBatch := flag.Int("fga-batch", 100, "tuples per OpenFGA Write while loading (100 is OpenFGA's default maximum)")
	flag.Parse()

	m, err := model.Preset("practice")
	if err != nil {
		fatal("practice preset: %v", err)
	}
	if err := benchload.CheckCatalog(m); err != nil {
		fatal("practice preset: %v", err)
	}
	start := time.Now().UTC()
	loadBefore := loadavg()
	if *orgs == 0 {
		*orgs = benchload.Orgs * *scale
	}
	w := newWorkload(m, *orgs, benchload.Members, benchload.Clients, *queries)

	names := strings.Split(*peers, ",")
	if !slices.Contains(names, "roster") {
		names = append([]string{"roster"}, names...)
	}
	var want []bool
	var results []result
	for _, n := range names {
		var e evaluator
		limit := len(w.Queries)
		switch strings.TrimSpace(n) {
		case "roster":
			e = &rosterEval{}
		case "map":
			e = &mapEval{}
		case "casbin":
			e = &casbinEval{}
		case "openfga":
			e = &fgaEval{batch: *fgaBatch}
			limit = min(limit, *fgaQueries)
		default:
			fatal("unknown peer %q (roster, map, casbin, openfga)", n)
		}
		fmt.Fprintf(os.Stderr, "%s: loading...\n", e.name())
		r := measure(e, w, &want, limit, *warmup, *duration)
		fmt.Fprintf(os.Stderr, "%s: %s\n", e.name(), r.summary())
		results = append(results, r)
	}
	report(os.Stdout, w, results, start, loadBefore, loadavg(), *scale)
}

// measure loads e, compares it with want (filling want from the first
// evaluator, Roster), times each check of the comparison, then runs the
// throughput loop.
func measure(e evaluator, w *workload, want *[]bool, limit int, warmup, d time.Duration) result {
	defer e.close()
	r := result{name: e.name()}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	if err := e.load(w); err != nil {
		r.skipped = "load failed: " + err.Error()
		return r
	}
	r.load = time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&after)
	r.heap = float64(after.HeapAlloc) - float64(before.HeapAlloc)
	if f, ok := e.(*fgaEval); ok {
		r.note = fmt.Sprintf("SQLite files %.0f MiB, outside the Go heap", float64(f.dbBytes())/(1<<20))
	}

	// A warm-up pass over the compared queries, cut short after warmup:
	// OpenFGA answers several times slower for some seconds after its load
	// (SQLite's pages are cold). Then the throughput loop, then the
	// comparison pass, whose checks are timed one by one.
	n := 0
	t0 = time.Now()
	var elapsed time.Duration
	for n < limit && elapsed < warmup {
		_, _ = e.check(&w.Queries[n])
		n++
		if n%64 == 0 {
			elapsed = time.Since(t0)
		}
	}
	elapsed = time.Since(t0)
	r.warm = fmt.Sprintf("warm-up %d checks in %v (%s checks/s)", n, elapsed.Round(time.Millisecond), rate(float64(n)/elapsed.Seconds()))
	n, elapsed = 0, 0
	t0 = time.Now()
	for elapsed < d {
		for range 64 {
			_, _ = e.check(&w.Queries[n%limit]) // the answers are compared below
			n++
		}
		elapsed = time.Since(t0)
	}
	r.perSec = float64(n) / elapsed.Seconds()

	first := *want == nil
	if first {
		*want = make([]bool, len(w.Queries))
	}
	lat := make([]time.Duration, limit)
	for i := range limit {
		q := &w.Queries[i]
		t := time.Now()
		ok, err := e.check(q)
		lat[i] = time.Since(t)
		switch {
		case first:
			(*want)[i] = ok
		case err != nil:
			r.errors++
			if r.firstFail == "" {
				r.firstFail = fmt.Sprintf("%+v: %v", *q, err)
			}
		case ok != (*want)[i]:
			r.mismatch++
			if r.firstFail == "" {
				r.firstFail = fmt.Sprintf("%+v: %v, Roster %v", *q, ok, (*want)[i])
			}
		}
	}
	r.compared = limit
	slices.Sort(lat)
	r.p50, r.p99 = lat[len(lat)/2], lat[len(lat)*99/100]
	runtime.KeepAlive(w)
	return r
}

func (r result) summary() string {
	if r.skipped != "" {
		return r.skipped
	}
	s := fmt.Sprintf("load %v, heap %.1f MiB, %.0f checks/s, p50 %v, p99 %v, %d mismatches and %d errors in %d queries",
		r.load.Round(time.Millisecond), mib(r.heap), r.perSec, r.p50, r.p99, r.mismatch, r.errors, r.compared)
	if r.firstFail != "" {
		s += "; first: " + r.firstFail
	}
	return s
}

func mib(n float64) float64 { return n / (1 << 20) }

func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}
