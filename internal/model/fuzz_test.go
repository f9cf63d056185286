package model

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: any model file yields either a model or an *Errors listing
// each problem with a line inside the file (plus one) and a message, never
// a panic; a file that parses parses to the same model again, and its
// invariants hold (the owner and default roles exist, every role's
// permissions are in the catalog, keys are unique).
func FuzzParse(f *testing.F) {
	for _, name := range PresetNames() {
		src, _ := PresetSource(name)
		f.Add(src)
	}
	for _, s := range []string{
		"", "name: x", "---\nname: a\n---\nname: b\n", "[1, 2]", "name: &a x\nnames: *a\n",
		"roles:\n  - key: a\n    permissions: \"*\"\n", "features: {}\nroles: []\nplans: []\n", "\t", "name: [",
		"plans:\n  - {key: p, seats: -1}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.yaml", data)
		if (m == nil) == (err == nil) {
			t.Fatalf("got model %v and error %v: want exactly one", m != nil, err)
		}
		if err != nil {
			var es *Errors
			if !errors.As(err, &es) || len(es.List) == 0 {
				t.Fatalf("error %T %v, want a non-empty *Errors", err, err)
			}
			lines := strings.Count(string(data), "\n") + 2
			for _, e := range es.List {
				if e.Line < 1 || e.Line > lines || e.Message == "" {
					t.Fatalf("problem %+v outside the file's %d lines or without a message", e, lines)
				}
			}
			if got := strings.Count(err.Error(), "\nfuzz.yaml:") + 1; got != len(es.List) || !strings.HasPrefix(err.Error(), "fuzz.yaml:") {
				t.Fatalf("Error() prints %d problems, want %d: %q", got, len(es.List), err.Error())
			}
			return
		}
		again, err := Parse("fuzz.yaml", data)
		if err != nil || !reflect.DeepEqual(m, again) {
			t.Fatalf("parsing again: %v, same model %v", err, reflect.DeepEqual(m, again))
		}
		perms := map[string]bool{}
		for _, feat := range m.Features {
			for _, p := range feat.Permissions {
				if perms[p.Key] {
					t.Fatalf("permission %s twice", p.Key)
				}
				perms[p.Key] = true
			}
		}
		roles := map[string]bool{}
		for _, r := range m.Roles {
			if roles[r.Key] {
				t.Fatalf("role %s twice", r.Key)
			}
			roles[r.Key] = true
			for _, p := range r.Permissions {
				if !perms[p] {
					t.Fatalf("role %s holds %s, which is not in the catalog", r.Key, p)
				}
			}
		}
		if !roles[m.OwnerRole] || !roles[m.DefaultRole] {
			t.Fatalf("owner role %q or default role %q is not a role", m.OwnerRole, m.DefaultRole)
		}
	})
}
