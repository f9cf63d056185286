package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/apitest"
	"github.com/roster-dev/roster/internal/pgtest"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/server"
)

// docs/security.md item 1, generated from the route table: every route that
// takes an organization id or a sub-resource id, called by a member of org
// A holding each role of the preset (each system role and a custom role
// where the plan has them), with org B's ids, answers 404 (403 for an
// operator-only route), leaks none of B's data and leaves the database as
// it was. A route added to the table without a case here fails the test.
//
// It runs on SQLite and, when PostgreSQL is reachable, on PostgreSQL.
func TestTenancySweepEveryRoute(t *testing.T) {
	presets := []struct{ name, plan string }{
		{"practice", ""}, {"wealth", ""}, {"marketing", "enterprise"}, {"accounts", ""},
	}
	onBothStores(t, func(t *testing.T, newDB func(*testing.T) string) {
		for _, p := range presets {
			t.Run(p.name, func(t *testing.T) {
				sweep(t, apitest.NewOn(t, p.name, newDB(t)), p.plan)
			})
		}
	})
}

// onBothStores runs fn on SQLite and, when PostgreSQL is reachable (or
// CI=true requires it), on PostgreSQL; newDB gives each node a fresh
// database ("" for a SQLite file, else a schema of its own).
func onBothStores(t *testing.T, fn func(t *testing.T, newDB func(*testing.T) string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, func(*testing.T) string { return "" }) })
	t.Run("postgres", func(t *testing.T) {
		pgtest.Skip(t)
		url := pgtest.NewDatabase(t)
		fn(t, func(t *testing.T) string { return pgtest.NewSchema(t, url) })
	})
}

// notTenantRoutes take no organization or sub-resource id of a tenant: the
// caller's own account, public links (the token is the secret) and the
// operator's organization creation. Every other route is swept.
var notTenantRoutes = []string{
	"GET /healthz", "GET /readyz", "GET /api/v1/openapi.json",
	"POST /api/v1/signup", "POST /api/v1/verify-email", "POST /api/v1/sessions",
	"DELETE /api/v1/sessions/current", "GET /api/v1/me", "PATCH /api/v1/me",
	"POST /api/v1/me/totp", "POST /api/v1/me/totp/confirm", "POST /api/v1/me/totp/disable",
	"GET /api/v1/invitations/{token}", "POST /api/v1/invitations/accept",
	"POST /api/v1/admin/orgs",
}

// tenant is the ids of one organization that the sweep uses.
type tenant struct {
	org, owner, user         string
	active, invited, revoked string // members
	client, team, role       string // "" where the model or plan has none
}

// world is the two organizations and org A's callers, one per role.
type world struct {
	e           *apitest.Env
	a, b        tenant
	defaultRole string
	callers     map[string]string // role → session token of an org A member
	secrets     []string          // org B's data that no answer to A may carry
}

var pathParam = regexp.MustCompile(`\{([a-z]+)\}`)

// call is one request of the sweep.
type call struct {
	method, path string
	body         any
	// want is the exact status; 0 accepts any refusal (4xx) for a call on
	// org A's own resources that names one of B's ids only in its body; -1
	// accepts any answer but a 5xx (a filter or a check: its answer is
	// searched for B's data like every other).
	want int
}

