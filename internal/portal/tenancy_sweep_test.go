package portal_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/apitest"
)

// portalRoute is one page of Portal.routes.
type portalRoute struct{ method, path string }

// portalRoutes reads the page list from Portal.routes in portal.go: every
// p.get and p.post call, with the path's constant prefix resolved. The
// sweep below is generated from it, so a page added there is swept.
func portalRoutes(t *testing.T) []portalRoute {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "portal.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []portalRoute
	consts := map[string]string{}
	str := func(e ast.Expr) (string, bool) {
		var parts []string
		var walk func(e ast.Expr) bool
		walk = func(e ast.Expr) bool {
			switch x := e.(type) {
			case *ast.BasicLit:
				s, err := strconv.Unquote(x.Value)
				parts = append(parts, s)
				return err == nil
			case *ast.Ident:
				v, ok := consts[x.Name]
				parts = append(parts, v)
				return ok
			case *ast.BinaryExpr:
				return x.Op == token.ADD && walk(x.X) && walk(x.Y)
			}
			return false
		}
		ok := walk(e)
		return strings.Join(parts, ""), ok
	}
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "routes" {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if gd, ok := n.(*ast.GenDecl); ok && gd.Tok == token.CONST {
				for _, s := range gd.Specs {
					vs := s.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if v, ok := str(vs.Values[i]); ok {
							consts[name.Name] = v
						}
					}
				}
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "get" && sel.Sel.Name != "post") || len(call.Args) == 0 {
				return true
			}
			if recv, ok := sel.X.(*ast.Ident); !ok || recv.Name != "p" {
				return true
			}
			path, ok := str(call.Args[0])
			if !ok {
				t.Errorf("portal.go: cannot read the path of a p.%s call", sel.Sel.Name)
				return true
			}
			out = append(out, portalRoute{strings.ToUpper(sel.Sel.Name), path})
			return true
		})
	}
	if len(out) < 10 {
		t.Fatalf("read only %d pages from Portal.routes", len(out))
	}
	return out
}

// docs/security.md item 1 for the portal: every page under /o/{org}, opened or
// posted (with a valid CSRF token and a plausible form) by a member of org
// A holding each role, with org B's id or B's members, clients, teams or
// roles, answers 404 (a form posted on A's own pages naming B's sub-resource
// may instead return to A's page with an error message, as any refused row
// action does), shows none of B's data and changes nothing. SQLite by
// default; set ROSTER_APITEST_PG to run it on PostgreSQL.
func TestPortalTenancySweep(t *testing.T) {
	for _, preset := range []string{"practice", "marketing"} {
		t.Run(preset, func(t *testing.T) { portalSweep(t, preset) })
	}
}

var portalParam = regexp.MustCompile(`\{([a-z$]+)\}`)

