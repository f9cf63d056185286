package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/benchload"
	"github.com/roster-dev/roster/internal/roster"
)

// report prints the machine, the workload and one markdown table; the ratio
// columns divide each figure by the plain map's.
func report(out io.Writer, w *workload, results []result, start time.Time, loadBefore, loadAfter string, scale int) {
	members, active := 0, 0
	for _, a := range w.Orgs {
		members += len(a.Members)
		for _, m := range a.Members {
			if m.Status == roster.StatusActive {
				active++
			}
		}
	}
	fmt.Fprintf(out, "date: %s\n", start.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(out, "go: %s %s/%s, GOMAXPROCS %d\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
	fmt.Fprintf(out, "cpu: %s (%d logical)\n", cpuModel(), runtime.NumCPU())
	fmt.Fprintf(out, "load average (1, 5, 15 min): %s at start, %s at end\n", loadBefore, loadAfter)
	fmt.Fprintf(out, "workload: scale %d: %d organizations × %d members (%d active) × %d clients, practice preset; %d queries\n",
		scale, len(w.Orgs), benchload.Members, active, benchload.Clients, len(w.Queries))
	fmt.Fprintf(out, "latency: each check of the comparison pass timed alone (time.Now before and after; an empty pair costs %v here)\n\n", timerCost())

	var ref *result
	for i := range results {
		if strings.HasPrefix(results[i].name, "plain map") && results[i].skipped == "" {
			ref = &results[i]
		}
	}
	ratio := func(v, r float64) string {
		if ref == nil || r == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f", v/r)
	}
	fmt.Fprintln(out, "| evaluator | checks/s | p50 | p99 | heap | load | checks/s ÷ map | p50 ÷ map | p99 ÷ map | heap ÷ map | load ÷ map | answers ≠ Roster |")
	fmt.Fprintln(out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	var notes []string
	for _, r := range results {
		if r.skipped != "" {
			notes = append(notes, r.name+": not measured: "+r.skipped)
			continue
		}
		var rr result
		if ref != nil {
			rr = *ref
		}
		agree := "(expected)"
		if !strings.HasPrefix(r.name, "Roster") {
			agree = fmt.Sprintf("%d of %d", r.mismatch+r.errors, r.compared)
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %.1f MiB | %s | %s | %s | %s | %s | %s | %s |\n",
			r.name, rate(r.perSec), dur(r.p50), dur(r.p99), mib(r.heap), r.load.Round(time.Millisecond),
			ratio(r.perSec, rr.perSec), ratio(float64(r.p50), float64(rr.p50)), ratio(float64(r.p99), float64(rr.p99)),
			ratio(r.heap, rr.heap), ratio(float64(r.load), float64(rr.load)), agree)
		notes = append(notes, r.name+": "+r.warm)
		if r.note != "" {
			notes = append(notes, r.name+": "+r.note)
		}
		if r.firstFail != "" {
			notes = append(notes, fmt.Sprintf("%s: %d mismatches, %d errors; first: %s", r.name, r.mismatch, r.errors, r.firstFail))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(out)
		for _, n := range notes {
			fmt.Fprintln(out, "- "+n)
		}
	}
}

func rate(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1f M", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f k", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func dur(d time.Duration) string {
	switch {
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d >= time.Microsecond:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	}
	return fmt.Sprintf("%d ns", d.Nanoseconds())
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// timerCost is the median of an empty timed section.
func timerCost() time.Duration {
	d := make([]time.Duration, 10001)
	for i := range d {
		t := time.Now()
		d[i] = time.Since(t)
	}
	slices.Sort(d)
	return d[len(d)/2]
}
