package apitest

import (
	"os"
	"testing"
)

// TestMain runs the package on SQLite, then on PostgreSQL (RunBothStores).
func TestMain(m *testing.M) { os.Exit(RunBothStores(m)) }
