package storetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var concurrencyCases = []testCase{
	{"InvitationSingleUseUnderConcurrency", testInvitationRace},
	{"TOTPStepUnderConcurrency", testTOTPRace},
	{"OutboxClaimsUnderConcurrency", testClaimRace},
	{"RevisionUnderConcurrency", testRevisionRace},
}

// racers is how many goroutines each concurrency test starts at once.
const racers = 20

// race runs fn in racers goroutines released together.
func race(fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

var errUsed = errors.New("invitation already used")

// testInvitationRace is docs/security.md R3 and item 17: of many acceptances of
// one token, each in its own transaction reading the invitation first,
// exactly one succeeds and exactly one membership results.
func testInvitationRace(t *testing.T, f *fixture) {
	o := f.org()
	for trial := range 5 {
		m := f.member(o.ID, roster.Member{Status: roster.StatusInvited})
		inv := f.invitation(o.ID, m.ID, roster.InvitationPending, at(time.Hour))
		var wins atomic.Int32
		race(func(i int) {
			err := f.s.WithTx(f.ctx, func(tx roster.Tx) error {
				got, err := tx.GetInvitationByTokenHash(f.ctx, inv.TokenHash)
				if err != nil {
					return err
				}
				if got.State != roster.InvitationPending {
					return errUsed
				}
				ok, err := tx.SetInvitationState(f.ctx, got.ID, roster.InvitationPending, roster.InvitationAccepted)
				if err != nil || !ok {
					return errors.Join(err, errUsed)
				}
				joined := m
				joined.Status, joined.Accepted = roster.StatusActive, true
				return tx.UpdateMember(f.ctx, joined)
			})
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, errUsed):
				t.Errorf("trial %d, racer %d: %v", trial, i, err)
			}
		})
		if n := wins.Load(); n != 1 {
			t.Errorf("trial %d: %d acceptances of one invitation succeeded, want 1", trial, n)
		}
		got, err := f.s.GetInvitationByTokenHash(f.ctx, inv.TokenHash)
		if err != nil || got.State != roster.InvitationAccepted {
			t.Errorf("trial %d: invitation state %s (%v), want accepted", trial, got.State, err)
		}
	}
}

// testTOTPRace is docs/security.md item 19: one TOTP step is accepted once.
func testTOTPRace(t *testing.T, f *fixture) {
	u := f.user("totp@example.com")
	var wins atomic.Int32
	race(func(i int) {
		err := f.s.WithTx(f.ctx, func(tx roster.Tx) error {
			ok, err := tx.SetTOTPLastStep(f.ctx, u.ID, 0, 1000+int64(i))
			if ok {
				wins.Add(1)
			}
			return err
		})
		if err != nil {
			t.Errorf("racer %d: %v", i, err)
		}
	})
	if n := wins.Load(); n != 1 {
		t.Errorf("SetTOTPLastStep from the same step: %d winners, want 1", n)
	}
}

// testClaimRace: concurrent claimers never get the same email.
func testClaimRace(t *testing.T, f *fixture) {
	const total = 45
	var es []roster.Email
	for i := range total {
		es = append(es, emailAt(i, at(time.Duration(i)*time.Millisecond)))
	}
	f.enqueue(es...)
	var mu sync.Mutex
	claimed := map[string]int{}
	race(func(i int) {
		got, err := f.s.ClaimEmails(f.ctx, at(time.Second), time.Hour, 3)
		if err != nil {
			t.Errorf("racer %d: ClaimEmails: %v", i, err)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, e := range got {
			claimed[e.ID]++
		}
	})
	if len(claimed) != min(total, 3*racers) {
		t.Errorf("concurrent claims: got %d distinct emails, want %d", len(claimed), min(total, 3*racers))
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("email %s claimed %d times, want once", id, n)
		}
	}
}

// testRevisionRace: concurrent read-modify-write transactions lose nothing.
func testRevisionRace(t *testing.T, f *fixture) {
	o := f.org()
	race(func(i int) {
		err := f.s.WithTx(f.ctx, func(tx roster.Tx) error {
			org, err := tx.LockOrganization(f.ctx, o.ID)
			if err != nil {
				return err
			}
			org.Name = fmt.Sprintf("%s+", org.Name) // read, then write what was read
			if err := tx.UpdateOrganization(f.ctx, org); err != nil {
				return err
			}
			_, err = tx.BumpRevision(f.ctx, o.ID)
			return err
		})
		if err != nil {
			t.Errorf("racer %d: %v", i, err)
		}
	})
	got, err := f.s.GetOrganization(f.ctx, o.ID)
	noErr(t, "GetOrganization", err)
	if got.Revision != racers || len(got.Name) != len(o.Name)+racers {
		t.Errorf("after %d concurrent changes: revision %d, name %q; want %d and %d '+' added", racers, got.Revision, got.Name, racers, racers)
	}
}
