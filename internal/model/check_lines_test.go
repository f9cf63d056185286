package model

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// base is a small valid model; each case below breaks it. The line numbers
// the cases expect are those of this text:
//
//	 1 name   4 owner_role   7 features   11 users.manage   16 roles
//	17 boss  19 boss admin  20 boss access  21 boss perms
//	22 worker  24 worker access  25 worker perms  26 plans  27 plan free
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

// noClients turns base into a valid model without clients.
var noClients = []string{
	"names: {organization: team, client: client}", "names: {organization: team}",
	", per_client: true", "",
	"client_access: all", "client_access: none",
	"client_access: specific", "client_access: none",
}

// edit applies old/new pairs to base, each once, failing if one does not match.
func edit(t *testing.T, pairs ...string) string {
	t.Helper()
	src := base
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(src, pairs[i]) {
			t.Fatalf("edit %q does not match the model", pairs[i])
		}
		src = strings.Replace(src, pairs[i], pairs[i+1], 1)
	}
	return src
}

// manyPermissions is a permission list of n entries of the users feature.
func manyPermissions(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "      - {key: users.p%d}\n", i)
	}
	return b.String()
}

type wantErr struct {
	line int
	text string
}

func TestCheckValid(t *testing.T) {
	cases := []struct {
		name  string
		edits []string
	}{
		{"base", nil},
		{"no clients", noClients},
		{"no clients, client_access omitted", append(append([]string{}, noClients...),
			"    client_access: none\n    permissions: [clients.view]", "    permissions: [clients.view]")},
		{"aliases", []string{"permissions: [clients.view]", "permissions: &viewer [clients.view]",
			"plans:", "  - {key: peer, client_access: specific, permissions: *viewer}\nplans:"}},
		{"unlimited seats by omission", []string{"seats: 5, agent_seats: null, ", ""}},
		{"exactly MaxPermissions", []string{"      - {key: users.manage, name: Manage}\n",
			"      - {key: users.manage, name: Manage}\n" + manyPermissions(254)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Parse("tiny.yaml", []byte(edit(t, c.edits...))); err != nil {
				t.Fatalf("got %v, want no error", err)
			}
		})
	}
}

