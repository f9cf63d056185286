package sqlcore

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migrate applies the migrations of fsys (migrations/NNNN_name.sql) not
// yet recorded in schema_migrations, each in its own transaction, in
// number order. Every transaction first runs the dialect's MigrationLock
// (PostgreSQL: an advisory lock, so nodes that start together on an empty
// database queue on it and the first applies each migration while the
// others find it recorded; SQLite: BEGIN IMMEDIATE already serializes).
// DDL is transactional in both, so a migrator that dies leaves nothing
// half-applied.
func Migrate(ctx context.Context, db *sql.DB, d *Dialect, fsys fs.FS) error {
	files, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	sort.Strings(files)
	for i, f := range files {
		if err := applyMigration(ctx, db, d, fsys, f, i+1, len(files)); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration applies one file, numbered want, unless it is recorded;
// known is the number of migrations this binary has.
func applyMigration(ctx context.Context, db *sql.DB, d *Dialect, fsys fs.FS, file string, want, known int) error {
	name := strings.TrimPrefix(file, "migrations/")
	version, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
	if err != nil || version != want {
		return fmt.Errorf("migration %s: name must start with its number, %04d", name, want)
	}
	body, err := fs.ReadFile(fsys, file)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, d.classify(err))
	}
	defer tx.Rollback() //nolint:errcheck // after Commit this is a no-op
	q := NewTx(tx, d)
	if d.MigrationLock != "" {
		if _, err := q.Exec(ctx, d.MigrationLock); err != nil {
			return fmt.Errorf("migration %s: lock: %w", name, err)
		}
	}
	if _, err := q.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	var latest, done int
	err = q.QueryRow(ctx, `SELECT COALESCE(max(version), 0), count(CASE WHEN version = ? THEN 1 END) FROM schema_migrations`, version).Scan(&latest, &done)
	if err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	// A database migrated by a newer binary has a schema this one does not
	// know. Migration numbers run 1..n without gaps.
	if latest > known {
		return fmt.Errorf("migrate: the database is at schema version %d, this binary knows up to %d", latest, known)
	}
	if done > 0 {
		return nil
	}
	// The file as it is: its text is not rewritten for the dialect.
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("migration %s: %w", name, d.classify(err))
	}
	if _, err := q.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, `+d.NowSeconds+`)`, version); err != nil {
		return fmt.Errorf("migration %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration %s: %w", name, d.classify(err))
	}
	return nil
}
