package postgres

import (
	"testing"
	"time"
)

// TestCursorFloorTrails: the catch-up poll's floor stays at least one
// Lookback behind the newest change number seen, so a transaction that took
// its number before a later one committed is still read; and it does move,
// so the poll reads only recent changes.
func TestCursorFloorTrails(t *testing.T) {
	const lookback = 10 * time.Second
	t0 := time.Unix(1000, 0)
	c := &cursor{}
	steps := []struct {
		at        time.Duration
		newest    int64
		wantFloor int64
	}{
		{0, 5, 0},                 // the first polls read everything
		{5 * time.Second, 9, 0},   // not a Lookback yet
		{10 * time.Second, 12, 5}, // the floor takes what was newest a Lookback ago
		{15 * time.Second, 20, 5}, // and stays until the next Lookback
		{20 * time.Second, 25, 12},
		{31 * time.Second, 30, 25},
	}
	for _, s := range steps {
		c.advance(s.newest, t0.Add(s.at), lookback)
		if c.floor != s.wantFloor {
			t.Errorf("at %v after newest %d: floor %d, want %d", s.at, s.newest, c.floor, s.wantFloor)
		}
		if c.floor > c.newest {
			t.Errorf("at %v: floor %d above the newest number seen %d", s.at, c.floor, c.newest)
		}
	}
}

func TestFeedPayload(t *testing.T) {
	org, rev, err := parseFeedPayload(feedPayload("org_abc", 42))
	if err != nil || org != "org_abc" || rev != 42 {
		t.Errorf("round trip: got %q %d %v", org, rev, err)
	}
	for _, bad := range []string{"", "org_abc", " 42", "org_abc x"} {
		if _, _, err := parseFeedPayload(bad); err == nil {
			t.Errorf("parseFeedPayload(%q): got nil error", bad)
		}
	}
}

// TestCursorComparesAllOncePerMinute: the first poll and one a minute
// after read from zero; the others from the floor.
func TestCursorComparesAllOncePerMinute(t *testing.T) {
	t0 := time.Unix(1000, 0)
	c := &cursor{floor: 7}
	for _, s := range []struct {
		at   time.Duration
		want int64
	}{{0, 0}, {time.Second, 7}, {59 * time.Second, 7}, {60 * time.Second, 0}, {61 * time.Second, 7}} {
		if got := c.from(t0.Add(s.at)); got != s.want {
			t.Errorf("at %v: reads above %d, want %d", s.at, got, s.want)
		}
	}
}

// TestFeedThresholds: by default a node is stale 1 s after the start of
// its last successful catch-up poll (rule R7), and the poll runs at most
// every StaleAfter/2, so a healthy node never reaches the bound.
func TestFeedThresholds(t *testing.T) {
	f := NewFeed(nil, FeedTarget{}, FeedOptions{})
	if f.opt.StaleAfter != time.Second || f.opt.Poll != 500*time.Millisecond {
		t.Errorf("defaults: StaleAfter %v, Poll %v; want 1s, 500ms", f.opt.StaleAfter, f.opt.Poll)
	}
	if err := f.Fresh(); err != nil {
		t.Errorf("fresh from the load before it: %v", err)
	}
	f.caughtUp.Store(f.since() - int64(1100*time.Millisecond))
	if err := f.Fresh(); err != ErrStale {
		t.Errorf("1.1 s after the last successful poll started: %v, want ErrStale", err)
	}
	if g := NewFeed(nil, FeedTarget{}, FeedOptions{Poll: 2 * time.Second}); g.opt.Poll != 500*time.Millisecond {
		t.Errorf("Poll 2s with StaleAfter 1s: polls every %v, want 500ms", g.opt.Poll)
	}
}

// TestCursorRetriesFailedFullCompare: a full comparison whose poll failed
// is made again at the next poll, not a minute later.
func TestCursorRetriesFailedFullCompare(t *testing.T) {
	t0 := time.Unix(1000, 0)
	c := &cursor{floor: 7, comparedAt: t0}
	from := c.from(t0.Add(time.Minute))
	if from != 0 {
		t.Fatalf("a minute on: reads above %d, want 0", from)
	}
	c.failed(from)
	if got := c.from(t0.Add(time.Minute + time.Second)); got != 0 {
		t.Errorf("after the full comparison failed: reads above %d, want 0", got)
	}
	c.failed(7) // a failed ordinary poll changes nothing
	if got := c.from(t0.Add(time.Minute + 2*time.Second)); got != 7 {
		t.Errorf("after an ordinary poll failed: reads above %d, want 7", got)
	}
}