func sweep(t *testing.T, e *apitest.Env, plan string) {
	w := setup(t, e, plan)
	calls := w.calls(t)
	if len(calls) == 0 {
		t.Fatal("the sweep generated no calls")
	}
	t.Logf("%d calls by each of %d callers", len(calls), len(w.callers))
	for role, token := range w.callers {
		// The caller's own first request in A sets its last_active_at: make
		// it before the snapshot.
		e.Must(200, "GET", "/api/v1/orgs/"+w.a.org, token, nil)
		before := e.DatabaseText()
		for _, c := range calls {
			r := e.Do(c.method, c.path, token, c.body)
			switch {
			case c.want == -1 && r.Status >= 500:
				t.Errorf("role %s: %s %s: got %d %s", role, c.method, c.path, r.Status, r.Body)
			case c.want > 0 && r.Status != c.want:
				t.Errorf("role %s: %s %s: got %d %s, want %d", role, c.method, c.path, r.Status, r.Body, c.want)
			case c.want == 0 && (r.Status < 400 || r.Status >= 500):
				t.Errorf("role %s: %s %s (B's ids in the body): got %d %s, want a refusal", role, c.method, c.path, r.Status, r.Body)
			}
			for _, s := range w.secrets {
				if strings.Contains(string(r.Body), s) {
					t.Errorf("role %s: %s %s: the answer carries org B's %q: %s", role, c.method, c.path, s, r.Body)
				}
			}
		}
		if after := e.DatabaseText(); after != before {
			t.Errorf("role %s: the sweep changed the database:\n%s", role, diffLines(before, after))
		}
	}
}

// calls generates the sweep's requests from the route table.
func (w *world) calls(t *testing.T) []call {
	var out []call
	for _, rt := range server.RouteTableForTest() {
		if slices.Contains(notTenantRoutes, rt.Pattern) {
			continue
		}
		method, path, _ := strings.Cut(rt.Pattern, " ")
		params := pathParam.FindAllStringSubmatch(path, -1)
		if len(params) == 0 && rt.Need != roster.RequireOperator {
			t.Errorf("%s takes no organization id and is not in notTenantRoutes: add it to one or the other", rt.Pattern)
			continue
		}
		want := http.StatusNotFound
		if rt.Need == roster.RequireOperator {
			want = http.StatusForbidden // the operator token, not a member's session
		}
		needsBody := method == "POST" || method == "PUT" || method == "PATCH"
		bodyFn, hasBody := bodies[rt.Pattern]
		if needsBody && !hasBody {
			t.Errorf("%s: the sweep has no plausible body for it: add one to bodies", rt.Pattern)
			continue
		}
		body := func(ids tenant) any {
			if !needsBody {
				return nil
			}
			return bodyFn(w, ids)
		}
		// Org B in the path with B's sub-resources, then org A in the path
		// with B's sub-resources; a body names the path's organization's ids.
		for _, sub := range w.subs(t, rt.Pattern, params, w.b) {
			out = append(out, call{method, fill(path, w.b.org, sub) + query(rt.Pattern, w.b), body(w.b), want})
			if len(params) > 1 && rt.Need != roster.RequireOperator {
				out = append(out, call{method, fill(path, w.a.org, sub) + query(rt.Pattern, w.a), body(w.a), want})
			}
		}
		// Org A's own resources, B's ids in the body or query only.
		if f, ok := foreignBodies[rt.Pattern]; ok && rt.Need != roster.RequireOperator {
			for _, sub := range w.subs(t, rt.Pattern, params, w.a) {
				for _, b := range f(w) {
					out = append(out, call{method, fill(path, w.a.org, sub) + b.query, b.body, b.want})
				}
			}
		}
	}
	return out
}

// subs lists the values of a route's sub-resource parameters, taken from
// ids: every member kind for {member}.
func (w *world) subs(t *testing.T, pattern string, params [][]string, ids tenant) []map[string]string {
	out := []map[string]string{{}}
	for _, p := range params {
		var vals []string
		switch p[1] {
		case "org":
			continue
		case "member":
			vals = []string{ids.active, ids.invited, ids.revoked, ids.owner}
		case "client":
			vals = []string{ids.client}
		case "team":
			vals = []string{ids.team}
		case "key":
			vals = []string{ids.role}
		default:
			t.Errorf("%s: the sweep does not know the path parameter {%s}", pattern, p[1])
			return nil
		}
		vals = slices.DeleteFunc(vals, func(v string) bool { return v == "" })
		if len(vals) == 0 {
			vals = []string{"none"} // the model or plan lacks it: 404 all the same
		}
		var next []map[string]string
		for _, m := range out {
			for _, v := range vals {
				n := map[string]string{p[1]: v}
				for k, x := range m {
					n[k] = x
				}
				next = append(next, n)
			}
		}
		out = next
	}
	return out
}

