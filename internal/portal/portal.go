// Package portal is Roster's web portal: server-rendered html/template
// pages over the same roster.Service as the JSON API. Every rule comes
// from a Service call, rate limits included; the portal decides only what
// to show, and asks the service (Capabilities, MemberActions,
// GrantableRoles) even for that. Statuses, the client's address, security
// headers and 405s come from internal/httpkit, as the API's do.
//
// Sessions are the API's session tokens, carried in an HttpOnly,
// SameSite=Lax cookie (Secure and __Host- over HTTPS). Every state change is
// a POST, refused cross-origin by http.CrossOriginProtection and checked
// against a per-session CSRF token (an HMAC of the session id).
package portal

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

// Config wires the portal.
type Config struct {
	Service *roster.Service
	Logger  *slog.Logger
	Clock   func() time.Time
	// SecretKey is the node's secret (the key that seals TOTP seeds); the
	// portal derives its CSRF and sealing keys from it, so that every node
	// sharing the key accepts the others' forms.
	SecretKey []byte
	// BaseURL is the public URL; https:// makes cookies Secure and __Host-.
	BaseURL string
}

// Portal is the http.Handler of every page.
type Portal struct {
	svc     *roster.Service
	model   *roster.Model
	log     *slog.Logger
	now     func() time.Time
	secure  bool
	csrfKey []byte
	sealKey []byte
	pages   *pages
	mux     *http.ServeMux
	handler http.Handler
}

// New builds the portal.
func New(cfg Config) (*Portal, error) {
	if cfg.Service == nil {
		return nil, errors.New("portal: service is required")
	}
	if len(cfg.SecretKey) < 16 {
		return nil, errors.New("portal: a secret key of at least 16 bytes is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	pg, err := parsePages()
	if err != nil {
		return nil, err
	}
	p := &Portal{
		svc: cfg.Service, model: cfg.Service.Model(), log: cfg.Logger, now: cfg.Clock,
		secure:  strings.HasPrefix(strings.ToLower(cfg.BaseURL), "https://"),
		csrfKey: derive(cfg.SecretKey, "roster portal csrf v1"),
		sealKey: derive(cfg.SecretKey, "roster portal pending login v1"),
		pages:   pg, mux: http.NewServeMux(),
	}
	p.routes()
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(p.crossOriginRefused))
	p.handler = cop.Handler(p.mux)
	return p, nil
}

// derive makes a purpose-bound key from the node's secret.
func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

// ServeHTTP sets the page headers, then routes.
func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	httpkit.SetSecurityHeaders(h, httpkit.CSPPages)
	if p.secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	p.handler.ServeHTTP(w, r)
}

// routes lists every page. GET never changes state; every POST passes
// through the CSRF check (post).
func (p *Portal) routes() {
	p.get("/{$}", p.home)
	p.mux.HandleFunc("GET /static/{file}", p.static)
	p.get("/signup", p.signupPage)
	p.post("/signup", p.signupForm)
	p.get("/login", p.loginPage)
	p.post("/login", p.loginForm)
	p.post("/logout", p.logout)
	p.get("/verify/{token}", p.verifyPage)
	p.post("/verify/{token}", p.verifyForm)
	p.get("/invite/{token}", p.invitePage)
	p.post("/invite/{token}", p.inviteForm)
	p.get("/orgs", p.orgsPage)
	p.get("/account", p.accountPage)
	p.post("/account/names", p.accountNames)
	p.post("/account/totp", p.totpBegin)
	p.post("/account/totp/confirm", p.totpConfirm)
	p.post("/account/totp/disable", p.totpDisable)

	const o = "/o/{org}"
	p.get(o, p.orgHome)
	p.get(o+"/users", p.org(p.usersPage))
	p.get(o+"/users/invite", p.org(p.invitePageForm))
	p.post(o+"/users/invite", p.org(p.inviteSubmit))
	p.get(o+"/users/{member}", p.org(p.memberPage))
	p.get(o+"/users/{member}/clients", p.org(p.assignClientsPage))
	p.post(o+"/users/{member}/clients", p.org(p.assignClientsForm))
	p.get(o+"/users/{member}/role", p.org(p.changeRolePage))
	p.post(o+"/users/{member}/role", p.org(p.changeRoleForm))
	p.post(o+"/users/{member}/agent", p.org(p.agentForm))
	p.post(o+"/users/{member}/teams", p.org(p.teamsForm))
	p.get(o+"/users/{member}/confirm/{action}", p.org(p.confirmPage))
	p.post(o+"/users/{member}/{action}", p.org(p.memberActionForm))
	p.get(o+"/profile", p.org(p.profilePage))
	p.get(o+"/roles", p.org(p.rolesPage))
	p.get(o+"/roles/new", p.org(p.newRolePage))
	p.post(o+"/roles", p.org(p.createRole))
	p.post(o+"/roles/order", p.org(p.reorderRoles))
	p.get(o+"/roles/{key}", p.org(p.rolePage))
	p.post(o+"/roles/{key}", p.org(p.updateRole))
	p.post(o+"/roles/{key}/delete", p.org(p.deleteRole))
	p.get(o+"/clients", p.org(p.clientsPage))
	p.post(o+"/clients", p.org(p.clientCreate))
	p.post(o+"/clients/{client}/status", p.org(p.clientStatus))
	p.get(o+"/settings", p.org(p.settingsPage))
	p.post(o+"/settings", p.org(p.settingsForm))
	p.post(o+"/teams", p.org(p.teamCreate))
	p.post(o+"/teams/{team}/delete", p.org(p.teamDelete))
	p.mux.HandleFunc("/", p.notFound)
}

// handlerFunc is a page handler that may fail; errors become pages once, in
// fail.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (p *Portal) get(path string, h handlerFunc) {
	p.mux.Handle("GET "+path, p.adapt(h))
}

// post registers a form target: its body is bounded and parsed, and its
// CSRF token checked, before h runs.
func (p *Portal) post(path string, h handlerFunc) {
	p.mux.Handle("POST "+path, p.adapt(func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil {
			return &pageError{status: http.StatusBadRequest, msg: "The form could not be read."}
		}
		if !p.validCSRF(r) {
			return &pageError{status: http.StatusForbidden, msg: "This form has expired or was not sent from Roster. Go back, reload the page and try again."}
		}
		return h(w, r)
	}))
}

const maxFormBytes = 256 << 10

func (p *Portal) adapt(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := roster.WithRequestInfo(r.Context(), roster.RequestInfo{RequestID: w.Header().Get("X-Request-Id"), IP: httpkit.ClientIP(r)})
		ctx = context.WithValue(ctx, principalKey{}, p.authenticate(r))
		r = r.WithContext(ctx)
		if err := h(w, r); err != nil {
			p.fail(w, r, err)
		}
	})
}

func (p *Portal) crossOriginRefused(w http.ResponseWriter, r *http.Request) {
	p.fail(w, r, &pageError{status: http.StatusForbidden, msg: "This form was sent from another site and was refused."})
}

// notFound answers paths no page has; a path that exists for another
// method (GET /logout) is 405 with Allow.
func (p *Portal) notFound(w http.ResponseWriter, r *http.Request) {
	if allowed := httpkit.Allowed(p.mux, r); len(allowed) > 0 {
		httpkit.SetAllow(w.Header(), allowed)
		p.fail(w, r, &pageError{status: http.StatusMethodNotAllowed, msg: "This address does not answer " + r.Method + "."})
		return
	}
	p.fail(w, r, &pageError{status: http.StatusNotFound, msg: "There is no page here."})
}