// TestCheckErrors: each broken file reports exactly these errors, in line
// order, each at its exact line.
func TestCheckErrors(t *testing.T) {
	cases := []struct {
		name  string
		edits []string
		want  []wantErr
	}{
		// structure and types
		{"syntax error", []string{"default_plan: free\n", "default_plan: free\n  extra: 1\n"},
			[]wantErr{{7, "mapping values are not allowed"}}},
		{"unknown top-level key", []string{"existing_users: join\n", "existing_users: join\ncolour: blue\n"},
			[]wantErr{{4, `unknown key "colour" in the model`}}},
		{"unknown nested key", []string{"    name: Boss\n", "    name: Boss\n    rank: 1\n"},
			[]wantErr{{19, `unknown key "rank" in a role`}}},
		{"duplicate top-level key", []string{"default_plan: free\n", "default_plan: free\ndefault_plan: free\n"},
			[]wantErr{{7, `duplicate key "default_plan" in the model (first at line 6)`}}},
		{"duplicate key in a flow mapping", []string{"name: Manage}", "name: Manage, name: Again}"},
			[]wantErr{{11, `duplicate key "name" in a permission`}}},
		{"wrong type: string", []string{"name: Worker", "name: [a, b]"},
			[]wantErr{{23, "role name must be a string, got a list"}}},
		{"wrong type: bool", []string{"custom_roles: false", "custom_roles: 3"},
			[]wantErr{{27, `custom_roles must be true or false, got "3"`}}},
		{"wrong type: number", []string{"seats: 5", "seats: five"},
			[]wantErr{{27, "seats must be a whole number"}}},
		{"wrong type: list", []string{"[clients.view]", "{clients.view: true}"},
			[]wantErr{{25, "role permissions (a list of keys, or \"*\") must be a list, got a mapping"}}},
		{"wrong type: mapping", []string{"names: {organization: team, client: client}", "names: team"},
			[]wantErr{{2, "names must be a mapping"}}},
		{"negative seats", []string{"seats: 5", "seats: -1"},
			[]wantErr{{27, "seats must be a whole number, 0 or more, or null for unlimited"}}},
		{"two documents", []string{"custom_roles: false}\n", "custom_roles: false}\n---\nname: again\n"},
			[]wantErr{{28, "one YAML document"}}},

		// required keys
		{"name missing", []string{"name: tiny\n", ""}, []wantErr{{1, "name is required"}}},
		{"name empty", []string{"name: tiny", `name: ""`}, []wantErr{{1, "name must not be empty"}}},
		{"organization name missing", []string{"organization: team, ", ""},
			[]wantErr{{2, "names.organization is required"}}},
		{"owner role missing", []string{"owner_role: boss\n", ""}, []wantErr{{1, "owner_role is required"}}},
		{"default role missing", []string{"default_role: worker\n", ""}, []wantErr{{1, "default_role is required"}}},
		{"default plan missing", []string{"default_plan: free\n", ""}, []wantErr{{1, "default_plan is required"}}},
		{"existing_users missing", []string{"existing_users: join\n", ""}, []wantErr{{1, "existing_users is required"}}},
		{"no plans", []string{"plans:\n  - {key: free, name: Free, seats: 5, agent_seats: null, free_agent_seats: 1, custom_roles: false}\n", "plans: []\n"},
			[]wantErr{{6, "default_plan free is not a plan"}, {26, "plans must list at least one plan"}}},
		{"feature without permissions", []string{"    permissions:\n      - {key: users.manage, name: Manage}\n", "    permissions: []\n"},
			[]wantErr{{8, "feature users has no permissions"}}},
		{"permission without key", []string{"{key: users.manage, name: Manage}", "{name: Manage}"},
			[]wantErr{{11, "a permission needs a key"}}},

		// keys
		{"permission key shape", []string{"key: users.manage", "key: users.Manage"},
			[]wantErr{{11, `permission key "users.Manage" must be feature.action`}}},
		{"permission key without action", []string{"key: users.manage", "key: users"},
			[]wantErr{{11, "must be feature.action"}}},
		{"permission of another feature", []string{"key: users.manage", "key: admin.manage"},
			[]wantErr{{11, "permission admin.manage is not of feature users"}}},
		{"duplicate permission", []string{"per_client: true}\n", "per_client: true}\n      - {key: clients.view, name: Again}\n"},
			[]wantErr{{16, "duplicate permission clients.view (first at line 15)"}}},
		{"feature key syntax", []string{"  - key: users\n", "  - key: Users\n"},
			[]wantErr{{8, `feature key "Users" must match [a-z0-9_]+`}}},
		{"duplicate feature", []string{"  - key: clients\n", "  - key: users\n"},
			[]wantErr{{12, "duplicate feature users (first at line 8)"}}},
		{"role key syntax", []string{"  - key: worker\n", "  - key: Worker\n", "default_role: worker", "default_role: Worker"},
			[]wantErr{{22, `role key "Worker" must match [a-z0-9_]+`}}},
		{"duplicate role", []string{"  - key: worker\n", "  - key: boss\n"},
			[]wantErr{{5, "default_role worker is not a role"}, {22, "duplicate role boss (first at line 17)"}}},
		{"plan key syntax", []string{"key: free,", "key: free-tier,", "default_plan: free", "default_plan: free-tier"},
			[]wantErr{{27, `plan key "free-tier" must match`}}},
		{"duplicate plan", []string{"custom_roles: false}\n", "custom_roles: false}\n  - {key: free, name: Again}\n"},
			[]wantErr{{28, "duplicate plan free (first at line 27)"}}},
		{"more than MaxPermissions", []string{"      - {key: users.manage, name: Manage}\n",
			"      - {key: users.manage, name: Manage}\n" + manyPermissions(255)},
			[]wantErr{{7, "the catalog has 257 permissions; at most 256"}}},

		// roles
		{"unknown permission in a role", []string{"[clients.view]", "[clients.view, clients.nope]"},
			[]wantErr{{25, `role worker: unknown permission "clients.nope"`}}},
		{"permission listed twice", []string{"[clients.view]", "[clients.view, clients.view]"},
			[]wantErr{{25, "role worker lists permission clients.view twice"}}},
		{"wildcard inside a list", []string{"[clients.view]", `[clients.view, "*"]`},
			[]wantErr{{25, `write permissions: "*"`}}},
		{"owner role unknown", []string{"owner_role: boss", "owner_role: chief"},
			[]wantErr{{4, "owner_role chief is not a role of the model"}}},
		{"owner role not admin", []string{"    admin: true\n", ""},
			[]wantErr{{4, "owner role boss must be admin: true"}}},
		{"owner role not assignable but transferable", []string{"    admin: true\n", "    admin: true\n    not_assignable: true\n",
			"existing_users: join\n", "existing_users: join\nownership_transfer: true\n"},
			[]wantErr{{4, "ownership_transfer must be false"}}},
		{"default role unknown", []string{"default_role: worker", "default_role: clerk"},
			[]wantErr{{5, "default_role clerk is not a role of the model"}}},
		{"default role not assignable", []string{"    name: Worker\n", "    name: Worker\n    not_assignable: true\n"},
			[]wantErr{{5, "default_role worker is not_assignable"}}},
		{"admin role lacking a permission", []string{`permissions: "*"`, "permissions: [users.manage]"},
			[]wantErr{{19, "role boss is admin but lacks clients.view"}}},
		{"bad client_access", []string{"client_access: specific", "client_access: some"},
			[]wantErr{{24, `client_access must be all, all_by_default, specific or none, got "some"`}}},
		{"client_access none with clients", []string{"client_access: specific", "client_access: none"},
			[]wantErr{{24, "client_access none is only for models without clients"}}},
		{"client_access missing with clients", []string{"    client_access: specific\n", ""},
			[]wantErr{{22, "role worker needs client_access"}}},
		{"client_access other than none without clients", append(append([]string{}, noClients[:4]...), "client_access: specific", "client_access: none"),
			[]wantErr{{20, "role boss: client_access must be none"}}},

		// policies and plans
		{"existing_users value", []string{"existing_users: join", "existing_users: maybe"},
			[]wantErr{{3, `existing_users must be join or invite, got "maybe"`}}},
		{"per_client without clients", append(append([]string{}, noClients[:2]...), noClients[4:]...),
			[]wantErr{{15, "permission clients.view is per client but the model has no clients"}}},
		{"members_view_permission unknown", []string{"default_plan: free\n", "default_plan: free\nmembers_view_permission: org.view_all\n"},
			[]wantErr{{7, `members_view_permission "org.view_all" is not a permission of the catalog`}}},
		{"settings_permission unknown", []string{"default_plan: free\n", "default_plan: free\nsettings_permission: users.settings\n"},
			[]wantErr{{7, `settings_permission "users.settings" is not a permission`}}},
		{"settings_permission per client", []string{"default_plan: free\n", "default_plan: free\nsettings_permission: clients.view\n"},
			[]wantErr{{7, "settings_permission clients.view must be organization-wide"}}},
		{"clients_admin_permission unknown", []string{"default_plan: free\n", "default_plan: free\nclients_admin_permission: clients.edit\n"},
			[]wantErr{{7, `clients_admin_permission "clients.edit" is not a permission`}}},
		{"clients_admin_permission without clients", append(append([]string{}, noClients...), "default_plan: free\n", "default_plan: free\nclients_admin_permission: users.manage\n"),
			[]wantErr{{7, "clients_admin_permission is set but the model has no clients"}}},
		{"unknown default plan", []string{"default_plan: free", "default_plan: gold"},
			[]wantErr{{6, "default_plan gold is not a plan of the model"}}},

		// several at once
		{"several errors", []string{
			"existing_users: join\n", "existing_users: join\ncolour: blue\n",
			"[clients.view]", "[clients.nope]",
			"client_access: specific", "client_access: some",
			"seats: 5", "seats: -1",
		}, []wantErr{
			{4, `unknown key "colour"`},
			{25, `client_access must be all, all_by_default, specific or none, got "some"`},
			{26, `unknown permission "clients.nope"`},
			{28, "seats must be a whole number"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("tiny.yaml", []byte(edit(t, c.edits...)))
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("got %v, want *Errors", err)
			}
			if len(errs.List) != len(c.want) {
				t.Fatalf("got %d errors:\n%v\nwant %d: %v", len(errs.List), err, len(c.want), c.want)
			}
			for i, w := range c.want {
				if g := errs.List[i]; g.Line != w.line || !strings.Contains(g.Message, w.text) {
					t.Errorf("error %d: got line %d %q, want line %d containing %q", i, g.Line, g.Message, w.line, w.text)
				}
			}
		})
	}
}