func portalSweep(t *testing.T, preset string) {
	e := apitest.New(t, preset)
	a := e.Signup("alpha-owner@example.com", "Alpha")
	b := e.Signup("bravo-owner@example.com", "Bravo Secret Org")
	if preset == "marketing" {
		for _, o := range []string{a.OrgID, b.OrgID} {
			e.Must(200, "PATCH", "/api/v1/admin/orgs/"+o, apitest.OperatorToken, map[string]any{"plan": "enterprise"})
		}
	}
	api := func(acct apitest.Account, method, path string, body any) map[string]any {
		r := e.Do(method, "/api/v1/orgs/"+acct.OrgID+path, acct.Token, body)
		if r.Status >= 300 {
			return nil
		}
		if len(r.Body) == 0 {
			return map[string]any{}
		}
		return r.M(t)
	}
	id := func(m map[string]any, key string) string {
		if m == nil {
			return ""
		}
		s, _ := m[key].(string)
		return s
	}
	join := func(acct apitest.Account, role, email string) (member string) {
		res := api(acct, "POST", "/invitations", map[string]any{"emails": []string{email}, "role": role, "first_name": "Mem", "last_name": "Ber"})
		if res == nil {
			return ""
		}
		results, _ := res["results"].([]any)
		r0, _ := results[0].(map[string]any)
		if r0["status"] != "invited" {
			return ""
		}
		tok := e.LastToken(email, "invite")
		r := e.Must(200, "POST", "/api/v1/invitations/accept", "", map[string]any{"token": tok, "password": apitest.Password, "first_name": "Mem", "last_name": "Ber"})
		return id(r.M(t)["member"].(map[string]any), "id")
	}
	var roles struct {
		Roles []struct {
			Key string `json:"key"`
		} `json:"roles"`
	}
	e.Must(200, "GET", "/api/v1/orgs/"+a.OrgID+"/roles", a.Token, nil).JSON(t, &roles)
	defaultRole := roles.Roles[len(roles.Roles)-1].Key

	bIDs := map[string][]string{}
	bIDs["client"] = []string{id(api(b, "POST", "/clients", map[string]any{"name": "Bravo client"}), "id")}
	bIDs["team"] = []string{id(api(b, "POST", "/teams", map[string]any{"name": "Bravo team"}), "id")}
	bIDs["key"] = []string{id(api(b, "POST", "/roles", map[string]any{"name": "Bravo Role", "permissions": []string{}}), "key")}
	active := join(b, defaultRole, "bravo-active@example.com")
	revoked := join(b, defaultRole, "bravo-revoked@example.com")
	api(b, "POST", "/members/"+revoked+"/revoke", nil)
	invited := id(api(b, "POST", "/invitations", map[string]any{"emails": []string{"bravo-invited@example.com"}, "role": defaultRole}), "")
	_ = invited
	var bm struct {
		Members []struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"members"`
	}
	e.Must(200, "GET", "/api/v1/orgs/"+b.OrgID+"/members", b.Token, nil).JSON(t, &bm)
	for _, m := range bm.Members {
		bIDs["member"] = append(bIDs["member"], m.ID) // owner, active, revoked, invited
	}
	if len(bIDs["member"]) != 4 || active == "" {
		t.Fatalf("org B's members: %+v", bm.Members)
	}
	bIDs["action"] = []string{"revoke", "reactivate", "delete", "resend", "transfer", "billing"}
	secrets := []string{"Bravo Secret Org", "Bravo client", "Bravo team", "Bravo Role", "bravo-owner@example.com",
		"bravo-active@example.com", "bravo-revoked@example.com", "bravo-invited@example.com"}

	forms := map[string]func(ids map[string]string) url.Values{
		"/users/invite": func(map[string]string) url.Values {
			return url.Values{"emails": {"sweep@example.com"}, "role": {defaultRole}, "first_name": {"Sw"}, "last_name": {"Eep"}}
		},
		"/users/{member}/clients": func(ids map[string]string) url.Values {
			return url.Values{"mode": {"specific"}, "clients": {ids["client"]}}
		},
		"/users/{member}/role":     func(map[string]string) url.Values { return url.Values{"role": {defaultRole}} },
		"/users/{member}/agent":    func(map[string]string) url.Values { return url.Values{"agent_access": {"on"}} },
		"/users/{member}/teams":    func(ids map[string]string) url.Values { return url.Values{"teams": {ids["team"]}} },
		"/users/{member}/{action}": func(map[string]string) url.Values { return url.Values{} },
		"/roles": func(map[string]string) url.Values {
			return url.Values{"name": {"Sweep Role"}, "client_access": {"none"}}
		},
		"/roles/order":        func(ids map[string]string) url.Values { return url.Values{"order": {ids["key"]}} },
		"/roles/{key}":        func(map[string]string) url.Values { return url.Values{"name": {"Pwned"}, "description": {"pwned"}} },
		"/roles/{key}/delete": func(map[string]string) url.Values { return url.Values{"reassign_to": {defaultRole}} },
		"/clients":            func(map[string]string) url.Values { return url.Values{"name": {"Sweep client"}} },
		"/clients/{client}/status": func(map[string]string) url.Values {
			return url.Values{"status": {"archived"}}
		},
		"/settings":            func(map[string]string) url.Values { return url.Values{"name": {"pwned"}} },
		"/teams":               func(map[string]string) url.Values { return url.Values{"name": {"Sweep team"}} },
		"/teams/{team}/delete": func(map[string]string) url.Values { return url.Values{} },
	}

	type call struct {
		method, path string
		form         url.Values
		ownOrg       bool // org A's path with B's sub-resource
	}
	var calls []call
	for _, rt := range portalRoutes(t) {
		rest, ok := strings.CutPrefix(rt.path, "/o/{org}")
		if !ok {
			if strings.Contains(rt.path, "{") && !strings.Contains(rt.path, "{token}") && !strings.Contains(rt.path, "{$}") {
				t.Errorf("%s %s takes an id outside /o/{org}: sweep it", rt.method, rt.path)
			}
			continue
		}
		var formFn func(map[string]string) url.Values
		if rt.method == "POST" {
			if formFn = forms[rest]; formFn == nil {
				t.Errorf("POST %s: the sweep has no plausible form for it: add one", rt.path)
				continue
			}
		}
		params := portalParam.FindAllStringSubmatch(rest, -1)
		combos := []map[string]string{{}}
		for _, p := range params {
			vals := bIDs[p[1]]
			if len(vals) == 0 {
				t.Errorf("%s: the sweep does not know {%s}", rt.path, p[1])
			}
			var next []map[string]string
			for _, c := range combos {
				for _, v := range vals {
					n := map[string]string{p[1]: v}
					for k, x := range c {
						n[k] = x
					}
					next = append(next, n)
				}
			}
			combos = next
		}
		for _, c := range combos {
			p := rest
			for k, v := range c {
				p = strings.ReplaceAll(p, "{"+k+"}", v)
			}
			var form url.Values
			if formFn != nil {
				form = formFn(c)
			}
			calls = append(calls, call{rt.method, "/o/" + b.OrgID + p, form, false})
			if len(params) > 0 && !(len(params) == 1 && params[0][1] == "action") {
				calls = append(calls, call{rt.method, "/o/" + a.OrgID + p, form, true})
			}
		}
	}

	callers := map[string]string{"owner": "alpha-owner@example.com"}
	for i, r := range roles.Roles {
		email := "alpha-" + strconv.Itoa(i) + "@example.com"
		if join(a, r.Key, email) != "" {
			callers[r.Key] = email
		}
	}
	if len(callers) < 3 {
		t.Fatalf("callers: %v", callers)
	}
	t.Logf("%d pages × %d callers", len(calls), len(callers))
	for role, email := range callers {
		c := newClient(t, e)
		if p := c.login(email); p.Status != http.StatusOK {
			t.Fatalf("%s: login: %d", role, p.Status)
		}
		c.get("/o/" + a.OrgID + "/users") // the caller's own activity, before the snapshot
		c.get("/account")
		csrf := c.csrf()
		before := e.DatabaseText()
		for _, k := range calls {
			var p page
			if k.method == "GET" {
				p = c.get(k.path)
			} else {
				f := url.Values{"csrf": {csrf}}
				for key, v := range k.form {
					f[key] = v
				}
				p = c.postRaw(k.path, f, nil)
			}
			// A row action on org A's own page refuses B's id the way it
			// refuses any: back to A's page with the service's error.
			refusedOnOwnPage := k.ownOrg && k.method == "POST" && p.Status == http.StatusOK &&
				strings.HasPrefix(p.URL, "/o/"+a.OrgID+"/") && strings.Contains(p.Body, `class="flash flash-error"`)
			if p.Status != http.StatusNotFound && !refusedOnOwnPage {
				t.Errorf("%s: %s %s: got %d (at %s), want 404", role, k.method, k.path, p.Status, p.URL)
			}
			for _, s := range secrets {
				if strings.Contains(p.Body, s) {
					t.Errorf("%s: %s %s: the page shows org B's %q", role, k.method, k.path, s)
				}
			}
		}
		if after := e.DatabaseText(); after != before {
			t.Errorf("%s: the sweep changed the database", role)
			for _, l := range strings.Split(after, "\n") {
				if !slices.Contains(strings.Split(before, "\n"), l) {
					t.Logf("+ %s", l)
				}
			}
		}
	}
}
