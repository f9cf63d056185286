// Package postgres is the roster.Store on PostgreSQL through pgx, for
// deployments where several Roster nodes share one database. Its queries
// are internal/sqlcore's, run over database/sql on the pgx pool (pgx's
// stdlib adapter); native pgx serves the change feed (feed.go).
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
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlcore"
)

// Store is the PostgreSQL store: the shared SQL of internal/sqlcore in
// PostgreSQL's dialect over the pool's database/sql handle (pgx's stdlib
// adapter), with its own opening, pool settings, migration files, retry
// of deadlock victims and change feed (native pgx, feed.go).
type Store struct {
	*sqlcore.Queries
	pool    *pgxpool.Pool
	sqlDB   *sql.DB // the pool through pgx's stdlib adapter
	channel string  // the change feed's channel (feed.go)
}

var (
	_ roster.Store = (*Store)(nil)
	_ roster.Tx    = tx{}
)

// dialect is PostgreSQL's: numbered markers, IN lists as text[]
// parameters, row locks and savepoints in write transactions (READ
// COMMITTED), and errors of an unreachable database classified as such.
var dialect = &sqlcore.Dialect{
	Numbered:      true,
	Arrays:        true,
	LockRows:      true,
	Savepoints:    true,
	ReadTx:        sql.TxOptions{Isolation: sql.LevelRepeatableRead},
	Lower:         "lower",
	StrPos:        "strpos",
	MigrationLock: migrationLock,
	NowSeconds:    "extract(epoch FROM now())::bigint",
	IsUnique:      isUnique,
	Classify:      classify,
}

// tx is a write transaction: the shared queries, whose BumpRevision also
// feeds the change feed.
type tx struct {
	*sqlcore.Queries
	channel string
}

// BumpRevision also takes the next change sequence number and queues a
// notification on the change feed; PostgreSQL delivers it on commit only,
// so other nodes never hear of a change they cannot read yet.
func (t tx) BumpRevision(ctx context.Context, id roster.OrgID) (int64, error) {
	rev, err := t.BumpRevisionSetting(ctx, id, `, change_seq = nextval('organization_changes')`)
	if err != nil {
		return 0, err
	}
	if _, err := t.Exec(ctx, `SELECT pg_notify(?, ?)`, t.channel, feedPayload(id, rev)); err != nil {
		return 0, fmt.Errorf("notify change of %s: %w", id, err)
	}
	return rev, nil
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
	sqlDB := stdlib.OpenDBFromPool(pool)
	s := &Store{Queries: sqlcore.New(sqlDB, dialect), pool: pool, sqlDB: sqlDB, channel: feedChannel(*schema)}
	if err := s.Migrate(ctx); err != nil {
		_ = sqlDB.Close()
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
	return s.QueryRow(ctx, "SELECT 1").Scan(&one)
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
	sqlTx, err := s.sqlDB.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", classify(err))
	}
	committed := false
	defer func() {
		if !committed {
			// Once ctx is done database/sql has rolled back already, and
			// pgx closes the connection rather than returning it.
			_ = sqlTx.Rollback() // the error, if any, is fn's or the panic
		}
	}()
	if err := fn(tx{Queries: sqlcore.NewTx(sqlTx, dialect), channel: s.channel}); err != nil {
		return err
	}
	committed = true // a failed Commit ends the transaction as well
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	return nil
}

// isUnique reports whether err is a broken UNIQUE or PRIMARY KEY constraint.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}
