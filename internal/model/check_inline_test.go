package model

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"testing"
)

// The cases below are whole model files written out, so each expected line
// number can be read off the text itself. Every file is one small change
// from one of these two valid models:
//
// mini (no clients)                       minic (clients)
//
//	 1 name: mini                            1 name: mini
//	 2 names: {organization: team}           2 names: {organization: team, client: client}
//	 3 existing_users: join                  3 existing_users: join
//	 4 owner_role: boss                      4 owner_role: boss
//	 5 default_role: staff                   5 default_role: staff
//	 6 default_plan: free                    6 default_plan: free
//	 7 features:                             7 features:
//	 8   - key: users                        8   - key: clients
//	 9     permissions:                      9     permissions:
//	10       - {key: users.manage}          10       - {key: clients.edit}
//	11       - {key: users.view}            11       - {key: clients.view, per_client: true}
//	12 roles:                               12 roles:
//	13   - key: boss                        13   - key: boss
//	14     admin: true                      14     admin: true
//	15     permissions: "*"                 15     client_access: all
//	16   - key: staff                       16     permissions: "*"
//	17     permissions: [users.view]        17   - key: staff
//	18 plans:                               18     client_access: specific
//	19   - {key: free, seats: 3}            19     permissions: [clients.view]
//	                                        20 plans:
//	                                        21   - {key: free, seats: 3}
const (
	mini = `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`
	minic = `name: mini
names: {organization: team, client: client}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: clients
    permissions:
      - {key: clients.edit}
      - {key: clients.view, per_client: true}
roles:
  - key: boss
    admin: true
    client_access: all
    permissions: "*"
  - key: staff
    client_access: specific
    permissions: [clients.view]
plans:
  - {key: free, seats: 3}
`
)

// parseErrors parses src and returns its *Errors, failing when there is none.
func parseErrors(t *testing.T, src string) *Errors {
	t.Helper()
	m, err := Parse("mini.yaml", []byte(src))
	if err == nil {
		t.Fatalf("got model %q and no error, want *Errors", m.Name)
	}
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("got %T %v, want *Errors", err, err)
	}
	return errs
}

// checkList compares errs.List with want: same length, same lines, each
// message containing its text.
func checkList(t *testing.T, errs *Errors, want []wantErr) {
	t.Helper()
	ok := len(errs.List) == len(want)
	for i := 0; ok && i < len(want); i++ {
		g := errs.List[i]
		ok = g.Line == want[i].line && strings.Contains(g.Message, want[i].text)
	}
	if !ok {
		t.Fatalf("got errors:\n%v\nwant %v", errs, want)
	}
}

func TestInlineModelsValid(t *testing.T) {
	for name, src := range map[string]string{"mini": mini, "minic": minic} {
		m, err := Parse(name+".yaml", []byte(src))
		if err != nil {
			t.Fatalf("%s: got %v, want no error", name, err)
		}
		if got, want := m.HasClients(), name == "minic"; got != want {
			t.Errorf("%s: got HasClients %t, want %t", name, got, want)
		}
	}
}

// TestCheckInlineErrors is `roster model check` on broken files: each file
// reports exactly these errors, each at its exact line.
func TestCheckInlineErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []wantErr
	}{
		{"unknown permission in a role", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view, users.fly]
plans:
  - {key: free, seats: 3}
`, []wantErr{{17, `role staff: unknown permission "users.fly"`}}},

		{"duplicate key in a mapping", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    name: Staff
    name: Again
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{18, `duplicate key "name" in a role (first at line 17)`}}},

		{"duplicate permission key", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
      - {key: users.view, name: Again}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{12, "duplicate permission users.view (first at line 11)"}}},

		{"duplicate role key", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: boss
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: boss
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{16, "duplicate role boss (first at line 13)"}}},

		{"owner_role missing", `name: mini
names: {organization: team}
existing_users: join
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{1, "owner_role is required"}}},

		{"owner_role names an unknown role", `name: mini
names: {organization: team}
existing_users: join
owner_role: chief
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{4, "owner_role chief is not a role of the model"}}},

		{"default role not assignable", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    not_assignable: true
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{5, "default_role staff is not_assignable"}}},

		{"unknown top-level key", `name: mini
names: {organization: team}
colour: blue
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{3, `unknown key "colour" in the model`}}},

		{"unknown nested key", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    rank: 1
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{15, `unknown key "rank" in a role`}}},

		{"bad client_access value", `name: mini
names: {organization: team, client: client}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: clients
    permissions:
      - {key: clients.edit}
      - {key: clients.view, per_client: true}
roles:
  - key: boss
    admin: true
    client_access: all
    permissions: "*"
  - key: staff
    client_access: some
    permissions: [clients.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{18, `role staff: client_access must be all, all_by_default, specific or none, got "some"`}}},

		{"client_access none with clients", `name: mini
names: {organization: team, client: client}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: clients
    permissions:
      - {key: clients.edit}
      - {key: clients.view, per_client: true}
roles:
  - key: boss
    admin: true
    client_access: all
    permissions: "*"
  - key: staff
    client_access: none
    permissions: [clients.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{18, "role staff: client_access none is only for models without clients"}}},

		{"client_access all without clients", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    client_access: all
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{15, "role boss: client_access must be none, as the model has no clients"}}},

		{"per_client permission without clients", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view, per_client: true}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{11, "permission users.view is per client but the model has no clients"}}},

		{"wrong type: a string where a bool is expected", `name: mini
names: {organization: team}
existing_users: join
teams: yes
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{4, `teams must be true or false, got "yes"`}}},

		{"wrong type: a quoted bool", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3, custom_roles: "true"}
`, []wantErr{{19, `custom_roles must be true or false, got "true"`}}},

		{"wrong type: a list where a string is expected", `name: mini
names: {organization: team}
existing_users: join
owner_role: [boss]
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{4, "owner_role must be a string, got a list"}}},

		{"negative seats", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: -3}
`, []wantErr{{19, `seats must be a whole number, 0 or more, or null for unlimited, got "-3"`}}},

		{"unknown default_plan", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: gold
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{6, "default_plan gold is not a plan of the model"}}},

		{"permission key not feature.action", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{10, `permission key "manage" must be feature.action`}}},

		{"permission of another feature", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: admins.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{10, "permission admins.manage is not of feature users"}}},

		{"members_view_permission unknown", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: free
members_view_permission: users.everyone
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{7, `members_view_permission "users.everyone" is not a permission of the catalog`}}},

		{"YAML syntax error", `name: mini
names: {organization: team}
existing_users: join
owner_role: boss
default_role: staff
default_plan: @free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.view]
plans:
  - {key: free, seats: 3}
`, []wantErr{{6, "YAML: found character that cannot start any token"}}},

		// Found in this order: the seats while reading, existing_users and
		// the role's permission while validating; reported in line order.
		{"three errors at once", `name: mini
names: {organization: team}
existing_users: maybe
owner_role: boss
default_role: staff
default_plan: free
features:
  - key: users
    permissions:
      - {key: users.manage}
      - {key: users.view}
roles:
  - key: boss
    admin: true
    permissions: "*"
  - key: staff
    permissions: [users.fly]
plans:
  - {key: free, seats: -1}
`, []wantErr{
			{3, `existing_users must be join or invite, got "maybe"`},
			{17, `role staff: unknown permission "users.fly"`},
			{19, "seats must be a whole number"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkList(t, parseErrors(t, c.src), c.want)
		})
	}
}

