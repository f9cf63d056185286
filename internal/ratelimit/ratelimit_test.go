package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// fixed is a limiter whose every call uses one limit per hour, as the
// service's rules do.
type fixed struct {
	*Limiter
	limit int
}

func newFixed(limit int, now func() time.Time) fixed { return fixed{New(now), limit} }

func (f fixed) allow(key string) (bool, time.Duration) { return f.Allow(key, f.limit, time.Hour) }

// A flood of fresh keys past the cap must not reset anyone's limit: the
// limiter used to wipe every counter once it held 100k keys, so an address
// that was refused could flood from others and sign up again.
func TestLimiterFloodKeepsLimitedKeysLimited(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	l := newFixed(3, c.now)
	for range 3 {
		if ok, _ := l.allow("attacker"); !ok {
			t.Fatal("refused within the limit")
		}
	}
	if ok, _ := l.allow("attacker"); ok {
		t.Fatal("4th event allowed with a limit of 3")
	}
	c.t = c.t.Add(time.Minute)
	for i := range MaxKeys + 5000 {
		l.allow(fmt.Sprintf("flood-%d", i))
	}
	if n := len(l.counts); n > MaxKeys {
		t.Errorf("the limiter holds %d keys, want at most %d", n, MaxKeys)
	}
	if ok, wait := l.allow("attacker"); ok || wait <= 0 {
		t.Fatalf("after %d fresh keys the limited key was allowed again (ok=%v wait=%v)", MaxKeys+5000, ok, wait)
	}
	// Still bounded when every key is at its limit: the oldest goes.
	for i := range 10 {
		k := fmt.Sprintf("late-%d", i)
		for range 3 {
			l.allow(k)
		}
	}
	if n := len(l.counts); n > MaxKeys {
		t.Errorf("the limiter holds %d keys, want at most %d", n, MaxKeys)
	}
	// Its window over, the key counts afresh.
	c.t = c.t.Add(time.Hour)
	if ok, _ := l.allow("attacker"); !ok {
		t.Fatal("refused after its window ended")
	}
}

// Expired keys are evicted before live ones, the oldest live one under its
// limit before the limited ones.
func TestLimiterEvictionOrder(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	l := newFixed(2, c.now)
	l.maxKeys = 4
	l.allow("old") // expires first
	c.t = c.t.Add(30 * time.Minute)
	l.allow("limited")
	l.allow("limited")
	l.allow("counting-a")
	l.allow("counting-b")
	c.t = c.t.Add(31 * time.Minute) // "old" expired, the rest live
	l.allow("new-1")
	if _, ok := l.counts["old"]; ok {
		t.Error("the expired key was kept")
	}
	if len(l.counts) != 4 {
		t.Errorf("holds %d keys, want 4", len(l.counts))
	}
	l.allow("new-2") // full: the oldest under its limit goes
	if _, ok := l.counts["counting-a"]; ok {
		t.Error("the oldest counting key was kept")
	}
	if ok, _ := l.allow("limited"); ok {
		t.Error("the limited key was evicted before a counting one")
	}
	if _, ok := l.counts["counting-b"]; !ok {
		t.Error("a younger counting key was evicted")
	}
}

func TestLimiterNegativeLimitAllowsAll(t *testing.T) {
	l := newFixed(-1, time.Now)
	for range 100 {
		if ok, _ := l.allow("k"); !ok {
			t.Fatal("refused with no limit")
		}
	}
	if len(l.counts) != 0 {
		t.Errorf("counted %d keys with no limit", len(l.counts))
	}
}

// One limiter serves several rules: each call names its limit and window,
// and keys count apart.
func TestLimiterLimitsPerCall(t *testing.T) {
	c := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	l := New(c.now)
	for range 2 {
		if ok, _ := l.Allow("signup|a", 2, time.Hour); !ok {
			t.Fatal("refused within the limit")
		}
	}
	if ok, wait := l.Allow("signup|a", 2, time.Hour); ok || wait != time.Hour {
		t.Fatalf("3rd with a limit of 2: ok=%v wait=%v, want refused for 1h", ok, wait)
	}
	for range 5 {
		if ok, _ := l.Allow("invite|a", 5, time.Minute); !ok {
			t.Fatal("another rule's key was refused")
		}
	}
	if ok, _ := l.Allow("invite|a", 5, time.Minute); ok {
		t.Fatal("6th with a limit of 5 allowed")
	}
	c.t = c.t.Add(time.Minute)
	if ok, _ := l.Allow("invite|a", 5, time.Minute); !ok {
		t.Fatal("refused after its one-minute window")
	}
	if ok, wait := l.Allow("signup|a", 2, time.Hour); ok || wait != 59*time.Minute {
		t.Fatalf("the hour's key: ok=%v wait=%v, want refused for 59m", ok, wait)
	}
}
