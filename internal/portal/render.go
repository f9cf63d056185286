package portal

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

//go:embed web
var webFS embed.FS

// view is what every page template receives; P holds the page's own data.
type view struct {
	Title   string
	Section string // the highlighted navigation item
	User    *roster.User
	Org     *roster.OrgView
	Orgs    []roster.Membership
	Caps    roster.Capabilities
	Model   *roster.Model
	CSRF    string
	Flash   *flash
	Error   string
	Field   string // the form field at fault, for aria-invalid
	P       any
}

// StatusLabel is a member status in the model's words: the accounts preset
// (names required on invitations) says disabled for revoked.
func (v view) StatusLabel(s roster.MemberStatus) string {
	if s == roster.StatusRevoked && v.Model != nil && v.Model.InviteNamesRequired {
		return "Disabled"
	}
	return upperFirst(string(s))
}

type flash struct {
	Kind string // ok or error
	Text string
}

// pages holds one parsed template set per page: the layout, the shared
// partials and the page itself.
type pages struct {
	byName map[string]*template.Template
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(webFS, "web/templates/page_*.html")
	if err != nil {
		return nil, fmt.Errorf("portal templates: %w", err)
	}
	pg := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(webFS, "web/templates/layout.html", "web/templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("portal template %s: %w", n, err)
		}
		key := strings.TrimSuffix(strings.TrimPrefix(n, "web/templates/page_"), ".html")
		pg.byName[key] = t
	}
	return pg, nil
}

// render writes a whole page; templates run into a buffer first, so a
// template error is a clean 500 rather than half a page.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, status int, name string, v view) error {
	t, ok := p.pages.byName[name]
	if !ok {
		return fmt.Errorf("portal: no page %q", name)
	}
	v.Model = p.model
	v.CSRF = p.csrfToken(w, r)
	if v.Flash == nil {
		v.Flash = p.takeFlash(w, r)
	}
	if v.User == nil {
		if pr, ok := p.principal(r); ok {
			v.User = &pr.User
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// setFlash leaves a one-line message for the next page (post, redirect, get).
func (p *Portal) setFlash(w http.ResponseWriter, kind, text string) {
	p.setCookie(w, flashCookie, url.QueryEscape(kind+"|"+text), 60)
}

func (p *Portal) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	raw := p.cookie(r, flashCookie)
	if raw == "" {
		return nil
	}
	p.setCookie(w, flashCookie, "", -1)
	s, err := url.QueryUnescape(raw)
	if err != nil {
		return nil
	}
	kind, text, ok := strings.Cut(s, "|")
	if !ok || (kind != "ok" && kind != "error") {
		return nil
	}
	return &flash{Kind: kind, Text: text}
}

// redirect is the end of every successful form: post, redirect, get.
func (p *Portal) redirect(w http.ResponseWriter, r *http.Request, to, ok string) error {
	if ok != "" {
		p.setFlash(w, "ok", ok)
	}
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- callers pass a path built here or one that safeNext kept local
	return nil
}

// backWithError returns to a page with the service's refusal as a message.
func (p *Portal) backWithError(w http.ResponseWriter, r *http.Request, to string, err error) error {
	msg, ok := userMessage(err)
	if !ok {
		return err
	}
	p.setFlash(w, "error", msg)
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- callers pass a path built here or one that safeNext kept local
	return nil
}

// pageError is a refusal of the portal itself (bad form, CSRF, no page).
type pageError struct {
	status int
	msg    string
}

func (e *pageError) Error() string { return fmt.Sprintf("%d: %s", e.status, e.msg) }

// fail turns an error into an error page: the service's refusals with their
// safe message, anything else a logged 500 with the request id.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := http.StatusInternalServerError, ""
	var pe *pageError
	e, st := httpkit.Classify(err) // the API's table: an unreachable database is 503 here too
	switch {
	case errors.As(err, &pe):
		status, msg = pe.status, pe.msg
	case e != nil && e.Code == roster.CodeNotFound:
		status, msg = http.StatusNotFound, "This page does not exist, or you no longer have access to it."
	case e != nil:
		status, msg = st, errMessage(e)
		httpkit.SetRetryAfter(w.Header(), e)
	default:
		msg = "Something went wrong on our side. Quote request id " + w.Header().Get("X-Request-Id") + " if it happens again."
		p.log.ErrorContext(r.Context(), "portal request failed", "error", err, "route", r.Pattern, "request_id", w.Header().Get("X-Request-Id"))
	}
	v := view{Title: http.StatusText(status), Error: msg}
	if rerr := p.render(w, r, status, "error", v); rerr != nil {
		p.log.ErrorContext(r.Context(), "render error page", "error", rerr)
		http.Error(w, msg, status)
	}
}

