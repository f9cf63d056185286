package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrateLock is the advisory lock every migrator takes, with the schema's
// hash as the lock's second key: nodes that start together on an empty
// database queue on it, and the first applies each migration while the
// others find it recorded. Advisory locks are per database, so databases
// (and schemas) do not wait for each other.
const migrateLock int32 = 0x52737472 // "Rstr"

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction, in number order.
func (s *Store) Migrate(ctx context.Context) error {
	files, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(files)
	for i, f := range files {
		if err := s.applyMigration(ctx, f, i+1, len(files)); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration applies one file, numbered want, unless it is recorded.
// It holds the advisory lock for its transaction; DDL is transactional in
// PostgreSQL, so a migrator that dies leaves nothing half-applied.
func (s *Store) applyMigration(ctx context.Context, file string, want, known int) error {
	name := strings.TrimPrefix(file, "migrations/")
	version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
	if err != nil || version != want {
		return fmt.Errorf("migration %s: name must start with its number, %04d", name, want)
	}
	body, err := migrations.ReadFile(file)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))`, migrateLock); err != nil {
			return fmt.Errorf("migration %s: lock: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		var latest, done int
		err := tx.QueryRow(ctx, `SELECT COALESCE(max(version), 0), count(*) FILTER (WHERE version = $1) FROM schema_migrations`, version).Scan(&latest, &done)
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		// A database migrated by a newer binary has a schema this one
		// does not know. Migration numbers run 1..n without gaps.
		if latest > known {
			return fmt.Errorf("migrate: the database is at schema version %d, this binary knows up to %d", latest, known)
		}
		if done > 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, extract(epoch FROM now())::bigint)`, version); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		return nil
	})
}

// migrationLock takes the advisory lock for the rest of the transaction.
const migrationLock = `SELECT pg_advisory_xact_lock(1383298162, hashtext(current_schema()))`
