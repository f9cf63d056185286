package sqlcore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
)

// Dialect is what differs between the databases for the shared SQL. Each
// store builds its own (internal/sqlite, internal/postgres); the zero value
// of every field is SQLite's behaviour.
type Dialect struct {
	// Numbered markers: PostgreSQL's $1, $2 ... instead of SQLite's ?.
	Numbered bool
	// Arrays: an IN list is one array parameter (column = ANY(?), a
	// []string), rather than one JSON text read back with json_each
	// (SQLite: any length, without the bound-variable limit).
	Arrays bool
	// LockRows: a write transaction locks the rows it reads to write back
	// (PostgreSQL at READ COMMITTED: SELECT ... FOR UPDATE; the
	// organization's row lock serializes its writers). SQLite's BEGIN
	// IMMEDIATE already holds the database's write lock.
	LockRows bool
	// Savepoints: an error aborts the whole transaction (PostgreSQL), so a
	// statement that may break a unique constraint inside a transaction
	// runs under a savepoint, and the caller can go on after ErrConflict
	// as on SQLite.
	Savepoints bool
	// ReadTx are the options of the read transactions that load
	// authorization data in one snapshot (ReadOnly is always set).
	ReadTx sql.TxOptions
	// Lower is the SQL function that lower-cases every script, not only
	// ASCII (SQLite's lower() does only ASCII; the sqlite package
	// registers roster_lower).
	Lower string
	// StrPos is the SQL function (haystack, needle) giving the 1-based
	// position of needle in haystack, 0 when absent: instr or strpos.
	StrPos string
	// MigrationLock, when set, runs first in every migration's transaction
	// (PostgreSQL: an advisory lock, so concurrent starters migrate once).
	MigrationLock string
	// NowSeconds is the SQL expression of the current unix time in seconds.
	NowSeconds string
	// IsUnique reports a broken UNIQUE or PRIMARY KEY constraint.
	IsUnique func(error) bool
	// Classify wraps errors that need a meaning of their own (PostgreSQL:
	// an unreachable database, answered 503); nil leaves errors as they are.
	Classify func(error) error
}

// bind rewrites a query's ? markers for the dialect. The queries of this
// package hold no ? inside string literals.
func (d *Dialect) bind(query string) string {
	if !d.Numbered {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// classify passes err through the dialect's Classify.
func (d *Dialect) classify(err error) error {
	if err == nil || d.Classify == nil {
		return err
	}
	return d.Classify(err)
}

func (d *Dialect) isUnique(err error) bool {
	return err != nil && d.IsUnique != nil && d.IsUnique(err)
}

// in is the SQL for "column is one of values" with its one parameter.
func in[T ~string](d *Dialect, column string, values []T) (string, any) {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	if d.Arrays {
		return column + ` = ANY(?)`, s
	}
	b, _ := json.Marshal(s) // strings always encode
	return column + ` IN (SELECT value FROM json_each(?))`, string(b)
}

// conn is what *sql.DB, *sql.Conn and *sql.Tx share.
type conn interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
