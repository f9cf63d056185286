package apitest

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/password"
)

// docs/security.md item 13: an unknown address and a wrong password take the
// same time, because an unknown address is checked against the hasher's
// dummy hash. The hash is made costly enough (Argon2id m=19 MiB, t=1: tens
// of milliseconds) that skipping the dummy would show as a gap well over
// the 10 ms bar; the two kinds are interleaved, and the gap is the median
// of the differences within each adjacent pair, so that load on the machine
// falls on both alike. A round over the bar is measured again, up to three
// rounds: a skipped dummy is over it in every round (38-55 ms here), while
// a shared runner under -race can push one round over it.
func TestLoginTimingUnknownVsWrongPassword(t *testing.T) {
	params := password.Params{Memory: 19 * 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	e := New(t, "practice", func(o *Options) {
		o.PasswordParams = &params
		o.LoginIPLimit = 1 << 20 // one client address sends all 200 tries
	})
	e.Signup("known@example.com", "Org")
	const pairs, rounds = 100, 3
	var unknownBody []byte
	// e.Do: the bodies of the two kinds are compared byte for byte. Not
	// parallel: timing.
	login := func(email string) (time.Duration, *Resp) {
		start := time.Now()
		r := e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": email, "password": "wrong-password-123456"})
		return time.Since(start), r
	}
	// measure runs the pairs once and returns the median gap within a pair
	// and the medians of each kind.
	measure := func(round int) (gap, mu, mw time.Duration) {
		var unknown, wrong []time.Duration
		for i := range pairs {
			// 2 minutes per pair: 7.5 failures per address in any 15 minutes,
			// under the lock-out's 10.
			e.Clock.Advance(2 * time.Minute)
			kinds := []string{fmt.Sprintf("nobody-%d-%d@example.com", round, i), "known@example.com"}
			if i%2 == 1 {
				slices.Reverse(kinds)
			}
			for _, email := range kinds {
				d, r := login(email)
				if r.Status != http.StatusUnauthorized || r.ErrorCode() != "invalid_credentials" {
					t.Fatalf("try %d, %s: got %d %s, want 401 invalid_credentials", i, email, r.Status, r.Body)
				}
				if unknownBody == nil {
					unknownBody = r.Body
				} else if !bytes.Equal(r.Body, unknownBody) {
					t.Fatalf("try %d: bodies differ: %s and %s", i, r.Body, unknownBody)
				}
				if email == "known@example.com" {
					wrong = append(wrong, d)
				} else {
					unknown = append(unknown, d)
				}
			}
		}
		diffs := make([]time.Duration, pairs)
		for i := range diffs {
			diffs[i] = unknown[i] - wrong[i]
		}
		gap = median(diffs)
		if gap < 0 {
			gap = -gap
		}
		return gap, median(unknown), median(wrong)
	}
	// A skipped dummy hash shows in every round; noise from a loaded machine
	// (other packages' tests under -race) rarely in three running.
	var gap, mu, mw time.Duration
	for round := range rounds {
		gap, mu, mw = measure(round)
		t.Logf("round %d: median unknown address %v, wrong password %v; median gap within a pair %v", round+1, mu, mw, gap)
		if gap < 10*time.Millisecond {
			break
		}
	}
	if gap >= 10*time.Millisecond {
		t.Fatalf("median timing gap within a pair %v between an unknown address (median %v) and a wrong password (median %v) in each of %d rounds, want < 10ms", gap, mu, mw, rounds)
	}
	if mw < 5*time.Millisecond {
		t.Logf("a wrong password took only %v: the hash is too cheap here for the test to tell a skipped dummy", mw)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// docs/security.md item 23, absolute limit: a session used every 20 minutes
// (never idle long enough to end) still ends 12 hours after login; the
// account itself can sign in again. The idle limit is
// TestSessionIdleExpiry.
func TestSessionAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("busy@example.com", "Org")
	me := e.api(a.Token)
	elapsed := time.Duration(0)
	for elapsed+20*time.Minute < 12*time.Hour {
		e.Clock.Advance(20 * time.Minute)
		elapsed += 20 * time.Minute
		if _, err := me.Me(bg); err != nil {
			t.Fatalf("session in use, %v after login: got %v, want 200", elapsed, err)
		}
	}
	e.Clock.Advance(12*time.Hour - elapsed + time.Minute) // 12h01m after login, 21 minutes after the last use
	if _, err := me.Me(bg); !isErr(err, 401, "unauthenticated") {
		t.Fatalf("12h01m after login: got %v, want 401 unauthenticated", err)
	}
	must(e.api(e.Login("busy@example.com")).Me(bg))(t)
}
