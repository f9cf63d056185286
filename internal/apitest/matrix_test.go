package apitest

import (
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"testing"

	"github.com/roster-dev/roster/client"
	"go.yaml.in/yaml/v3"
)

// roleMatrix is testdata/role_matrix.yaml: per preset, the callers and,
// per action, the callers allowed to take it.
type roleMatrix map[string]struct {
	Plan        string   `yaml:"plan"`
	Roles       []string `yaml:"roles"`
	CustomRoles map[string]struct {
		Permissions  []string `yaml:"permissions"`
		ClientAccess string   `yaml:"client_access"`
	} `yaml:"custom_roles"`
	Actions map[string][]string `yaml:"actions"`
	// Hidden are the callers who see no other member: an action on another
	// member is 404 for them, not 403.
	Hidden []string `yaml:"hidden"`
}

// onAMember are the actions whose target is another member.
var onAMember = []string{"change_role", "assign_clients", "revoke"}

// matrixOrg is one preset's organization with a member per caller.
type matrixOrg struct {
	t       *testing.T
	e       *Env
	owner   Account
	callers map[string]joined // by role; "owner" is the signer
	client  string
	n       int
}

// fresh invites a new address with role (by the owner) and returns its member id.
func (o *matrixOrg) fresh(role string) string {
	o.n++
	return invite(o.t, o.e, o.owner.Token, o.owner.OrgID, role, fmt.Sprintf("target%d@example.com", o.n))[0].MemberID
}

// matrixActions builds each action's call as caller, with a fresh target
// made by the owner, and undoes what would change the callers (ownership,
// billing contact).
var matrixActions = map[string]func(o *matrixOrg, caller joined, name string) *Resp{
	"get_org": func(o *matrixOrg, c joined, _ string) *Resp { return o.e.Do("GET", org(o.owner.OrgID), c.Token, nil) },
	"list_members": func(o *matrixOrg, c joined, _ string) *Resp {
		return o.e.Do("GET", org(o.owner.OrgID)+"/members", c.Token, nil)
	},
	"list_roles": func(o *matrixOrg, c joined, _ string) *Resp {
		return o.e.Do("GET", org(o.owner.OrgID)+"/roles", c.Token, nil)
	},
	"list_clients": func(o *matrixOrg, c joined, _ string) *Resp {
		return o.e.Do("GET", org(o.owner.OrgID)+"/clients", c.Token, nil)
	},
	"list_audit": func(o *matrixOrg, c joined, _ string) *Resp {
		return o.e.Do("GET", org(o.owner.OrgID)+"/audit", c.Token, nil)
	},
	"list_teams": func(o *matrixOrg, c joined, _ string) *Resp {
		return o.e.Do("GET", org(o.owner.OrgID)+"/teams", c.Token, nil)
	},
	"invite": func(o *matrixOrg, c joined, _ string) *Resp {
		o.n++
		return o.e.Do("POST", org(o.owner.OrgID)+"/invitations", c.Token, map[string]any{"emails": []string{fmt.Sprintf("new%d@example.com", o.n)}, "role": o.lowRole()})
	},
	"change_role": func(o *matrixOrg, c joined, _ string) *Resp {
		return o.e.Do("PATCH", org(o.owner.OrgID)+"/members/"+o.fresh(o.lowRole()), c.Token, map[string]any{"role": o.otherLowRole()})
	},
	"assign_clients": func(o *matrixOrg, c joined, _ string) *Resp {
		return o.e.Do("PUT", org(o.owner.OrgID)+"/members/"+o.fresh(o.lowRole())+"/clients", c.Token, map[string]any{"mode": "specific", "clients": []string{o.client}})
	},
	"revoke": func(o *matrixOrg, c joined, _ string) *Resp {
		return o.e.Do("POST", org(o.owner.OrgID)+"/members/"+o.fresh(o.lowRole())+"/revoke", c.Token, nil)
	},
	"create_role": func(o *matrixOrg, c joined, name string) *Resp {
		o.n++
		return o.e.Do("POST", org(o.owner.OrgID)+"/roles", c.Token, map[string]any{"name": fmt.Sprintf("Role %d", o.n), "permissions": []string{}})
	},
	"create_client": func(o *matrixOrg, c joined, _ string) *Resp {
		o.n++
		return o.e.Do("POST", org(o.owner.OrgID)+"/clients", c.Token, map[string]any{"name": fmt.Sprintf("Client %d", o.n)})
	},
	"create_team": func(o *matrixOrg, c joined, _ string) *Resp {
		o.n++
		return o.e.Do("POST", org(o.owner.OrgID)+"/teams", c.Token, map[string]any{"name": fmt.Sprintf("Team %d", o.n)})
	},
	"rename_org": func(o *matrixOrg, c joined, _ string) *Resp {
		o.n++
		return o.e.Do("PATCH", org(o.owner.OrgID), c.Token, map[string]any{"name": fmt.Sprintf("Org %d", o.n)})
	},
	"transfer_ownership": func(o *matrixOrg, c joined, _ string) *Resp {
		heir := o.heir(c)
		r := o.e.Do("POST", org(o.owner.OrgID)+"/transfer-ownership", c.Token, map[string]any{"member_id": heir.MemberID})
		if r.Status == http.StatusOK { // give it back
			o.e.Must(http.StatusOK, "POST", org(o.owner.OrgID)+"/transfer-ownership", heir.Token, map[string]any{"member_id": o.owner.MemberID})
		}
		return r
	},
	"billing_contact": func(o *matrixOrg, c joined, _ string) *Resp {
		heir := o.heir(c)
		r := o.e.Do("POST", org(o.owner.OrgID)+"/billing-contact", c.Token, map[string]any{"member_id": heir.MemberID})
		if r.Status == http.StatusOK {
			o.e.Must(http.StatusOK, "POST", org(o.owner.OrgID)+"/billing-contact", o.owner.Token, map[string]any{"member_id": o.owner.MemberID})
		}
		return r
	},
}

