package roster_test

import (
	"os/exec"
	"strings"
	"testing"
)

// deps lists the packages pkg depends on: the non-standard ones, and all of them.
func deps(t *testing.T, pkg string) (nonStandard, all []string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.Standard}} {{.ImportPath}}", pkg).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pkg, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		std, path, _ := strings.Cut(line, " ")
		all = append(all, path)
		if std == "false" && path != pkg {
			nonStandard = append(nonStandard, path)
		}
	}
	return nonStandard, all
}

// STYLE.md convention 2: the domain imports only the standard library; the
// authorization index imports no SQL and no HTTP.
func TestDependencyDirection(t *testing.T) {
	const domain = "github.com/roster-dev/roster/internal/roster"
	if ns, _ := deps(t, domain); len(ns) > 0 {
		t.Errorf("the domain imports non-standard packages: %v", ns)
	}
	ns, all := deps(t, "github.com/roster-dev/roster/internal/authz")
	for _, d := range ns {
		if d != domain {
			t.Errorf("authz imports %s", d)
		}
	}
	for _, d := range all {
		if d == "database/sql" || d == "net/http" {
			t.Errorf("authz imports %s", d)
		}
	}
}
