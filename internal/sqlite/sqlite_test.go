package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // the driver, for the second handle of TestWriteTxIsImmediate

	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlite"
	"github.com/roster-dev/roster/internal/storetest"
)

// open opens a store on a file in t's temporary directory, never :memory:
// (an in-memory database proves nothing about locking).
func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newStore(t *testing.T) *sqlite.Store {
	return open(t, filepath.Join(t.TempDir(), "roster.db"))
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) roster.Store { return newStore(t) })
}

func TestMigrationsAreIdempotent(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "roster.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	u := roster.User{ID: roster.NewUserID(), Email: "kept@example.com", PasswordHash: "x", CreatedAt: storetest.Base}
	if err := s.WithTx(ctx, func(tx roster.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	versions := migrationVersions(t, s.DB())
	if err := s.Migrate(ctx); err != nil {
		t.Errorf("Migrate again: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	s = open(t, path) // re-open: nothing to apply, nothing lost
	if got := migrationVersions(t, s.DB()); got != versions {
		t.Errorf("schema_migrations after re-open: got %q, want %q", got, versions)
	}
	files, err := filepath.Glob("migrations/*.sql")
	var want []string
	for i := range files {
		want = append(want, fmt.Sprint(i+1))
	}
	if err != nil || versions != strings.Join(want, ",") {
		t.Errorf("schema_migrations: got versions %q, want %q (%v)", versions, strings.Join(want, ","), err)
	}
	if _, err := s.GetUser(ctx, u.ID); err != nil {
		t.Errorf("GetUser after re-open: %v", err)
	}
}

func migrationVersions(t *testing.T, db *sql.DB) string {
	t.Helper()
	var v sql.NullString
	if err := db.QueryRow(`SELECT group_concat(version, ',') FROM (SELECT version FROM schema_migrations ORDER BY version)`).Scan(&v); err != nil {
		t.Fatalf("schema_migrations: %v", err)
	}
	return v.String
}

func TestRefusesANewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roster.db")
	s := open(t, path)
	if _, err := s.DB().Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := sqlite.Open(t.Context(), path); err == nil {
		s.Close()
		t.Errorf("Open of a database at a newer schema version: got nil error, want one")
	}
}

// TestPragmas checks the settings on several pooled connections at once,
// so that each of them, not only the first, ran the DSN's pragmas.
func TestPragmas(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	want := map[string]string{"journal_mode": "wal", "foreign_keys": "1", "synchronous": "2", "busy_timeout": "10000"}
	var conns []*sql.Conn
	for range 3 {
		c, err := s.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	for i, c := range conns {
		for pragma, w := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", pragma, err)
			}
			if got != w {
				t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, pragma, got, w)
			}
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

// TestWriteTxIsImmediate: WithTx takes the write lock at BEGIN, before fn
// runs a statement, so a writer that read first cannot be overtaken.
func TestWriteTxIsImmediate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "roster.db")
	s := open(t, path)
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	err = s.WithTx(t.Context(), func(roster.Tx) error {
		_, err := other.Exec(`BEGIN IMMEDIATE`)
		if err == nil {
			other.Exec(`ROLLBACK`) //nolint:errcheck // undo the unexpected success
			return errors.New("a second writer got the lock while a WithTx was open, want SQLITE_BUSY")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// TestPathWithURICharacters: a path is a path, even with characters a
// file: URI gives a meaning to.
func TestPathWithURICharacters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a #b ?c %41")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "roster.db")
	s := open(t, path)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("database file: %v", err)
	}
}

func TestOpenFailsOnAMissingDirectory(t *testing.T) {
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "missing", "roster.db"))
	if err == nil {
		s.Close()
		t.Errorf("Open in a missing directory: got nil error, want one")
	}
}
