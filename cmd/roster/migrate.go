package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/roster-dev/roster/internal/sqlite"
)

// migrate applies the embedded migrations and exits.
func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	def := getenv("ROSTER_DB")
	if def == "" {
		def = "roster.db"
	}
	db := fs.String("db", def, "SQLite file or postgres:// URL (ROSTER_DB)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if strings.HasPrefix(*db, "postgres") {
		fmt.Fprintln(stderr, "roster migrate: the PostgreSQL store is not available in this build yet")
		return 1
	}
	store, err := sqlite.Open(ctx, *db) // Open applies pending migrations
	if err != nil {
		fmt.Fprintln(stderr, "roster migrate:", err)
		return 1
	}
	defer store.Close()
	fmt.Fprintf(stdout, "%s: migrations applied\n", *db)
	return 0
}
