package main

import (
	"errors"

	"github.com/casbin/casbin/v2"
	cmodel "github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/roster-dev/roster/internal/roster"
)

// casbinModel is RBAC with domains, one domain per organization:
//
//   - p: a role holds a permission, on the organization ("org") or per client
//     ("client"); the roles are the model's, the same in every organization,
//     so they are written once rather than once per domain.
//   - g: user has role in organization; active members only (an invited or
//     revoked member has no role, so nothing).
//   - g2: user's client access in organization: the object "all_clients"
//     for a member whose effective mode (R10) is all, one link per
//     assigned client for a member in mode specific, none for mode none.
//   - g3: client belongs to organization (so that an unknown client, or one
//     of another organization, is refused even to a member who sees all).
//
// An organization-wide permission is granted whatever the object; a
// per-client one needs a client of the organization inside the member's
// access.
const casbinModel = `
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _, _
g2 = _, _, _
g3 = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.act == p.act && g(r.sub, p.sub, r.dom) && (p.obj == "org" || g3(r.obj, r.dom) && (g2(r.sub, "all_clients", r.dom) || g2(r.sub, r.obj, r.dom)))
`

const allClients = "all_clients"

type casbinEval struct {
	e *casbin.Enforcer
}

func (*casbinEval) name() string { return "Casbin v2 (RBAC, domains)" }

func (c *casbinEval) load(w *workload) error {
	m, err := cmodel.NewModelFromString(casbinModel)
	if err != nil {
		return err
	}
	// Loading through an adapter is how an enforcer is filled at start-up:
	// the policy lines, then one build of the role links.
	c.e, err = casbin.NewEnforcer(m, &workloadAdapter{w})
	return err
}

func (c *casbinEval) check(q *query) (bool, error) {
	return c.e.Enforce(string(q.User), string(q.Org), string(q.Client), q.Perm)
}

func (*casbinEval) close() {}

// workloadAdapter is a read-only casbin adapter over the workload: the
// policy lines a database adapter would return.
type workloadAdapter struct{ w *workload }

func (a *workloadAdapter) LoadPolicy(m cmodel.Model) error {
	for _, line := range casbinPolicy(a.w) {
		if err := persist.LoadPolicyArray(line, m); err != nil {
			return err
		}
	}
	return nil
}

// casbinPolicy translates the model and the organizations into policy
// lines; it is what a Roster-to-Casbin sync would write.
func casbinPolicy(w *workload) [][]string {
	var lines [][]string
	for _, role := range w.Model.Roles {
		for _, key := range role.Permissions {
			obj := "org"
			if p, _ := w.Model.Permission(key); p.PerClient {
				obj = "client"
			}
			lines = append(lines, []string{"p", role.Key, obj, key})
		}
	}
	for i := range w.Orgs {
		a := &w.Orgs[i]
		dom := string(a.OrgID)
		for _, cl := range a.Clients {
			lines = append(lines, []string{"g3", string(cl), dom})
		}
		grants(w.Model, a, func(g grant) {
			sub := string(g.user)
			lines = append(lines, []string{"g", sub, g.role, dom})
			switch g.mode {
			case roster.AccessAll:
				lines = append(lines, []string{"g2", sub, allClients, dom})
			case roster.AccessSpecific:
				for _, cl := range g.clients {
					lines = append(lines, []string{"g2", sub, string(cl), dom})
				}
			}
		})
	}
	return lines
}

var errReadOnly = errors.New("the workload adapter is read-only")

func (*workloadAdapter) SavePolicy(cmodel.Model) error               { return errReadOnly }
func (*workloadAdapter) AddPolicy(string, string, []string) error    { return errReadOnly }
func (*workloadAdapter) RemovePolicy(string, string, []string) error { return errReadOnly }
func (*workloadAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return errReadOnly
}
