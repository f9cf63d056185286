package model

import (
	"errors"
	"strings"
	"testing"
)

// base is a small valid model; each case below breaks one thing in it.
const base = `name: tiny
names: {organization: team, client: client}
existing_users: join
owner_role: boss
default_role: worker
default_plan: free
features:
  - key: users
    name: Users
    permissions:
      - {key: users.manage, name: Manage}
  - key: clients
    name: Clients
    permissions:
      - {key: clients.view, name: View, per_client: true}
roles:
  - key: boss
    name: Boss
    admin: true
    client_access: all
    permissions: "*"
  - key: worker
    name: Worker
    client_access: specific
    permissions: [clients.view]
plans:
  - {key: free, name: Free, seats: 5, agent_seats: null, free_agent_seats: 1, custom_roles: false}
`

func TestCheckBaseIsValid(t *testing.T) {
	if _, err := Parse("tiny.yaml", []byte(base)); err != nil {
		t.Fatalf("the base model: %v", err)
	}
}

// TestCheckReportsLines: each broken file reports its error at the exact line.
func TestCheckReportsLines(t *testing.T) {
	cases := []struct {
		name, old, new string
		line           int
		want           string
	}{
		{"unknown permission in a role", "permissions: [clients.view]", "permissions: [clients.nope]", 25, `unknown permission "clients.nope"`},
		{"duplicate key", "default_plan: free\n", "default_plan: free\ndefault_plan: free\n", 7, `duplicate key "default_plan"`},
		{"owner role missing", "owner_role: boss\n", "", 1, "owner_role is required"},
		{"owner role unknown", "owner_role: boss", "owner_role: chief", 4, "owner_role chief is not a role"},
		{"unknown top-level key", "existing_users: join\n", "existing_users: join\ncolour: blue\n", 4, `unknown key "colour"`},
		{"unknown nested key", "    name: Boss\n", "    name: Boss\n    rank: 1\n", 19, `unknown key "rank" in a role`},
		{"bad client_access", "client_access: specific", "client_access: some", 24, "client_access must be"},
		{"none with clients", "client_access: specific", "client_access: none", 24, "only for models without clients"},
		{"wrong type bool", "admin: true", "admin: yes please", 19, "admin must be true or false"},
		{"wrong type list", "name: Worker", "name: [a, b]", 23, "role name must be a string"},
		{"negative seats", "seats: 5", "seats: -1", 27, "seats must be a whole number"},
		{"unknown default plan", "default_plan: free", "default_plan: gold", 6, "default_plan gold is not a plan"},
		{"permission key shape", "key: clients.view, name", "key: ClientsView, name", 15, "must be feature.action"},
		{"permission of another feature", "{key: users.manage, name: Manage}", "{key: admin.manage, name: Manage}", 8, "is not of feature users"},
		{"duplicate permission", "      - {key: clients.view, name: View, per_client: true}\n", "      - {key: clients.view, name: View, per_client: true}\n      - {key: clients.view, name: Again}\n", 16, "duplicate permission clients.view"},
		{"duplicate role", "  - key: worker\n", "  - key: boss\n", 22, "duplicate role boss"},
		{"syntax error", "default_plan: free\n", "default_plan: free\n  extra: 1\n", 7, "mapping values are not allowed"},
		{"existing_users", "existing_users: join", "existing_users: maybe", 3, "existing_users must be join or invite"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(base, c.old, c.new, 1)
			if src == base {
				t.Fatalf("the case did not change the base model")
			}
			_, err := Parse("tiny.yaml", []byte(src))
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want *Errors", err)
			}
			for _, e := range errs.List {
				if e.Line == c.line && strings.Contains(e.Message, c.want) {
					return
				}
			}
			t.Fatalf("got %v, want line %d with %q", errs.List, c.line, c.want)
		})
	}
}

// Every problem of a file is reported, in line order, as FILE:LINE: message.
func TestCheckReportsAllErrors(t *testing.T) {
	src := strings.NewReplacer(
		"existing_users: join", "existing_users: join\ncolour: blue",
		"permissions: [clients.view]", "permissions: [clients.nope]",
		"seats: 5", "seats: -1",
	).Replace(base)
	_, err := Parse("tiny.yaml", []byte(src))
	var errs *Errors
	if !errors.As(err, &errs) || len(errs.List) < 3 {
		t.Fatalf("got %v, want at least 3 errors", err)
	}
	for i := 1; i < len(errs.List); i++ {
		if errs.List[i].Line < errs.List[i-1].Line {
			t.Fatalf("not in line order: %v", errs.List)
		}
	}
	text := err.Error()
	for _, want := range []string{"tiny.yaml:4: ", "tiny.yaml:26: ", "tiny.yaml:28: "} {
		if !strings.Contains(text, want) {
			t.Errorf("%q lacks %q", text, want)
		}
	}
}
