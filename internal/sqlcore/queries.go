package sqlcore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// Queries implements roster.Queries and roster.Tx, and the outbox's
// marking and counting, on a pool or on a write transaction. A store embeds
// it and adds what differs (the PostgreSQL store's BumpRevision also feeds
// the change feed).
type Queries struct {
	db   conn
	pool *sql.DB // nil inside a transaction
	tx   *sql.Tx // nil on the pool
	d    *Dialect
}

var _ roster.Tx = (*Queries)(nil)

// New returns the queries on the pool db.
func New(db *sql.DB, d *Dialect) *Queries { return &Queries{db: db, pool: db, d: d} }

// NewTx returns the queries inside the write transaction tx.
func NewTx(tx *sql.Tx, d *Dialect) *Queries { return &Queries{db: tx, tx: tx, d: d} }

// InTx reports whether the queries run inside a write transaction.
func (q *Queries) InTx() bool { return q.tx != nil }

// Exec runs a statement written with ? markers; its errors are classified.
func (q *Queries) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := q.db.ExecContext(ctx, q.d.bind(query), args...)
	return res, q.d.classify(err)
}

// Query runs a query written with ? markers; the errors of the query, not
// those of its rows, are classified (Collect classifies both).
func (q *Queries) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := q.db.QueryContext(ctx, q.d.bind(query), args...)
	return rows, q.d.classify(err)
}

// QueryRow runs a query written with ? markers for one row.
func (q *Queries) QueryRow(ctx context.Context, query string, args ...any) Row {
	return Row{q.db.QueryRowContext(ctx, q.d.bind(query), args...), q.d}
}

// Row is a *sql.Row whose Scan errors are classified.
type Row struct {
	row *sql.Row
	d   *Dialect
}

// Scan scans the row; sql.ErrNoRows when there was none.
func (r Row) Scan(dest ...any) error { return r.d.classify(r.row.Scan(dest...)) }

// Scanner is one row: Row or *sql.Rows.
type Scanner interface{ Scan(...any) error }

// Collect runs a query and scans each row with scan; what names the list in
// errors. The result is never nil.
func Collect[T any](ctx context.Context, q *Queries, what string, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", what, q.d.classify(err))
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", what, q.d.classify(err))
	}
	return out, nil
}

// each runs a two-column query and calls fn per row.
func (q *Queries) each(ctx context.Context, query string, args []any, fn func(a, b string)) error {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return q.d.classify(err)
		}
		fn(a, b)
	}
	return q.d.classify(rows.Err())
}

// insert runs an INSERT ... ON CONFLICT DO NOTHING: a taken key is
// ErrConflict without aborting the surrounding transaction (PostgreSQL).
func (q *Queries) insert(ctx context.Context, what, query string, args ...any) error {
	res, err := q.Exec(ctx, query+` ON CONFLICT DO NOTHING`, args...)
	if err != nil {
		return q.createErr(what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("create %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("create %s: %w", what, roster.ErrConflict)
	}
	return nil
}

// guarded runs one statement that may break a unique constraint. Inside a
// transaction of a dialect with Savepoints it runs under a savepoint:
// PostgreSQL aborts the whole transaction on an error, while the contract
// (and SQLite) let the caller go on after an ErrConflict.
func (q *Queries) guarded(ctx context.Context, fn func() error) error {
	if q.tx == nil || !q.d.Savepoints {
		return fn()
	}
	if _, err := q.Exec(ctx, `SAVEPOINT roster_guard`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	if err := fn(); err != nil {
		// The statement's error is the one to report.
		if _, rerr := q.Exec(ctx, `ROLLBACK TO SAVEPOINT roster_guard`); rerr == nil {
			_, _ = q.Exec(ctx, `RELEASE SAVEPOINT roster_guard`)
		}
		return err
	}
	if _, err := q.Exec(ctx, `RELEASE SAVEPOINT roster_guard`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// createErr maps a unique-constraint violation to roster.ErrConflict.
func (q *Queries) createErr(what string, err error) error {
	if err == nil {
		return nil
	}
	if q.d.isUnique(err) {
		return fmt.Errorf("create %s: %w (%v)", what, roster.ErrConflict, err)
	}
	return fmt.Errorf("create %s: %w", what, err)
}

// exactlyOne checks that an UPDATE or DELETE touched one row.
func (q *Queries) exactlyOne(res sql.Result, err error, what string, id any) error {
	if q.d.isUnique(err) {
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

// noRows reports whether a QueryRow found nothing.
func noRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// notFound wraps roster.ErrNotFound with what was missing.
func notFound(what string, id any) error {
	return fmt.Errorf("%s %v: %w", what, id, roster.ErrNotFound)
}

// TS and FromTS store times as UTC unix nanoseconds (BIGINT, INTEGER).
func TS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UTC().UnixNano()
}

// FromTS reads TS's encoding back.
func FromTS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func nullTS(t *time.Time) any {
	if t == nil {
		return nil
	}
	return TS(*t)
}

func fromNullTS(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := FromTS(n.Int64)
	return &t
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// limit is the LIMIT clause of a page of n rows; 0 means no limit.
func limit(n int) string {
	if n > 0 {
		return fmt.Sprintf(" LIMIT %d", n)
	}
	return ""
}
