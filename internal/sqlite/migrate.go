package sqlite

import (
	"context"
	"embed"

	"github.com/roster-dev/roster/internal/sqlcore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own BEGIN IMMEDIATE transaction, in
// number order (sqlcore.Migrate).
func (s *Store) Migrate(ctx context.Context) error {
	return sqlcore.Migrate(ctx, s.db, dialect, migrations)
}
