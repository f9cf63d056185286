package postgres_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/pgtest"
	"github.com/roster-dev/roster/internal/postgres"
	"github.com/roster-dev/roster/internal/roster"
)

// R2 across nodes: failed logins are counted by reading the throttle row in
// a transaction, adding one and writing it back (recordFailure). At READ
// COMMITTED every concurrent failure must still count (found in review: 20
// became 2 to 6 before GetThrottle locked the row).
func TestThrottleCountsConcurrentFailures(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	const n = 20
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			err := s.WithTx(ctx, func(tx roster.Tx) error {
				st, err := tx.GetThrottle(ctx, "email:a@example.com")
				if err != nil {
					return err
				}
				st.Failures++
				time.Sleep(5 * time.Millisecond)
				return tx.PutThrottle(ctx, st)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	close(start)
	wg.Wait()
	st, _ := s.GetThrottle(ctx, "email:a@example.com")
	if st.Failures != n {
		t.Errorf("%d failed logins recorded as %d failures (lost updates)", n, st.Failures)
	}
}

// A profile edit (GetUser, change the names, UpdateUser of the whole row)
// racing a login that claims a TOTP step must not write the old step back:
// the code could be replayed (docs/security.md item 8). GetUser in a
// transaction locks the row.
func TestUserRowNotOverwrittenByConcurrentWriter(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	u := roster.User{ID: "u1", Email: "a@example.com", PasswordHash: "x", TOTPEnabled: true, TOTPSecret: []byte("s"), TOTPLastStep: 100, CreatedAt: time.Now()}
	if err := s.WithTx(ctx, func(tx roster.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	read := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		err := s.WithTx(ctx, func(tx roster.Tx) error {
			cur, err := tx.GetUser(ctx, "u1")
			if err != nil {
				return err
			}
			close(read)
			time.Sleep(300 * time.Millisecond) // the login's claim commits meanwhile (unless it waits for us)
			cur.FirstName = "New"
			return tx.UpdateUser(ctx, cur)
		})
		if err != nil {
			t.Error(err)
		}
	})
	<-read
	err := s.WithTx(ctx, func(tx roster.Tx) error {
		ok, err := tx.SetTOTPLastStep(ctx, "u1", 100, 101)
		if !ok {
			t.Error("claim failed")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	got, _ := s.GetUser(ctx, "u1")
	if got.TOTPLastStep != 101 {
		t.Errorf("totp_last_step = %d after step 101 was claimed: the profile update wrote the old step back, so the code can be replayed", got.TOTPLastStep)
	}
}

// pg_notify refuses channel names of 64 bytes or more: a long schema name
// must not make every write fail.
func TestLongSchemaName(t *testing.T) {
	db := pgtest.NewDatabase(t)
	schema := "s" + strings.Repeat("x", 50)
	ctx := context.Background()
	admin := open(t, db)
	if err := admin.RawExec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	url := db + "&search_path=" + schema
	if !strings.Contains(db, "?") {
		url = db + "?search_path=" + schema
	}
	s, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	o := roster.Organization{ID: "o1", Name: "x", Plan: "free", OwnerMemberID: "m1", CreatedAt: time.Now()}
	err = s.WithTx(ctx, func(tx roster.Tx) error {
		if err := tx.CreateOrganization(ctx, o); err != nil {
			return err
		}
		_, err := tx.BumpRevision(ctx, "o1")
		return err
	})
	if err != nil {
		t.Errorf("every write fails with schema %q: %v", schema, err)
	}
}

// Two transactions locking two organizations in opposite orders deadlock;
// PostgreSQL aborts one, and WithTx runs it again instead of failing the
// request with a 500.
func TestDeadlockVictimIsRetried(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for _, id := range []roster.OrgID{"org_a", "org_b"} {
		o := roster.Organization{ID: id, Name: "x", Plan: "free", OwnerMemberID: "m", CreatedAt: time.Now()}
		if err := s.WithTx(ctx, func(tx roster.Tx) error { return tx.CreateOrganization(ctx, o) }); err != nil {
			t.Fatal(err)
		}
	}
	var rendezvous, wg sync.WaitGroup
	rendezvous.Add(2)
	var once [2]sync.Once
	var calls atomic.Int32
	errs := make([]error, 2)
	for i, order := range [][]roster.OrgID{{"org_a", "org_b"}, {"org_b", "org_a"}} {
		wg.Go(func() {
			errs[i] = s.WithTx(ctx, func(tx roster.Tx) error {
				calls.Add(1)
				if _, err := tx.BumpRevision(ctx, order[0]); err != nil {
					return err
				}
				once[i].Do(func() { rendezvous.Done(); rendezvous.Wait() }) // both hold their first lock
				_, err := tx.BumpRevision(ctx, order[1])
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	if calls.Load() != 3 {
		t.Fatalf("fn ran %d times, want 3 (one deadlock victim run again)", calls.Load())
	}
	for _, id := range []roster.OrgID{"org_a", "org_b"} {
		if o, err := s.GetOrganization(ctx, id); err != nil || o.Revision != 2 {
			t.Fatalf("%s: revision %d (%v), want 2: both transactions committed once", id, o.Revision, err)
		}
	}
}
