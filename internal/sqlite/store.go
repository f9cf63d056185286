// Package sqlite is the roster.Store on embedded SQLite through the pure-Go
// driver modernc.org/sqlite: one static binary, no cgo.
//
// Every connection runs with WAL, foreign keys on, a 10 s busy timeout and
// synchronous=FULL (WAL with NORMAL can lose the last commits on an OS crash;
// docs/security.md part b). Every write transaction is BEGIN IMMEDIATE, so writers
// queue for the database lock before they read: the invariants the domain
// checks inside a transaction (one owner, seats, single-use tokens) cannot be
// broken by a concurrent writer.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlcore"
)

// Store is the SQLite store: the shared SQL of internal/sqlcore in
// SQLite's dialect, with its own opening, pragmas and migration files.
type Store struct {
	*sqlcore.Queries
	db *sql.DB
}

var _ roster.Store = (*Store)(nil)

// dialect is SQLite's: ? markers, IN lists as JSON read with json_each,
// no row locks (BEGIN IMMEDIATE holds the write lock), no savepoints (a
// failed statement leaves the transaction usable).
var dialect = &sqlcore.Dialect{
	Lower:      "roster_lower",
	StrPos:     "instr",
	NowSeconds: "strftime('%s','now')",
	IsUnique:   isUnique,
}

// Open opens (creating if needed) the database file and applies migrations.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	// Keep every connection open: a new one re-runs the pragmas, and the
	// default of 2 idle connections churns them under concurrent requests.
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s := &Store{Queries: sqlcore.New(db, dialect), db: db}
	if err := s.Migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// dsn is the driver's data source name: a file: URI (the characters URIs
// give a meaning to are escaped in the path) whose _pragma parameters run on
// every new connection, busy_timeout first so that switching to WAL waits
// for a lock instead of failing. _txlock=immediate makes every BeginTx that
// is not read-only a BEGIN IMMEDIATE.
func dsn(path string) string {
	v := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		v.Add("_pragma", p)
	}
	v.Set("_txlock", "immediate")
	return "file:" + uriPath.Replace(path) + "?" + v.Encode()
}

// uriPath escapes what a file: URI path may not hold literally.
var uriPath = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")

// DB exposes the pool, for tests.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the pool.
func (s *Store) Close() error { return s.db.Close() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// RawExec runs a statement outside the contract, for the conformance suite.
func (s *Store) RawExec(ctx context.Context, query string) error {
	_, err := s.db.ExecContext(ctx, query)
	return err
}

// WithTx runs fn in one BEGIN IMMEDIATE transaction: it commits when fn
// returns nil and rolls back otherwise, returning fn's error unchanged. A
// panic in fn (or runtime.Goexit) rolls back too and goes on unwinding.
func (s *Store) WithTx(ctx context.Context, fn func(tx roster.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tx.Rollback() // the error, if any, is fn's or the panic
		}
	}()
	if err := fn(sqlcore.NewTx(tx, dialect)); err != nil {
		return err
	}
	committed = true // a failed Commit ends the transaction as well
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// isUnique reports whether err is a broken UNIQUE or PRIMARY KEY constraint.
func isUnique(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// roster_lower is SQLite's lower() for every script, not only ASCII, so a
// member search matches names like "Ærø" case-insensitively as PostgreSQL
// does.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("roster_lower", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		s, _ := args[0].(string)
		return strings.ToLower(s), nil
	})
}
