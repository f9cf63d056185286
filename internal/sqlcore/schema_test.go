package sqlcore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/pgtest"
	"github.com/roster-dev/roster/internal/postgres"
	"github.com/roster-dev/roster/internal/sqlite"
)

// column is one column as the schema test compares it: its type's class
// and whether it may be NULL.
type column struct {
	class    string
	nullable bool
}

// onlyPostgres are the columns one store has for what only it does: the
// change feed's sequence number (internal/postgres/feed.go).
var onlyPostgres = map[string]bool{"organizations.change_seq": true}

// TestSchemasAgree: the two stores keep separate schema histories
// (migrations in each package), and the shared SQL of this package runs on
// both, so fresh databases of both must have the same tables and columns,
// with compatible types and the same nullability.
func TestSchemasAgree(t *testing.T) {
	ctx := t.Context()
	lite, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	defer lite.Close()
	pg, err := postgres.Open(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatalf("postgres.Open: %v", err)
	}
	defer pg.Close()

	got := sqliteColumns(ctx, t, lite.DB())
	want := postgresColumns(ctx, t, pg)
	if len(got) < 10 {
		t.Fatalf("SQLite schema: %d columns, want the whole schema", len(got))
	}
	for _, name := range union(got, want) {
		l, inLite := got[name]
		p, inPG := want[name]
		switch {
		case onlyPostgres[name]:
			if !inPG || inLite {
				t.Errorf("%s: expected on PostgreSQL only (SQLite %v, PostgreSQL %v)", name, inLite, inPG)
			}
		case !inLite:
			t.Errorf("%s: on PostgreSQL (%s), not on SQLite", name, p.class)
		case !inPG:
			t.Errorf("%s: on SQLite (%s), not on PostgreSQL", name, l.class)
		case !compatible(l.class, p.class):
			t.Errorf("%s: SQLite %s, PostgreSQL %s", name, l.class, p.class)
		case l.nullable != p.nullable:
			t.Errorf("%s: nullable on SQLite %v, on PostgreSQL %v", name, l.nullable, p.nullable)
		}
	}
}

// compatible: the same class, or a PostgreSQL boolean stored as a SQLite
// integer 0/1 (database/sql scans both into a bool).
func compatible(lite, pg string) bool {
	return lite == pg || (lite == "int" && pg == "bool")
}

func sqliteColumns(ctx context.Context, t *testing.T, db *sql.DB) map[string]column {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT m.name, c.name, c.type, c."notnull", c.pk FROM sqlite_master m, pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatalf("SQLite columns: %v", err)
	}
	defer rows.Close()
	out := map[string]column{}
	for rows.Next() {
		var table, name, typ string
		var notNull, pk int
		if err := rows.Scan(&table, &name, &typ, &notNull, &pk); err != nil {
			t.Fatal(err)
		}
		// A PRIMARY KEY column is NOT NULL on PostgreSQL; on SQLite only
		// an INTEGER PRIMARY KEY (the rowid) is, but the stores never
		// write a NULL key.
		out[table+"."+name] = column{class: class(typ), nullable: notNull == 0 && pk == 0}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func postgresColumns(ctx context.Context, t *testing.T, s *postgres.Store) map[string]column {
	t.Helper()
	rows, err := s.Pool().Query(ctx, `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = current_schema()`)
	if err != nil {
		t.Fatalf("PostgreSQL columns: %v", err)
	}
	defer rows.Close()
	out := map[string]column{}
	for rows.Next() {
		var table, name, typ, nullable string
		if err := rows.Scan(&table, &name, &typ, &nullable); err != nil {
			t.Fatal(err)
		}
		out[table+"."+name] = column{class: class(typ), nullable: nullable == "YES"}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// class is a declared type's family, on either database.
func class(typ string) string {
	switch t := strings.ToLower(typ); t {
	case "integer", "int", "bigint", "smallint":
		return "int"
	case "text", "character varying":
		return "text"
	case "blob", "bytea":
		return "bytes"
	case "boolean":
		return "bool"
	default:
		return fmt.Sprintf("other(%s)", t)
	}
}

func union(a, b map[string]column) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
