package sqlcore_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/roster-dev/roster/internal/pgtest"
	"github.com/roster-dev/roster/internal/postgres"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlite"
	"github.com/roster-dev/roster/internal/storetest"
)

// eachStore runs test on a fresh SQLite store and a fresh PostgreSQL
// store, as subtests.
func eachStore(t *testing.T, test func(t *testing.T, s roster.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "roster.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		test(t, s)
	})
	t.Run("postgres", func(t *testing.T) {
		s, err := postgres.Open(t.Context(), pgtest.NewDatabase(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		test(t, s)
	})
}

// TestConcurrentWriters: 50 writers of one organization at once, each
// locking it, counting seats, inserting, auditing and bumping the revision
// while others read, all succeed and none is lost. On SQLite it is
// docs/security.md's "BEGIN IMMEDIATE + busy_timeout: 0 errors" (no
// SQLITE_BUSY); on PostgreSQL the organization's row lock at READ
// COMMITTED.
func TestConcurrentWriters(t *testing.T) {
	eachStore(t, func(t *testing.T, s roster.Store) {
		const writers = 50
		ctx := t.Context()
		o := roster.Organization{ID: roster.NewOrgID(), Name: "busy", Plan: "standard", CreatedAt: storetest.Base}
		if err := s.WithTx(ctx, func(tx roster.Tx) error { return tx.CreateOrganization(ctx, o) }); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range writers {
			wg.Go(func() {
				<-start
				err := s.WithTx(ctx, func(tx roster.Tx) error {
					if _, err := tx.LockOrganization(ctx, o.ID); err != nil {
						return err
					}
					if _, _, err := tx.CountSeats(ctx, o.ID, storetest.Base); err != nil {
						return err
					}
					c := roster.Client{ID: roster.NewClientID(), OrgID: o.ID, Name: fmt.Sprint(i), Status: roster.ClientActive, CreatedAt: storetest.Base}
					if err := tx.CreateClient(ctx, c); err != nil {
						return err
					}
					e := roster.AuditEvent{ID: roster.NewEventID(), OrgID: o.ID, Action: "client.created", TargetType: "client",
						TargetID: string(c.ID), Time: storetest.Base}
					if err := tx.AppendAudit(ctx, e); err != nil {
						return err
					}
					_, err := tx.BumpRevision(ctx, o.ID)
					return err
				})
				if err != nil {
					t.Errorf("writer %d: %v", i, err)
				}
				if _, err := s.ListClients(ctx, o.ID, roster.ClientFilter{Limit: 5}); err != nil { // reads alongside
					t.Errorf("reader %d: %v", i, err)
				}
			})
		}
		close(start)
		wg.Wait()
		acc, err := s.LoadOrgAccess(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		if acc.Revision != writers || len(acc.Clients) != writers {
			t.Errorf("after %d writers: revision %d, %d clients; want %d each", writers, acc.Revision, len(acc.Clients), writers)
		}
	})
}
