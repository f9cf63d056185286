package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"testing"

	"github.com/roster-dev/roster/internal/pgtest"
	"github.com/roster-dev/roster/internal/postgres"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/storetest"
)

// open opens a store on a fresh database, closed when t ends.
func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newStore(t *testing.T) *postgres.Store { return open(t, pgtest.NewDatabase(t)) }

// TestConformance runs the suite with a schema per subtest in one
// database (pgtest.NewSchema: a tenth of the time of a database each).
func TestConformance(t *testing.T) {
	db := pgtest.NewDatabase(t)
	storetest.Run(t, func(t *testing.T) roster.Store { return open(t, pgtest.NewSchema(t, db)) })
}

// TestConcurrentMigrationsApplyOnce is docs/security.md R8: nodes starting
// together on an empty database all start, and each migration is applied
// once (a second application would fail on CREATE TABLE, or record its
// version twice).
func TestConcurrentMigrationsApplyOnce(t *testing.T) {
	url := pgtest.NewDatabase(t)
	const nodes = 4
	var wg sync.WaitGroup
	errs := make([]error, nodes)
	start := make(chan struct{})
	for i := range nodes {
		wg.Go(func() {
			<-start
			s, err := postgres.Open(t.Context(), url)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: Open: %v", i, err)
		}
	}
	s := open(t, url)
	var versions string
	var rows int
	err := s.Pool().QueryRow(t.Context(), `SELECT string_agg(version::text, ',' ORDER BY version), count(*) FROM schema_migrations`).Scan(&versions, &rows)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	var want []string
	for i := range files {
		want = append(want, fmt.Sprint(i+1))
	}
	if versions != strings.Join(want, ",") || rows != len(files) {
		t.Errorf("schema_migrations: versions %q in %d rows, want %q in %d", versions, rows, strings.Join(want, ","), len(files))
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	ctx := t.Context()
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	u := roster.User{ID: roster.NewUserID(), Email: "kept@example.com", PasswordHash: "x", CreatedAt: storetest.Base}
	if err := s.WithTx(ctx, func(tx roster.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Errorf("Migrate again: %v", err)
	}
	again := open(t, url)
	if _, err := again.GetUser(ctx, u.ID); err != nil {
		t.Errorf("GetUser after re-open: %v", err)
	}
}

func TestRefusesANewerSchema(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	if _, err := s.Pool().Exec(t.Context(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	if s, err := postgres.Open(t.Context(), url); err == nil {
		s.Close()
		t.Errorf("Open of a database at a newer schema version: got nil error, want one")
	}
}

// TestLockOrganizationSerializesWriters: a second writer's
// LockOrganization waits until the first transaction ends, and then reads
// what it committed (docs/security.md: "SELECT org ... FOR UPDATE, then check"
// is the guard that held).
func TestLockOrganizationSerializesWriters(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	o := createOrg(t, s)
	locked, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.WithTx(ctx, func(tx roster.Tx) error {
			if _, err := tx.LockOrganization(ctx, o.ID); err != nil {
				return err
			}
			close(locked)
			<-release
			o2 := o
			o2.Name = "renamed by the first writer"
			return tx.UpdateOrganization(ctx, o2)
		})
	}()
	<-locked
	var second atomic.Bool
	secondDone := make(chan error, 1)
	go func() {
		secondDone <- s.WithTx(ctx, func(tx roster.Tx) error {
			got, err := tx.LockOrganization(ctx, o.ID)
			second.Store(true)
			if err == nil && got.Name != "renamed by the first writer" {
				err = fmt.Errorf("second writer read name %q after the lock, want the first writer's", got.Name)
			}
			return err
		})
	}()
	time.Sleep(200 * time.Millisecond)
	if second.Load() {
		t.Fatal("a second writer got the organization's lock while the first held it")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first writer: %v", err)
	}
	if err := <-secondDone; err != nil {
		t.Errorf("second writer: %v", err)
	}
}

// TestTransactionGoesOnAfterConflict: PostgreSQL aborts a transaction on
// any error, but the contract lets a caller handle an ErrConflict and go
// on (as SQLite does); inserts use ON CONFLICT DO NOTHING and unique-key
// updates a savepoint, so the rest of the transaction commits.
func TestTransactionGoesOnAfterConflict(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	a := roster.User{ID: roster.NewUserID(), Email: "a@example.com", PasswordHash: "x", CreatedAt: storetest.Base}
	b := roster.User{ID: roster.NewUserID(), Email: "b@example.com", PasswordHash: "x", CreatedAt: storetest.Base}
	c := roster.User{ID: roster.NewUserID(), Email: "c@example.com", PasswordHash: "x", CreatedAt: storetest.Base}
	err := s.WithTx(ctx, func(tx roster.Tx) error {
		if err := tx.CreateUser(ctx, a); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, b); err != nil {
			return err
		}
		dup := c
		dup.Email = "A@Example.com"
		if err := tx.CreateUser(ctx, dup); !errors.Is(err, roster.ErrConflict) {
			return fmt.Errorf("CreateUser with a taken address: got %v, want ErrConflict", err)
		}
		moved := b
		moved.Email = "a@example.com"
		if err := tx.UpdateUser(ctx, moved); !errors.Is(err, roster.ErrConflict) {
			return fmt.Errorf("UpdateUser to a taken address: got %v, want ErrConflict", err)
		}
		return tx.CreateUser(ctx, c)
	})
	if err != nil {
		t.Fatalf("WithTx: %v", err)
	}
	for _, u := range []roster.User{a, b, c} {
		got, err := s.GetUser(ctx, u.ID)
		if err != nil || got.Email != u.Email {
			t.Errorf("GetUser(%s): got %q (%v), want %q", u.ID, got.Email, err, u.Email)
		}
	}
}

// TestNotificationOnCommitOnly: the change feed hears of a revision bump
// when its transaction commits, and never of one rolled back.
func TestNotificationOnCommitOnly(t *testing.T) {
	url := pgtest.NewDatabase(t)
	s := open(t, url)
	ctx := t.Context()
	o := createOrg(t, s)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{s.Channel()}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	errRollback := errors.New("roll back")
	err = s.WithTx(ctx, func(tx roster.Tx) error {
		if _, err := tx.BumpRevision(ctx, o.ID); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("WithTx: %v", err)
	}
	if err := s.WithTx(ctx, func(tx roster.Tx) error { _, err := tx.BumpRevision(ctx, o.ID); return err }); err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := conn.WaitForNotification(wait)
	if err != nil {
		t.Fatalf("WaitForNotification: %v", err)
	}
	if want := string(o.ID) + " 1"; n.Payload != want {
		t.Errorf("notification payload %q, want %q (the rolled-back bump must not be heard, nor take revision 1)", n.Payload, want)
	}
}

func createOrg(t *testing.T, s *postgres.Store) roster.Organization {
	t.Helper()
	o := roster.Organization{ID: roster.NewOrgID(), Name: "org", Plan: "standard", CreatedAt: storetest.Base}
	if err := s.WithTx(t.Context(), func(tx roster.Tx) error { return tx.CreateOrganization(t.Context(), o) }); err != nil {
		t.Fatal(err)
	}
	return o
}
