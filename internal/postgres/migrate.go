package postgres

import (
	"context"
	"embed"

	"github.com/roster-dev/roster/internal/sqlcore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock every migration's transaction takes
// first (sqlcore.Migrate), with the schema's hash as the lock's second
// key: nodes that start together on an empty database queue on it, and
// the first applies each migration while the others find it recorded.
// Advisory locks are per database, so databases (and schemas) do not wait
// for each other. 1383298162 is 0x52737472, "Rstr".
const migrationLock = `SELECT pg_advisory_xact_lock(1383298162, hashtext(current_schema()))`

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction, in number order.
func (s *Store) Migrate(ctx context.Context) error {
	return sqlcore.Migrate(ctx, s.sqlDB, dialect, migrations)
}
