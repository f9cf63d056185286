package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// unavailableError marks an error that says the database cannot be
// reached (refused or dropped connection, server shutting down): the HTTP
// layer answers 503 `unavailable` for it, so writes fail closed, rather
// than 500.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string     { return "database unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() error     { return e.err }
func (e *unavailableError) Unavailable() bool { return true }

// classify wraps the errors of an unreachable database in
// unavailableError and returns every other error unchanged.
func classify(err error) error {
	if err == nil || !unreachable(err) {
		return err
	}
	var u *unavailableError
	if errors.As(err, &u) {
		return err
	}
	return &unavailableError{err: err}
}

func unreachable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08: connection exception; 57P01-57P03: the server is
		// shutting down, crashed or not accepting connections yet;
		// 53300: too many connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03" || pe.Code == "53300"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	// Through database/sql, a connection pgx found closed is
	// driver.ErrBadConn, and one lost under a transaction sql.ErrConnDone.
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, context.DeadlineExceeded) || pgconn.SafeToRetry(err)
}
