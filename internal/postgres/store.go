// Package postgres is the roster.Store on PostgreSQL through pgx, for
// deployments where several Roster nodes share one database.
//
// Every write transaction is READ COMMITTED. The invariants the domain
// checks inside a transaction (one owner, one billing contact, seats) hold
// because the domain first takes the organization's row lock
// (LockOrganization is SELECT ... FOR UPDATE), so writers of one
// organization queue; single-use tokens and TOTP steps are conditional
// UPDATEs, of which exactly one of many racers changes a row. docs/security.md
// part b measured that weaker guards (count then write, one-statement
// guards) fail under READ COMMITTED.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/roster-dev/roster/internal/roster"
)

// Store is the PostgreSQL store.
type Store struct {
	*queries
	pool  *pgxpool.Pool
	sqlDB *sql.DB // the pool through pgx's stdlib adapter, for internal/sqlcore
}

var (
	_ roster.Store = (*Store)(nil)
	_ roster.Tx    = (*queries)(nil)
)

// querier is what *pgxpool.Pool and pgx.Tx share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// queries implements roster.Queries and roster.Tx on the pool or on a
// transaction (tx is nil on the pool).
type queries struct {
	q       querier
	tx      pgx.Tx
	channel string // the change feed's channel (feed.go)
}

// IsURL reports whether db names a PostgreSQL database rather than a file.
func IsURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// Open connects to the database named by url (postgres://...) and applies
// the migrations; concurrent starters migrate once (migrate.go).
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse database URL: %w", err)
	}
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "roster"
	}
	if !strings.Contains(url, "pool_max_conns") {
		// pgx's default, max(4, CPUs), makes concurrent requests queue for
		// a connection each of their transactions holds.
		cfg.MaxConns = 16
	}
	// A connection that died with the database is found at the next
	// acquire instead of failing the request that gets it.
	cfg.HealthCheckPeriod = 5 * time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	var schema *string // NULL when search_path names no existing schema
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect: %w", err)
	}
	if schema == nil {
		pool.Close()
		return nil, errors.New("connect: the search_path names no existing schema")
	}
	s := &Store{queries: &queries{q: classifying{pool}, channel: feedChannel(*schema)}, pool: pool, sqlDB: stdlib.OpenDBFromPool(pool)}
	if err := s.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Pool exposes the connection pool, for tests and the change feed.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() error {
	err := s.sqlDB.Close()
	s.pool.Close()
	return err
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.q.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// RawExec runs a statement outside the contract, for the conformance suite.
func (s *Store) RawExec(ctx context.Context, query string) error {
	_, err := s.pool.Exec(ctx, query)
	return err
}

// WithTx runs fn in one READ COMMITTED transaction: it commits when fn
// returns nil and rolls back otherwise, returning fn's error unchanged. A
// panic in fn (or runtime.Goexit) rolls back too and goes on unwinding.
// It runs fn again, in a new transaction, when PostgreSQL aborted the
// transaction as a deadlock victim or a serialization failure (40P01,
// 40001): nothing of it was committed, and fn acts only through tx (the
// Store contract), so a retry is safe and the caller sees success rather
// than a 500.
func (s *Store) WithTx(ctx context.Context, fn func(tx roster.Tx) error) error {
	const attempts = 4
	for attempt := 1; ; attempt++ {
		err := s.withTx(ctx, fn)
		if attempt == attempts || !retryable(err) {
			return err
		}
		select { // a short, growing pause, so the winner commits first
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt*attempt) * 5 * time.Millisecond):
		}
	}
}

// retryable reports a deadlock or serialization failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

func (s *Store) withTx(ctx context.Context, fn func(tx roster.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", classify(err))
	}
	committed := false
	defer func() {
		if !committed {
			// Rolled back even when ctx is done: otherwise pgx closes the
			// connection instead of returning it to the pool.
			_ = tx.Rollback(context.WithoutCancel(ctx)) // the error, if any, is fn's or the panic
		}
	}()
	if err := fn(&queries{q: classifying{tx}, tx: tx, channel: s.channel}); err != nil {
		return err
	}
	committed = true // a failed Commit ends the transaction as well
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	return nil
}

// guarded runs one statement that may break a unique constraint. Inside a
// transaction it runs under a savepoint: PostgreSQL aborts the whole
// transaction on an error, while the contract (and SQLite) let the caller
// go on after an ErrConflict.
func (d *queries) guarded(ctx context.Context, fn func(q querier) error) error {
	if d.tx == nil {
		return fn(d.q)
	}
	sp, err := d.tx.Begin(ctx)
	if err != nil {
		return fmt.Errorf("savepoint: %w", classify(err))
	}
	if err := fn(classifying{sp}); err != nil {
		_ = sp.Rollback(context.WithoutCancel(ctx)) // the statement's error is the one to report
		return err
	}
	if err := sp.Commit(ctx); err != nil {
		return fmt.Errorf("release savepoint: %w", classify(err))
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

func nullTS(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	n := ts(*t)
	return &n
}

func fromNullTS(n *int64) *time.Time {
	if n == nil {
		return nil
	}
	t := fromTS(*n)
	return &t
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// strs turns typed IDs into the []string pgx sends as a text[] parameter.
func strs[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// args numbers the parameters of a query built piece by piece.
type args []any

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// notFound wraps roster.ErrNotFound with what was missing.
func notFound(what string, id any) error {
	return fmt.Errorf("%s %v: %w", what, id, roster.ErrNotFound)
}

// isUnique reports whether err is a broken UNIQUE or PRIMARY KEY constraint.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
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

// insert runs an INSERT ... ON CONFLICT DO NOTHING: a taken key is
// ErrConflict without aborting the surrounding transaction.
func (d *queries) insert(ctx context.Context, what, query string, args ...any) error {
	tag, err := d.q.Exec(ctx, query+` ON CONFLICT DO NOTHING`, args...)
	if err != nil {
		return createErr(what, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("create %s: %w", what, roster.ErrConflict)
	}
	return nil
}

// exactlyOne checks that an UPDATE or DELETE touched one row.
func exactlyOne(tag pgconn.CommandTag, err error, what string, id any) error {
	if isUnique(err) {
		return fmt.Errorf("update %s %v: %w (%v)", what, id, roster.ErrConflict, err)
	}
	if err != nil {
		return fmt.Errorf("update %s %v: %w", what, id, err)
	}
	if tag.RowsAffected() == 0 {
		return notFound(what, id)
	}
	return nil
}

// changed reports whether a conditional UPDATE touched a row.
func changed(tag pgconn.CommandTag, err error) (bool, error) {
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// noRows reports whether a QueryRow found nothing.
func noRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// scanner is one row: pgx.Row or pgx.Rows.
type scanner interface{ Scan(...any) error }

// collect runs a query and scans each row with scan; what names the list in
// errors. The result is never nil.
func collect[T any](ctx context.Context, q querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
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