// userMessage is the message of a refusal the service gave (safe to show);
// ok is false for internal errors, which must not be shown.
func userMessage(err error) (string, bool) {
	if roster.CodeOf(err) == "" {
		return "", false
	}
	return errMessage(err), true
}

func errMessage(err error) string {
	var e *roster.Error
	if !errors.As(err, &e) {
		return ""
	}
	msg := e.Message
	if msg == "" {
		msg = strings.ReplaceAll(string(e.Code), "_", " ")
	}
	return upperFirst(msg) + "."
}

// formError is a refusal re-shown on the form that caused it.
func formError(v *view, err error) error {
	msg, ok := userMessage(err)
	if !ok {
		return err
	}
	v.Error = msg
	var e *roster.Error
	if errors.As(err, &e) {
		v.Field = e.Field
	}
	return nil
}

// formStatus is the status of a form re-shown with its refusal, from the
// API's table, with Retry-After where the refusal has one.
func formStatus(w http.ResponseWriter, err error) int {
	e, status := httpkit.Classify(err)
	httpkit.SetRetryAfter(w.Header(), e)
	return status
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

var funcs = template.FuncMap{
	"title": upperFirst,
	"date": func(t time.Time) string {
		return t.UTC().Format("2 Jan 2006, 15:04 UTC")
	},
	"dateptr": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2 Jan 2006")
	},
	"past": func(t *time.Time, now time.Time) bool { return t != nil && !now.Before(*t) },
	"initials": func(first, last, email string) string {
		out := ""
		for _, s := range []string{first, last} {
			if r, n := utf8.DecodeRuneInString(s); n > 0 {
				out += string(unicode.ToUpper(r))
			}
		}
		if out == "" {
			r, _ := utf8.DecodeRuneInString(email)
			out = string(unicode.ToUpper(r))
		}
		return out
	},
	"fullname":  func(first, last string) string { return strings.TrimSpace(first + " " + last) },
	"qr":        qrSVG,
	"add":       func(a, b int) int { return a + b },
	"lower":     strings.ToLower,
	"hasClient": func(list []roster.ClientID, id roster.ClientID) bool { return slices.Contains(list, id) },
	"hasTeam":   func(list []roster.TeamID, id roster.TeamID) bool { return slices.Contains(list, id) },
	"hasPerm":   func(list []string, key string) bool { return slices.Contains(list, key) },
	"hasSuffix": strings.HasSuffix,
	"list":      func(s ...string) []string { return s },
	"deref":     func(b *bool) bool { return b != nil && *b },
	"rowctx":    func(v view, row userRow, back string) rowCtx { return rowCtx{V: v, Row: row, Back: back} },
	"pickctx": func(clients []roster.Client, selected []roster.ClientID, noun string) pickCtx {
		return pickCtx{Clients: clients, Selected: selected, Noun: noun}
	},
	"acctx": func(v view, a *accountData) acctCtx { return acctCtx{V: v, A: a} },
	"meter": newMeter,
}

// rowCtx is the row-actions menu's data: the page, the row, where to return.
type rowCtx struct {
	V    view
	Row  userRow
	Back string
}

// pickCtx is the client picker's data.
type pickCtx struct {
	Clients  []roster.Client
	Selected []roster.ClientID
	Noun     string
}

// acctCtx is the account forms' data.
type acctCtx struct {
	V view
	A *accountData
}

// meterData draws "used of limit" with a bar in 10% steps (classes, not
// inline styles, which the CSP forbids).
type meterData struct {
	Used  int
	Limit *int
	Pct   int
	Level string
}

func newMeter(used int, limit *int) meterData {
	m := meterData{Used: used, Limit: limit, Level: "ok"}
	if limit == nil || *limit <= 0 {
		return m
	}
	m.Pct = min(100, used*100 / *limit) / 10 * 10
	switch {
	case used >= *limit:
		m.Level = "full"
	case m.Pct >= 80:
		m.Level = "high"
	}
	return m
}

// static serves the embedded stylesheet and script.
func (p *Portal) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	data, err := webFS.ReadFile("web/static/" + name)
	if err != nil || strings.Contains(name, "/") {
		p.notFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case strings.HasSuffix(name, ".svg"):
		w.Header().Set("Content-Type", "image/svg+xml")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(data) // #nosec G705 -- an embedded stylesheet or script, with its own Content-Type; nothing from the request
}