func TestCheckWholeFile(t *testing.T) {
	cases := []struct {
		name, src string
		want      wantErr
	}{
		{"empty", "", wantErr{1, "the model file is empty"}},
		{"only a comment", "# nothing\n", wantErr{1, "the model file is empty"}},
		{"a list", "- a\n- b\n", wantErr{1, "the model must be a mapping"}},
		{"tab indentation", "name: x\nnames:\n\torganization: x\n", wantErr{3, "found character that cannot start any token"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(c.src))
			var errs *Errors
			if !errors.As(err, &errs) || len(errs.List) != 1 {
				t.Fatalf("got %v, want one error", err)
			}
			if g := errs.List[0]; g.Line != c.want.line || !strings.Contains(g.Message, c.want.text) {
				t.Fatalf("got line %d %q, want line %d containing %q", g.Line, g.Message, c.want.line, c.want.text)
			}
		})
	}
}

// TestErrorsText: every problem prints as FILE:LINE: message, one a line, in
// line order.
func TestErrorsText(t *testing.T) {
	src := edit(t, "existing_users: join\n", "existing_users: join\ncolour: blue\n", "seats: 5", "seats: -1",
		"[clients.view]", "[clients.nope]")
	_, err := Parse("tiny.yaml", []byte(src))
	if err == nil {
		t.Fatal("got no error")
	}
	got := strings.Split(err.Error(), "\n")
	want := []string{
		`tiny.yaml:4: unknown key "colour" in the model`,
		`tiny.yaml:26: role worker: unknown permission "clients.nope"`,
		`tiny.yaml:28: seats must be a whole number, 0 or more, or null for unlimited, got "-1"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", err, strings.Join(want, "\n"))
	}
}
