// Package pgtest gives tests a fresh PostgreSQL database of their own.
//
// The server is the one named by ROSTER_TEST_PG (default
// postgres://postgres@127.0.0.1:5432/postgres). When it cannot be reached
// the test is skipped with a message saying so, unless CI=true: there a
// PostgreSQL that is missing fails the test, so that a CI run can never
// pass with the PostgreSQL half of the suite silently skipped.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultServer is the server tests use when ROSTER_TEST_PG is unset.
const DefaultServer = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// ServerURL is the maintenance database URL tests create databases through.
func ServerURL() string {
	if u := os.Getenv("ROSTER_TEST_PG"); u != "" {
		return u
	}
	return DefaultServer
}

// Required reports whether PostgreSQL tests must run (CI=true).
func Required() bool { return os.Getenv("CI") == "true" }

// Available reports whether the server answers, with the error if not.
func Available(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, ServerURL())
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

// Skip skips t when PostgreSQL is unreachable, or fails it under CI=true.
func Skip(t testing.TB) {
	t.Helper()
	if err := Available(context.Background()); err != nil {
		if Required() {
			t.Fatalf("PostgreSQL at %s is unreachable and CI=true requires it: %v", redact(ServerURL()), err)
		}
		t.Skipf("PostgreSQL at %s is unreachable, skipping (set CI=true to make this a failure): %v", redact(ServerURL()), err)
	}
}

// NewDatabase creates an empty database roster_test_<random>, dropped (with
// FORCE, ending any connection left open) when t ends, and returns its URL.
// It skips or fails t as Skip does when the server is unreachable.
func NewDatabase(t testing.TB) string {
	t.Helper()
	Skip(t)
	url, drop, err := CreateDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return url
}

// CreateDatabase creates an empty database roster_test_<random> and returns
// its URL and the function that drops it, for a TestMain that shares one
// database among its tests (each in its own schema, NewSchema).
func CreateDatabase(ctx context.Context) (url string, drop func() error, err error) {
	name := "roster_test_" + randomSuffix()
	if err := exec(ctx, ServerURL(), "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop = func() error {
		if err := exec(context.Background(), ServerURL(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	return DatabaseURL(name), drop, nil
}

// NewSchema returns the URL of a schema of its own in the database at dbURL
// (its connections use it through search_path): empty, or holding Roster's
// migrated tables with no rows. When t ends the schema's rows are deleted
// and the schema goes back to a free list, for the next test on dbURL; the
// schemas go with their database.
//
// Why: CREATE DATABASE costs about 0.4 s here (it copies and syncs a
// template), a schema and Roster's migrations about 0.25 s, deleting the
// rows of a used schema about 0.02 s. Roster keeps every object, its
// migration lock and its change feed channel per schema, so schemas isolate
// tests as databases would.
func NewSchema(t testing.TB, dbURL string) string {
	t.Helper()
	name, ok := free.take(dbURL)
	if !ok {
		name = "roster_test_" + randomSuffix()
		if err := exec(context.Background(), dbURL, "CREATE SCHEMA "+name); err != nil {
			t.Fatalf("create schema %s: %v", name, err)
		}
	}
	t.Cleanup(func() {
		if err := emptySchema(context.Background(), dbURL, name); err != nil {
			t.Errorf("empty schema %s: %v", name, err)
			return
		}
		free.put(dbURL, name)
	})
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("database URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// freeSchemas holds emptied schemas per database URL. It is the one piece
// of process-wide state here: a cache, which only makes tests faster.
type freeSchemas struct {
	mu    sync.Mutex
	byURL map[string][]string
}

var free = &freeSchemas{byURL: map[string][]string{}}

func (f *freeSchemas) take(dbURL string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	list := f.byURL[dbURL]
	if len(list) == 0 {
		return "", false
	}
	f.byURL[dbURL] = list[:len(list)-1]
	return list[len(list)-1], true
}

func (f *freeSchemas) put(dbURL, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.byURL[dbURL] = append(f.byURL[dbURL], name)
}

// emptySchema deletes every row of every table of schema but the migration
// record, in one transaction. session_replication_role = replica (a
// superuser setting, fine for a test server) switches triggers off for this
// session only: the append-only audit log's, and the foreign keys', so the
// order of the tables does not matter.
func emptySchema(ctx context.Context, dbURL, schema string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = $1 AND tablename <> 'schema_migrations'`, schema)
		if err != nil {
			return err
		}
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, table := range tables {
			if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{schema, table}.Sanitize()); err != nil {
				return err
			}
		}
		return nil
	})
}

// DatabaseURL is ServerURL with its database replaced by name.
func DatabaseURL(name string) string {
	u, err := url.Parse(ServerURL())
	if err != nil {
		panic(fmt.Sprintf("ROSTER_TEST_PG: %v", err)) // a broken test setting, not a test failure
	}
	u.Path = "/" + name
	return u.String()
}

// exec runs one statement on the database at dbURL.
func exec(ctx context.Context, dbURL, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	_, err = conn.Exec(ctx, sql)
	return err
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// redact hides a password in a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
