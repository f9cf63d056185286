package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"

	"github.com/roster-dev/roster/internal/postgres"
	"github.com/roster-dev/roster/internal/sqlite"
)

// migrate applies the embedded migrations and exits.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	def := getenv("ROSTER_DB")
	if def == "" {
		def = "roster.db"
	}
	db := fs.String("db", def, "SQLite file or postgres:// URL (ROSTER_DB)")
	if err := fs.Parse(args); helpRequested(err, stdout) {
		return 0
	} else if err != nil {
		fmt.Fprintln(stderr, "roster migrate:", err)
		return 2
	}
	// Open applies pending migrations; with PostgreSQL under an advisory
	// lock, so running this while nodes start is safe.
	name, err := migrateDB(ctx, *db)
	if err != nil {
		fmt.Fprintln(stderr, "roster migrate:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: migrations applied\n", name)
	return 0
}

// migrateDB opens (so migrates) and closes the database, returning its
// name for the report, without a PostgreSQL URL's password.
func migrateDB(ctx context.Context, db string) (string, error) {
	if postgres.IsURL(db) {
		u, err := url.Parse(db)
		if err != nil {
			return "", fmt.Errorf("database URL: %w", err)
		}
		s, err := postgres.Open(ctx, db)
		if err != nil {
			return "", err
		}
		return u.Redacted(), s.Close()
	}
	s, err := sqlite.Open(ctx, db)
	if err != nil {
		return "", err
	}
	return db, s.Close()
}
