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
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/roster-dev/roster/internal/roster"
)

// Store is the SQLite store.
type Store struct {
	*queries
	db *sql.DB
}

var (
	_ roster.Store = (*Store)(nil)
	_ roster.Tx    = (*queries)(nil)
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries implements roster.Queries and roster.Tx on a pool or a transaction.
type queries struct{ q querier }

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
	s := &Store{queries: &queries{q: db}, db: db}
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
	if err := fn(&queries{q: tx}); err != nil {
		return err
	}
	committed = true // a failed Commit ends the transaction as well
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ts and fromTS store times as UTC unix nanoseconds.
func ts(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UTC().UnixNano()
}

func fromTS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func nullTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func fromNullTS(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromTS(n.Int64)
	return &t
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// notFound wraps roster.ErrNotFound with what was missing.
func notFound(what string, id any) error {
	return fmt.Errorf("%s %v: %w", what, id, roster.ErrNotFound)
}

// isUnique reports whether err is a broken UNIQUE or PRIMARY KEY constraint.
func isUnique(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// createErr maps a unique-constraint violation to roster.ErrConflict.
func createErr(what string, err error) error {
	if err == nil {
		return nil
	}
	if isUnique(err) {
		return fmt.Errorf("create %s: %w (%v)", what, roster.ErrConflict, err)
	}
	return fmt.Errorf("create %s: %w", what, err)
}

// jsonList encodes values as one JSON array parameter, read back in SQL with
// json_each: an IN list of any length without SQLite's bound-variable limit.
func jsonList[T ~string](values []T) string {
	b, _ := json.Marshal(values) // strings always encode
	return string(b)
}

// inList is the SQL for "column is one of the jsonList parameter's values".
const inList = ` IN (SELECT value FROM json_each(?))`

// exactlyOne checks that an UPDATE or DELETE touched one row.
func exactlyOne(res sql.Result, err error, what string, id any) error {
	if isUnique(err) {
		return fmt.Errorf("update %s %v: %w (%v)", what, id, roster.ErrConflict, err)
	}
	if err != nil {
		return fmt.Errorf("update %s %v: %w", what, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update %s %v: %w", what, id, err)
	}
	if n == 0 {
		return notFound(what, id)
	}
	return nil
}

// changed reports whether a conditional UPDATE touched a row.
func changed(res sql.Result, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// scanner is one row: *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// collect runs a query and scans each row with scan; what names the list in
// errors. The result is never nil.
func collect[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	return out, nil
}
