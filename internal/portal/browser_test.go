package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/roster-dev/roster/internal/apitest"
)

// The browser tests drive headless Chromium (Debian's chromium package)
// against a whole node (internal/app on a real SQLite file, served by
// httptest). One browser serves every test; each person gets a browser
// context of their own (separate cookies, like a private window).
//
// Set ROSTER_SCREENSHOTS to a directory to save a PNG of each main page
// there (the README's come from ROSTER_SCREENSHOTS=../../docs/screenshots).

type chrome struct {
	once   sync.Once
	ctx    context.Context // the browser's context
	cancel func()
	err    error
	dir    string
}

// shared is the one browser of this test binary, started by the first
// browser test and stopped by TestMain.
var shared chrome

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.cancel != nil {
		shared.cancel()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// chromiumPath finds Chromium; "" when there is none.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser returns the shared browser, starting it once. Without Chromium
// the test is skipped locally, and fails under CI=true.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("browser tests are skipped with -short")
	}
	path := chromiumPath()
	if path == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found: CI must run the browser tests (apt-get install -y chromium)")
		}
		t.Skip("no Chromium found (apt-get install -y chromium); skipping the browser tests")
	}
	shared.once.Do(func() { shared.err = shared.start(path) })
	if shared.err != nil {
		t.Fatalf("start Chromium: %v", shared.err)
	}
	return shared.ctx
}

func (c *chrome) start(path string) error {
	dir, err := os.MkdirTemp("", "roster-chromium-")
	if err != nil {
		return err
	}
	c.dir = dir
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.UserDataDir(dir), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(1280, 860),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	c.cancel = func() { cancelCtx(); cancelAlloc() }
	c.ctx = ctx
	// The first Run starts the browser, which lives as long as the context
	// of that call: no timeout here.
	_, err = chromedp.Run(ctx, chromedp.Title())
	return err
}

// person is one user at one browser context.
type person struct {
	t    *testing.T
	e    *apitest.Env
	name string
	ctx  context.Context
}

// newPerson opens a fresh browser context (its own cookies).
func newPerson(t *testing.T, e *apitest.Env, name string) *person {
	t.Helper()
	bctx := browser(t)
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first Run creates the tab, which lives as long as the context of
	// that call: no timeout on it.
	if _, err := chromedp.Run(ctx, chromedp.Title()); err != nil {
		t.Fatalf("open a browser context for %s: %v", name, err)
	}
	return &person{t: t, e: e, name: name, ctx: ctx}
}

const stepTimeout = 20 * time.Second

func (p *person) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		p.t.Fatalf("%s: %s: %v\nthe page shows:\n%s", p.name, what, err, p.bodyText())
	}
}

// open navigates to a path of the node and returns the HTTP status.
func (p *person) open(path string) int64 {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.e.URL+path))
	if err != nil {
		p.t.Fatalf("%s: open %s: %v", p.name, path, err)
	}
	return res.Status
}

// submit clicks a button or link that loads a new page, and waits for it.
func (p *person) submit(sel string) int64 {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		p.t.Fatalf("%s: click %s: %v\nthe page shows:\n%s", p.name, sel, err, p.bodyText())
	}
	return res.Status
}

// fill types into the fields, by CSS selector.
func (p *person) fill(fields ...string) {
	p.t.Helper()
	for i := 0; i+1 < len(fields); i += 2 {
		clear := chromedp.Evaluate[bool](fmt.Sprintf("(e => !!e && (e.value = '', true))(document.querySelector(%q))", fields[i]))
		p.run("fill "+fields[i], chromedp.Steps(ignore(clear), chromedp.SendKeys(chromedp.CSS(fields[i]), fields[i+1])))
	}
}

func (p *person) click(sel string) {
	p.t.Helper()
	p.run("click "+sel, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
}

// ignore drops an action's result.
func ignore[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

// check clicks the checkbox or radio button of the label showing text.
func (p *person) check(text string) {
	p.t.Helper()
	p.run("check "+text, chromedp.Click(chromedp.Search(fmt.Sprintf(`//label[contains(., %q)]//input`, text)), chromedp.NodeVisible))
}

// openMenu opens the row actions of a user.
func (p *person) openMenu(email string) string {
	p.t.Helper()
	row := fmt.Sprintf(`tr[data-email=%q]`, strings.ToLower(email))
	p.click(row + " summary")
	return row
}

// menu opens the row actions of a user and follows one of its items.
func (p *person) menu(email, item string) int64 {
	p.t.Helper()
	row := p.openMenu(email)
	return p.submit(row + " " + item)
}

func (p *person) bodyText() string {
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	return s
}

// sees fails unless the page shows every text.
func (p *person) sees(texts ...string) {
	p.t.Helper()
	body := p.bodyText()
	for _, s := range texts {
		if !strings.Contains(body, s) {
			p.t.Fatalf("%s does not see %q; the page shows:\n%s", p.name, s, body)
		}
	}
}

// doesNotSee fails if the page shows any of the texts.
func (p *person) doesNotSee(texts ...string) {
	p.t.Helper()
	body := p.bodyText()
	for _, s := range texts {
		if strings.Contains(body, s) {
			p.t.Fatalf("%s sees %q, which should not be there; the page shows:\n%s", p.name, s, body)
		}
	}
}

// text is the visible text of the first element matching sel.
func (p *person) text(sel string) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		p.t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// has reports whether an element matches the CSS selector.
func (p *person) has(sel string) bool {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf("document.querySelector(%q) !== null", sel)))
	if err != nil {
		p.t.Fatalf("query %s: %v", sel, err)
	}
	return ok
}

func (p *person) path() string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, p.e.URL)
}

// screenshot saves the whole page as a PNG when ROSTER_SCREENSHOTS is set.
func (p *person) screenshot(name string) {
	p.t.Helper()
	dir := os.Getenv("ROSTER_SCREENSHOTS")
	if dir == "" {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	// A sticky header would show where the page is scrolled to: go to the top.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("window.scrollTo(0, 0), true")); err != nil {
		p.t.Fatalf("scroll: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// signup creates an account and organization through the sign-up page.
func (p *person) signup(email, first, last, org string) {
	p.t.Helper()
	p.open("/signup")
	p.fill("#first_name", first, "#last_name", last, "#email", email, "#password", apitest.Password, "#organization_name", org)
	p.screenshot("signup")
	if st := p.submit(`form[action="/signup"] button[type=submit]`); st != http.StatusOK {
		p.t.Fatalf("sign-up answered %d: %s", st, p.bodyText())
	}
	p.sees("Users", org)
}

// orgBase is the current organization's path prefix.
func (p *person) orgBase() string {
	p.t.Helper()
	return orgBase(p.t, p.path())
}

// acceptLink is the path of the newest invitation link emailed to address
// (read from the .eml file the node wrote).
func acceptLink(e *apitest.Env, address string) string {
	return "/invite/" + e.LastToken(address, "invite")
}
