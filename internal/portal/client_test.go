package portal_test

import (
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/apitest"
)

// formClient is a person using the portal without JavaScript: a cookie
// jar, GETs, and form posts carrying the page's CSRF token.
type formClient struct {
	t    *testing.T
	e    *apitest.Env
	http *http.Client
	last string // the last page's body
}

func newClient(t *testing.T, e *apitest.Env) *formClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &formClient{t: t, e: e, http: &http.Client{Jar: jar}}
}

type page struct {
	Status int
	Body   string
	URL    string
	Header http.Header
}

func (c *formClient) do(req *http.Request) page {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	c.last = string(b)
	return page{Status: res.StatusCode, Body: string(b), URL: res.Request.URL.Path, Header: res.Header}
}

// get fetches a page, following redirects.
func (c *formClient) get(path string) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token of the last page's forms.
func (c *formClient) csrf() string {
	c.t.Helper()
	m := csrfRE.FindStringSubmatch(c.last)
	if m == nil {
		c.t.Fatalf("no CSRF token on the last page:\n%s", c.last)
	}
	return html.UnescapeString(m[1])
}

// post sends a form with the last page's CSRF token, following redirects.
func (c *formClient) post(path string, form url.Values) page {
	c.t.Helper()
	if form.Get("csrf") == "" {
		form.Set("csrf", c.csrf())
	}
	return c.postRaw(path, form, nil)
}

func (c *formClient) postRaw(path string, form url.Values, header map[string]string) page {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.e.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return c.do(req)
}

// mustContain fails unless the page has status 200 and every text.
func mustContain(t *testing.T, p page, texts ...string) {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("%s: status %d, want 200\n%s", p.URL, p.Status, p.Body)
	}
	for _, s := range texts {
		if !strings.Contains(p.Body, s) {
			t.Fatalf("%s: the page lacks %q\n%s", p.URL, s, p.Body)
		}
	}
}

// signup creates an account and its organization through the sign-up form
// and returns the organization's path prefix (/o/<id>).
func (c *formClient) signup(email, first, org string) string {
	c.t.Helper()
	c.get("/signup")
	p := c.post("/signup", url.Values{"email": {email}, "password": {apitest.Password}, "first_name": {first},
		"last_name": {"Tester"}, "organization_name": {org}})
	mustContain(c.t, p, "Users")
	return orgBase(c.t, p.URL)
}

// login signs in through the login form.
func (c *formClient) login(email string) page {
	c.t.Helper()
	c.get("/login")
	return c.post("/login", url.Values{"email": {email}, "password": {apitest.Password}})
}

var orgPathRE = regexp.MustCompile(`^/o/(org_[a-z0-9]+)`)

func orgBase(t *testing.T, path string) string {
	t.Helper()
	m := orgPathRE.FindStringSubmatch(path)
	if m == nil {
		t.Fatalf("not an organization page: %s", path)
	}
	return "/o/" + m[1]
}

var memberRE = regexp.MustCompile(`data-email="([^"]+)" data-status="[a-z]+">\s*<td>\s*<a class="person" href="/o/org_[a-z0-9]+/users/(mem_[a-z0-9]+)"`)

// memberID finds a member's id in the Users table of the last page.
func (c *formClient) memberID(email string) string {
	c.t.Helper()
	for _, m := range memberRE.FindAllStringSubmatch(c.last, -1) {
		if m[1] == strings.ToLower(email) {
			return m[2]
		}
	}
	c.t.Fatalf("no row for %s on the last page", email)
	return ""
}