// heir is an active member other than the caller, to receive a transfer.
func (o *matrixOrg) heir(c joined) joined {
	for _, role := range slices.Sorted(func(yield func(string) bool) {
		for r := range o.callers {
			if !yield(r) {
				return
			}
		}
	}) {
		if h := o.callers[role]; role != "owner" && h.MemberID != c.MemberID {
			return h
		}
	}
	o.t.Fatal("no heir")
	return joined{}
}

// lowRole and otherLowRole are two roles every manager of the matrix may
// give (their permissions are within every manager's).
func (o *matrixOrg) lowRole() string {
	switch o.e.App.Service.Model().Name {
	case "practice", "wealth":
		return "client"
	}
	return "read_only"
}

func (o *matrixOrg) otherLowRole() string {
	switch o.e.App.Service.Model().Name {
	case "practice":
		return "lead"
	case "wealth":
		return "read_only"
	}
	return "editor"
}

// docs/security.md item 3: the role x endpoint matrix is data
// (testdata/role_matrix.yaml) and every cell is a test: the callers it
// allows succeed, every other caller gets 403.
func TestRoleEndpointMatrix(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/role_matrix.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m roleMatrix
	if err := yaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	presets := make([]string, 0, len(m))
	for p := range m {
		presets = append(presets, p)
	}
	sort.Strings(presets)
	for _, preset := range presets {
		spec := m[preset]
		t.Run(preset, func(t *testing.T) {
			e := New(t, preset)
			a := e.Signup("owner@example.com", "Org")
			if spec.Plan != "" {
				setPlan(t, e, a.OrgID, spec.Plan)
			}
			o := &matrixOrg{t: t, e: e, owner: a, callers: map[string]joined{"owner": {Token: a.Token, UserID: a.UserID, MemberID: a.MemberID}}}
			for key, cr := range spec.CustomRoles {
				createRole(t, e, a.Token, a.OrgID, client.RoleRequest{Name: client.Ptr(key), Permissions: client.Ptr(cr.Permissions), ClientAccess: client.Ptr(cr.ClientAccess)})
			}
			if e.App.Service.Model().HasClients() {
				o.client = createClient(t, e, a.Token, a.OrgID, "Acme")
			}
			for _, role := range spec.Roles {
				o.callers[role] = addMember(t, e, a, role, role+"@example.com")
			}
			actions := make([]string, 0, len(spec.Actions))
			for name := range spec.Actions {
				if matrixActions[name] == nil {
					t.Fatalf("role_matrix.yaml names an action the test cannot take: %s", name)
				}
				actions = append(actions, name)
			}
			sort.Strings(actions)
			callers := append([]string{"owner"}, spec.Roles...)
			for _, action := range actions {
				allowed := spec.Actions[action]
				for _, caller := range callers {
					r := matrixActions[action](o, o.callers[caller], caller)
					want := slices.Contains(allowed, "*") || slices.Contains(allowed, caller)
					refusal := http.StatusForbidden
					if slices.Contains(spec.Hidden, caller) && slices.Contains(onAMember, action) {
						refusal = http.StatusNotFound
					}
					if got := r.Status >= 200 && r.Status < 300; got != want || (!want && r.Status != refusal) {
						t.Errorf("%s by %s: got %d %s, want allowed=%v (%d when not)", action, caller, r.Status, r.Body, want, refusal)
					}
				}
			}
		})
	}
}
