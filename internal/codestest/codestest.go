// Package codestest is test support: the domain's error codes, read from
// its source, for the tests that every code has one HTTP status in every
// adapter. It is never linked into the binary.
package codestest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/roster"
)

// RosterCodes reads every constant of type Code that internal/roster
// declares, from its source (the calling test runs in a sibling directory
// of internal/roster): a code added there without a status fails the tests
// that iterate over them.
func RosterCodes(t testing.TB) []roster.Code {
	t.Helper()
	names, err := filepath.Glob("../roster/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []roster.Code
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				for _, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok {
						t.Fatalf("a Code constant that is not a literal: %#v", v)
					}
					s, _ := strconv.Unquote(lit.Value)
					out = append(out, roster.Code(s))
				}
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("found %d codes in internal/roster; the parse is wrong", len(out))
	}
	return out
}
