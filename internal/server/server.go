// Package server is the node's HTTP handler: the JSON API of docs/api.md,
// a thin adapter over roster.Service (decode, call, encode; every rule,
// rate limits included, is the service's), the service routes (/healthz,
// /readyz, /metrics), and every other path handed to the web portal
// (internal/portal, Config.Portal). routes.go lists every route of the
// API with what it requires of the caller; errors.go writes the
// contract's JSON errors with the status of internal/httpkit's table,
// which the portal shares, as it shares the client's address, the
// security headers and the 405 answers.
package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/roster-dev/roster/internal/httpkit"
	"github.com/roster-dev/roster/internal/roster"
)

// Config wires the server.
type Config struct {
	Service       *roster.Service
	Logger        *slog.Logger
	OperatorToken string // ROSTER_ADMIN_TOKEN; empty disables the operator
	Registry      *prometheus.Registry
	// Ready reports whether the node can serve (database reachable).
	Ready func(ctx context.Context) error
	// Portal is the handler of every path outside the API and the service
	// routes (the web portal, internal/portal); nil answers them with 404.
	Portal http.Handler
	// TrustedProxies are the load balancers whose X-Forwarded-For names the
	// client (R2's per-IP limit); none by default.
	TrustedProxies []netip.Prefix
}

// Server is the HTTP handler.
type Server struct {
	svc      *roster.Service
	log      *slog.Logger
	operator string
	ready    func(ctx context.Context) error
	metrics  *metrics
	mux      *http.ServeMux
	routes   []route
	trusted  []netip.Prefix
}

// New builds the handler. It fails if a route declares no requirement.
func New(cfg Config) (*Server, error) {
	if cfg.Service == nil {
		return nil, errors.New("server: service is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	s := &Server{
		svc: cfg.Service, log: cfg.Logger, operator: cfg.OperatorToken, ready: cfg.Ready,
		metrics: newMetrics(cfg.Registry),
		mux:     http.NewServeMux(), trusted: cfg.TrustedProxies,
	}
	if err := s.register(s.routeTable()); err != nil {
		return nil, err
	}
	s.mux.Handle("GET /metrics", promHandler(cfg.Registry))
	s.mux.HandleFunc("/api/", s.notFoundAPI)
	s.mountPortal(cfg.Portal)
	return s, nil
}

// register mounts routes on the mux, refusing the whole table if one route
// declares no requirement (deny by default: docs/security.md item 2).
func (s *Server) register(routes []route) error {
	for _, rt := range routes {
		if rt.need == 0 {
			return fmt.Errorf("server: route %s declares no requirement", rt.pattern)
		}
	}
	s.routes = routes
	for _, rt := range routes {
		s.mux.Handle(rt.pattern, s.adapt(rt))
	}
	return nil
}

// ServeHTTP applies the outer middleware: request id, panic recovery,
// security headers, metrics, method-not-allowed in the contract's shape.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	r = withRequestID(httpkit.WithClientAddr(r, s.trusted))
	sw := &statusWriter{ResponseWriter: w}
	httpkit.SetSecurityHeaders(sw.Header(), httpkit.CSPNone) // the portal sets its pages' own policy
	sw.Header().Set("X-Request-Id", requestID(r))
	defer func() {
		if p := recover(); p != nil {
			s.log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(p), "request_id", requestID(r))
			if sw.status == 0 {
				s.writeError(sw, r, fmt.Errorf("panic: %v", p))
			}
		}
		s.metrics.observe(r, sw.status, time.Since(start))
		// The route pattern, never the path: paths carry invitation tokens.
		s.log.InfoContext(r.Context(), "request", "method", r.Method, "route", r.Pattern, "status", sw.status,
			"duration_ms", time.Since(start).Milliseconds(), "request_id", requestID(r))
	}()
	s.mux.ServeHTTP(sw, r) // sets r.Pattern and the path values
}

// notFoundAPI answers /api/ paths no route has: 405 where the path exists
// with other methods, else 404.
func (s *Server) notFoundAPI(w http.ResponseWriter, r *http.Request) {
	if allowed := httpkit.Allowed(s.mux, r); len(allowed) > 0 {
		s.methodNotAllowed(w, r, allowed)
		return
	}
	s.writeError(w, r, roster.NewError(roster.CodeNotFound, "no such endpoint"))
}

type ctxKey int

const (
	keyActor ctxKey = iota
	keyPrincipal
	keyRoute
	keyRequestID
)

// adapt turns a route's error-returning handler into an http.Handler,
// authenticating the caller as the route requires.
func (s *Server) adapt(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxBodyBytes)
		if n, ok := largeBodies[rt.pattern]; ok {
			limit = n
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		ctx := context.WithValue(r.Context(), keyRoute, rt)
		ctx = roster.WithRequestInfo(ctx, roster.RequestInfo{RequestID: requestID(r), IP: httpkit.ClientIP(r)})
		r = r.WithContext(ctx)
		r, err := s.authenticate(r, rt)
		if err == nil {
			err = rt.handle(w, r)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
}

// authenticate resolves the Bearer token: the operator token, or a session.
func (s *Server) authenticate(r *http.Request, rt route) (*http.Request, error) {
	token, hasToken := bearer(r)
	if !hasToken {
		if rt.need == roster.RequireNothing {
			return r, nil
		}
		return r, roster.NewError(roster.CodeUnauthenticated, "send Authorization: Bearer <token>")
	}
	if s.operator != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.operator)) == 1 {
		if rt.need == roster.RequireUser {
			return r, roster.NewError(roster.CodeUnauthenticated, "this route needs a user's session")
		}
		return r.WithContext(context.WithValue(r.Context(), keyActor, roster.Actor{Operator: true})), nil
	}
	p, err := s.svc.Authenticate(r.Context(), token)
	if err != nil {
		if rt.need == roster.RequireNothing && roster.CodeOf(err) == roster.CodeUnauthenticated {
			return r, nil
		}
		return r, err
	}
	ctx := context.WithValue(r.Context(), keyPrincipal, p)
	ctx = context.WithValue(ctx, keyActor, p.Actor())
	if rt.need == roster.RequireOperator {
		return r, roster.NewError(roster.CodeForbidden, "the operator token is required")
	}
	return r.WithContext(ctx), nil
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

func actorOf(r *http.Request) roster.Actor {
	a, _ := r.Context().Value(keyActor).(roster.Actor)
	return a
}

func principalOf(r *http.Request) (roster.Principal, bool) {
	p, ok := r.Context().Value(keyPrincipal).(roster.Principal)
	return p, ok
}

// authorizeRoute checks the route's requirement; decode calls it so that a
// malformed body from an unauthorized caller still gets 404 or 403.
func (s *Server) authorizeRoute(r *http.Request) error {
	rt, _ := r.Context().Value(keyRoute).(route)
	return s.svc.Authorize(r.Context(), actorOf(r), roster.OrgID(r.PathValue("org")), rt.need)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v) // the client may have gone; nothing to do
}
