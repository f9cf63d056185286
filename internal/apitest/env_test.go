package apitest

import (
	"strings"
	"testing"
)

// TestEnvDatabaseHelpers: TableCounts and DatabaseText see the node's rows
// on either store (the SQLite-only tests can move to them).
func TestEnvDatabaseHelpers(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	before := e.TableCounts()
	a := e.Signup("helpers@example.com", "Helper Org")
	after := e.TableCounts()
	if before == after || !strings.Contains(after, "organizations=1 ") || !strings.Contains(after, "users=1 ") {
		t.Errorf("TableCounts before %q, after sign-up %q: want organizations=1 and users=1 after", before, after)
	}
	createClient(t, e, a.Token, a.OrgID, "Findable Client Name")
	if text := e.DatabaseText(); !strings.Contains(text, "Findable Client Name") || !strings.Contains(text, "Helper Org") {
		t.Errorf("DatabaseText lacks stored values:\n%s", text)
	}
}