// TestCheckInlineErrorsText: (*Errors).Error() prints one FILE:LINE: message
// a line, in line order, and nothing else.
func TestCheckInlineErrorsText(t *testing.T) {
	src := strings.NewReplacer(
		"existing_users: join", "existing_users: maybe",
		"[users.view]", "[users.fly]",
		"seats: 3", "seats: -1",
	).Replace(mini)
	errs := parseErrors(t, src)
	errs.File = "models/mini.yaml"
	want := strings.Join([]string{
		`models/mini.yaml:3: existing_users must be join or invite, got "maybe"`,
		`models/mini.yaml:17: role staff: unknown permission "users.fly"`,
		`models/mini.yaml:19: seats must be a whole number, 0 or more, or null for unlimited, got "-1"`,
	}, "\n")
	if got := errs.Error(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if _, err := Parse("a/b.yaml", []byte(src)); !strings.HasPrefix(err.Error(), "a/b.yaml:3: ") {
		t.Fatalf("got %q, want lines labelled with Parse's name", err)
	}
}

func TestPresetFilesAllNamed(t *testing.T) {
	files, err := fs.Glob(presets, "presets/*")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(path.Base(f), ".yaml"))
	}
	got, want := slices.Sorted(slices.Values(PresetNames())), slices.Sorted(slices.Values(names))
	if !slices.Equal(got, want) {
		t.Fatalf("PresetNames: got %v, want the embedded files %v", got, want)
	}
}

// TestLoadNeither: a name that is neither a preset nor a readable file gets
// an error naming it and listing the presets.
func TestLoadNeither(t *testing.T) {
	for _, arg := range []string{"", "retail", t.TempDir(), t.TempDir() + "/missing.yaml"} {
		_, err := Load(arg)
		if err == nil {
			t.Errorf("Load(%q): got no error", arg)
			continue
		}
		msg := err.Error()
		for _, want := range append([]string{"neither a preset", arg}, PresetNames()...) {
			if !strings.Contains(msg, want) {
				t.Errorf("Load(%q): got %q, want it to contain %q", arg, msg, want)
			}
		}
	}
}

// TestLoadFileNamedLikeAPreset: Load reads a model file by its path even
// when a preset shares its base name.
func TestLoadFileNamedLikeAPreset(t *testing.T) {
	p := t.TempDir() + "/practice"
	if err := os.WriteFile(p, []byte(mini), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "mini" {
		t.Fatalf("got model %q, want mini (the file)", m.Name)
	}
}

// TestSyntaxErrorLines: a YAML syntax error names the line where the
// document goes wrong, for the scanner's and the parser's errors alike.
func TestSyntaxErrorLines(t *testing.T) {
	for _, c := range []struct {
		src  string
		line int
	}{
		{"name: x\nroles:\n  - a\n - b\n", 4},       // parser: did not find expected key
		{"name: x\nroles: [a, b\nplans: 3\n", 2},    // parser: did not find expected ',' or ']'
		{"name: x\n- b\n", 2},                       // parser: did not find expected key
		{"name: x\nowner_role: a\n  plans: 3\n", 3}, // scanner: mapping values are not allowed
		{"name: x\nowner_role: @a\n", 2},            // scanner: cannot start any token
		{"name: x\n\towner_role: a\n", 2},           // scanner: tab character
	} {
		errs := parseErrors(t, c.src).List
		if len(errs) != 1 || errs[0].Line != c.line || !strings.HasPrefix(errs[0].Message, "YAML: ") {
			t.Errorf("%q: got %v, want one YAML error on line %d", c.src, errs, c.line)
		}
	}
}