func fill(path, org string, sub map[string]string) string {
	path = strings.ReplaceAll(path, "{org}", org)
	for k, v := range sub {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	return path
}

func query(pattern string, ids tenant) string {
	if pattern == "DELETE /api/v1/orgs/{org}/roles/{key}" {
		return "?reassign_to=" + url.QueryEscape(ids.roleOr("x"))
	}
	return ""
}

func (ids tenant) roleOr(def string) string {
	if ids.role != "" {
		return ids.role
	}
	return def
}

const orgPath = "/api/v1/orgs/{org}"

// bodies builds a plausible valid body for each write route, naming the ids
// of the organization in the path.
var bodies = map[string]func(w *world, ids tenant) any{
	"PATCH " + orgPath:                                 func(*world, tenant) any { return map[string]any{"name": "pwned"} },
	"POST " + orgPath + "/transfer-ownership":          func(_ *world, ids tenant) any { return map[string]any{"member_id": ids.active} },
	"POST " + orgPath + "/billing-contact":             func(_ *world, ids tenant) any { return map[string]any{"member_id": ids.active} },
	"PATCH " + orgPath + "/members/{member}":           func(w *world, _ tenant) any { return map[string]any{"role": w.defaultRole} },
	"POST " + orgPath + "/members/{member}/revoke":     func(*world, tenant) any { return map[string]any{} },
	"POST " + orgPath + "/members/{member}/reactivate": func(*world, tenant) any { return map[string]any{} },
	"POST " + orgPath + "/members/{member}/resend":     func(*world, tenant) any { return map[string]any{} },
	"PUT " + orgPath + "/members/{member}/clients": func(_ *world, ids tenant) any {
		return map[string]any{"mode": "specific", "clients": nonEmpty(ids.client)}
	},
	"POST " + orgPath + "/invitations": func(w *world, _ tenant) any {
		return map[string]any{"emails": []string{"sweep-new@example.com"}, "role": w.defaultRole, "first_name": "Sw", "last_name": "Eep"}
	},
	"POST " + orgPath + "/roles": func(*world, tenant) any {
		return map[string]any{"name": "Sweep Role", "permissions": []string{}}
	},
	"PUT " + orgPath + "/roles/order":   func(_ *world, ids tenant) any { return map[string]any{"roles": nonEmpty(ids.role)} },
	"PATCH " + orgPath + "/roles/{key}": func(*world, tenant) any { return map[string]any{"description": "pwned"} },
	"POST " + orgPath + "/teams":        func(*world, tenant) any { return map[string]any{"name": "Sweep team"} },
	"POST " + orgPath + "/clients":      func(*world, tenant) any { return map[string]any{"name": "Sweep client"} },
	"PATCH " + orgPath + "/clients/{client}": func(*world, tenant) any {
		return map[string]any{"status": "archived"}
	},
	"POST " + orgPath + "/check": func(_ *world, ids tenant) any {
		return map[string]any{"user_id": ids.user, "permission": "users.manage"}
	},
	"POST /api/v1/check": func(_ *world, ids tenant) any {
		return map[string]any{"checks": []map[string]any{{"org_id": ids.org, "user_id": ids.user, "permission": "users.manage"}}}
	},
	"PATCH /api/v1/admin/orgs/{org}": func(*world, tenant) any { return map[string]any{"plan": "none"} },
}

func nonEmpty(id string) []string {
	if id == "" {
		return []string{}
	}
	return []string{id}
}

// foreign is a call on org A's own resources naming B's ids in its body or
// query.
type foreign struct {
	query string
	body  any
	want  int
}

// foreignBodies are the write routes (and filters) whose body or query
// names other resources: with B's ids they are refused (or, for a filter,
// answer without B's data) and change nothing.
var foreignBodies = map[string]func(w *world) []foreign{
	"POST " + orgPath + "/transfer-ownership": func(w *world) []foreign {
		return []foreign{{body: map[string]any{"member_id": w.b.active}}, {body: map[string]any{"member_id": w.b.owner}}}
	},
	"POST " + orgPath + "/billing-contact": func(w *world) []foreign {
		return []foreign{{body: map[string]any{"member_id": w.b.active}}}
	},
	"PATCH " + orgPath + "/members/{member}": func(w *world) []foreign {
		out := []foreign{{body: map[string]any{"role": w.b.roleOr("none")}}}
		if w.b.team != "" {
			out = append(out, foreign{body: map[string]any{"teams": []string{w.b.team}}})
		}
		return out
	},
	"PUT " + orgPath + "/members/{member}/clients": func(w *world) []foreign {
		if w.b.client == "" {
			return nil
		}
		return []foreign{{body: map[string]any{"mode": "specific", "clients": []string{w.b.client}}}}
	},
	"POST " + orgPath + "/invitations": func(w *world) []foreign {
		base := func() map[string]any {
			return map[string]any{"emails": []string{"sweep-foreign@example.com"}, "role": w.defaultRole, "first_name": "Sw", "last_name": "Eep"}
		}
		var out []foreign
		if w.b.role != "" {
			b := base()
			b["role"] = w.b.role
			out = append(out, foreign{body: b})
		}
		if w.b.team != "" {
			b := base()
			b["teams"] = []string{w.b.team}
			out = append(out, foreign{body: b})
		}
		if w.b.client != "" {
			b := base()
			b["client_access"] = map[string]any{"mode": "specific", "clients": []string{w.b.client}}
			out = append(out, foreign{body: b})
		}
		return out
	},
	"PUT " + orgPath + "/roles/order": func(w *world) []foreign {
		if w.b.role == "" {
			return nil
		}
		return []foreign{{body: map[string]any{"roles": []string{w.b.role}}}}
	},
	"DELETE " + orgPath + "/roles/{key}": func(w *world) []foreign {
		if w.b.role == "" {
			return nil
		}
		return []foreign{{query: "?reassign_to=" + w.b.role}}
	},
	// Filters and checks answer, but with nothing of B's (the sweep greps
	// every answer for B's data).
	"GET " + orgPath + "/members": func(w *world) []foreign {
		return []foreign{{query: "?q=" + url.QueryEscape("bravo"), want: 200}, {query: "?role=" + w.b.roleOr(w.defaultRole), want: -1}}
	},
	"GET " + orgPath + "/audit": func(w *world) []foreign {
		return []foreign{{query: "?member_id=" + w.b.active, want: -1}, {query: "?actor=" + w.b.user, want: -1}}
	},
	"POST " + orgPath + "/check": func(w *world) []foreign {
		out := []foreign{{body: map[string]any{"user_id": w.b.user, "permission": "users.manage"}, want: -1}}
		if w.b.client != "" {
			out = append(out, foreign{body: map[string]any{"user_id": w.a.user, "permission": "clients.view", "client_id": w.b.client}, want: -1})
		}
		return out
	},
}

// setup makes org A with a member of every role, and org B with a member
// of each status, a client, a team and a custom role where the model has
// them. B's names and emails all hold "bravo".
func setup(t *testing.T, e *apitest.Env, plan string) *world {
	a := e.Signup("alpha-owner@example.com", "Alpha")
	b := e.Signup("bravo-owner@example.com", "Bravo Secret Org")
	if plan != "" {
		for _, o := range []string{a.OrgID, b.OrgID} {
			e.Must(200, "PATCH", "/api/v1/admin/orgs/"+o, apitest.OperatorToken, map[string]any{"plan": plan})
		}
	}
	var orgJSON struct {
		CustomRoles bool `json:"custom_roles_available"`
	}
	e.Must(200, "GET", "/api/v1/orgs/"+a.OrgID, a.Token, nil).JSON(t, &orgJSON)
	var roles struct {
		Roles []struct {
			Key    string `json:"key"`
			System bool   `json:"system"`
		} `json:"roles"`
	}
	e.Must(200, "GET", "/api/v1/orgs/"+a.OrgID+"/roles", a.Token, nil).JSON(t, &roles)
	var perms struct {
		Features []struct {
			Permissions []struct{ Key string } `json:"permissions"`
		} `json:"features"`
	}
	e.Must(200, "GET", "/api/v1/orgs/"+a.OrgID+"/permissions", a.Token, nil).JSON(t, &perms)
	var all []string
	for _, f := range perms.Features {
		for _, p := range f.Permissions {
			all = append(all, p.Key)
		}
	}

	w := &world{e: e, callers: map[string]string{}}
	var ownerMe struct {
		Memberships []struct {
			Role string `json:"role"`
		} `json:"memberships"`
	}
	e.Must(200, "GET", "/api/v1/me", a.Token, nil).JSON(t, &ownerMe)
	ownerRole := ownerMe.Memberships[0].Role
	w.callers[ownerRole+" (owner)"] = a.Token

	mk := func(acct apitest.Account) tenant {
		return tenant{org: acct.OrgID, owner: acct.MemberID, user: acct.UserID}
	}
	w.a, w.b = mk(a), mk(b)

	// B's resources.
	if r := e.Do("POST", "/api/v1/orgs/"+b.OrgID+"/clients", b.Token, map[string]any{"name": "Bravo client"}); r.Status == 201 {
		w.b.client = r.M(t)["id"].(string)
		w.secrets = append(w.secrets, "Bravo client")
	}
	if r := e.Do("POST", "/api/v1/orgs/"+b.OrgID+"/teams", b.Token, map[string]any{"name": "Bravo team"}); r.Status == 201 {
		w.b.team = r.M(t)["id"].(string)
		w.secrets = append(w.secrets, "Bravo team")
	}
	if orgJSON.CustomRoles {
		r := e.Must(201, "POST", "/api/v1/orgs/"+b.OrgID+"/roles", b.Token, map[string]any{"name": "Bravo Role", "permissions": []string{}})
		w.b.role = r.M(t)["key"].(string)
		w.secrets = append(w.secrets, "Bravo Role")
		r = e.Must(201, "POST", "/api/v1/orgs/"+a.OrgID+"/roles", a.Token, map[string]any{"name": "Alpha Custom", "permissions": all})
		w.a.role = r.M(t)["key"].(string)
	}
	w.defaultRole = defaultRole(t, e, a, roles.Roles[len(roles.Roles)-1].Key)
	w.b.active = join(t, e, b, w.defaultRole, "bravo-active@example.com").MemberID
	w.b.user = join(t, e, b, w.defaultRole, "bravo-user@example.com").UserID
	w.b.invited = inviteOnly(t, e, b, w.defaultRole, "bravo-invited@example.com")
	w.b.revoked = join(t, e, b, w.defaultRole, "bravo-revoked@example.com").MemberID
	e.Must(200, "POST", "/api/v1/orgs/"+b.OrgID+"/members/"+w.b.revoked+"/revoke", b.Token, nil)
	w.secrets = append(w.secrets, "Bravo Secret Org", "bravo-owner@example.com", "bravo-active@example.com",
		"bravo-user@example.com", "bravo-invited@example.com", "bravo-revoked@example.com", b.UserID)

	// A's own resources and a caller per role.
	if r := e.Do("POST", "/api/v1/orgs/"+a.OrgID+"/clients", a.Token, map[string]any{"name": "Alpha client"}); r.Status == 201 {
		w.a.client = r.M(t)["id"].(string)
	}
	if r := e.Do("POST", "/api/v1/orgs/"+a.OrgID+"/teams", a.Token, map[string]any{"name": "Alpha team"}); r.Status == 201 {
		w.a.team = r.M(t)["id"].(string)
	}
	target := join(t, e, a, w.defaultRole, "alpha-target@example.com")
	w.a.active, w.a.user = target.MemberID, target.UserID
	w.a.invited = inviteOnly(t, e, a, w.defaultRole, "alpha-invited@example.com")
	keys := []string{}
	for _, r := range roles.Roles {
		keys = append(keys, r.Key)
	}
	if w.a.role != "" {
		keys = append(keys, w.a.role)
	}
	for i, key := range keys {
		if key == ownerRole {
			continue
		}
		email := fmt.Sprintf("alpha-%d@example.com", i)
		r := e.Do("POST", "/api/v1/orgs/"+a.OrgID+"/invitations", a.Token, inviteBody(key, email))
		if r.Status == 422 {
			continue // not assignable (the accounts preset's primary)
		}
		if r.Status != 200 {
			t.Fatalf("invite %s as %s: got %d %s", email, key, r.Status, r.Body)
		}
		w.callers[key] = accept(t, e, email).Token
	}
	if len(w.callers) < 2 {
		t.Fatalf("only %d callers: %v", len(w.callers), w.callers)
	}
	return w
}

// defaultRole is a role every org has and any manager may assign: the
// model's default role, read from an invitation without a role.
func defaultRole(t *testing.T, e *apitest.Env, owner apitest.Account, fallback string) string {
	r := e.Must(200, "POST", "/api/v1/orgs/"+owner.OrgID+"/invitations", owner.Token,
		map[string]any{"emails": []string{"probe@example.com"}, "first_name": "Pro", "last_name": "Be"})
	var res struct {
		Results []struct {
			MemberID string `json:"member_id"`
		} `json:"results"`
	}
	r.JSON(t, &res)
	var m struct {
		Role string `json:"role"`
	}
	e.Must(200, "GET", "/api/v1/orgs/"+owner.OrgID+"/members/"+res.Results[0].MemberID, owner.Token, nil).JSON(t, &m)
	if m.Role == "" {
		return fallback
	}
	return m.Role
}

func inviteBody(role, email string) map[string]any {
	return map[string]any{"emails": []string{email}, "role": role, "first_name": "Mem", "last_name": "Ber"}
}

func inviteOnly(t *testing.T, e *apitest.Env, owner apitest.Account, role, email string) string {
	r := e.Must(200, "POST", "/api/v1/orgs/"+owner.OrgID+"/invitations", owner.Token, inviteBody(role, email))
	var res struct {
		Results []struct {
			Status   string `json:"status"`
			MemberID string `json:"member_id"`
		} `json:"results"`
	}
	r.JSON(t, &res)
	if res.Results[0].Status != "invited" {
		t.Fatalf("invite %s: %s", email, r.Body)
	}
	return res.Results[0].MemberID
}

type joinedMember struct{ Token, UserID, MemberID string }

func join(t *testing.T, e *apitest.Env, owner apitest.Account, role, email string) joinedMember {
	inviteOnly(t, e, owner, role, email)
	return accept(t, e, email)
}

func accept(t *testing.T, e *apitest.Env, email string) joinedMember {
	tok := e.LastToken(email, "invite")
	r := e.Must(200, "POST", "/api/v1/invitations/accept", "", map[string]any{
		"token": tok, "password": apitest.Password, "first_name": "Mem", "last_name": "Ber",
	})
	var b struct {
		Token  string
		User   struct{ ID string }
		Member struct{ ID string }
	}
	r.JSON(t, &b)
	return joinedMember{Token: b.Token, UserID: b.User.ID, MemberID: b.Member.ID}
}

// diffLines lists the lines only in one of two dumps.
func diffLines(before, after string) string {
	bl, al := strings.Split(before, "\n"), strings.Split(after, "\n")
	var b strings.Builder
	for _, l := range bl {
		if !slices.Contains(al, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range al {
		if !slices.Contains(bl, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}
