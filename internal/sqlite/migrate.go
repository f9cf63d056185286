package sqlite

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction, in number order.
func (s *Store) Migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(files)
	if err := s.checkNotNewer(ctx, len(files)); err != nil {
		return err
	}
	for i, f := range files {
		if err := s.applyMigration(ctx, f, i+1); err != nil {
			return err
		}
	}
	return nil
}

// checkNotNewer refuses a database migrated by a newer binary: this one
// does not know that schema. Migration numbers run 1..n without gaps.
func (s *Store) checkNotNewer(ctx context.Context, known int) error {
	var latest int
	if err := s.db.QueryRowContext(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if latest > known {
		return fmt.Errorf("migrate: the database is at schema version %d, this binary knows up to %d", latest, known)
	}
	return nil
}

// applyMigration applies one file, numbered want, unless it is recorded.
func (s *Store) applyMigration(ctx context.Context, file string, want int) error {
	name := strings.TrimPrefix(file, "migrations/")
	version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
	if err != nil || version != want {
		return fmt.Errorf("migration %s: name must start with its number, %04d", name, want)
	}
	body, err := migrations.ReadFile(file)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	var done int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&done); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	if done > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, strftime('%s','now'))`, version); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	return tx.Commit()
}
