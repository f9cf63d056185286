// Package app wires Roster's parts: the store, the authorization index, the
// domain service, the HTTP server and the mail sender. cmd/roster and the
// end-to-end tests both build a node through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/password"
	"github.com/roster-dev/roster/internal/portal"
	"github.com/roster-dev/roster/internal/postgres"
	"github.com/roster-dev/roster/internal/ratelimit"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/seal"
	"github.com/roster-dev/roster/internal/server"
	"github.com/roster-dev/roster/internal/totp"
)

// Options configure one node.
type Options struct {
	DB            string // SQLite path, or a postgres:// (postgresql://) URL
	Model         *roster.Model
	MailDir       string
	SMTP          string // smtp://user:pass@host:port; empty writes .eml files to MailDir
	MailFrom      string
	BaseURL       string
	SignupOpen    bool
	InviteTTL     time.Duration
	SecretKey     []byte // 32 bytes; nil loads or creates KeyFile
	KeyFile       string // default: roster.key beside the SQLite file; required with PostgreSQL unless SecretKey is set
	OperatorToken string
	LoginIPLimit  int
	// TrustedProxies are the load balancers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	Logger         *slog.Logger
	Clock          func() time.Time
	// PasswordParams defaults to password.ProductionParams; tests inject cheaper ones.
	PasswordParams *password.Params
	// Hasher replaces the password hasher built from PasswordParams (tests
	// inject one that reports overload).
	Hasher roster.PasswordHasher
	// SignupIPLimit is sign-ups per client address per hour on this node
	// (--signup-ip-limit); 0 means the default 20, negative means no limit.
	SignupIPLimit int
	// MailPoll is how often the sender looks at the outbox without a nudge.
	MailPoll time.Duration
	// FeedPoll and FeedStaleAfter tune the PostgreSQL change feed
	// (postgres.FeedOptions: 500 ms and 1 s by default).
	FeedPoll, FeedStaleAfter time.Duration
}

// App is one running node.
type App struct {
	Service *roster.Service
	Handler http.Handler
	Store   roster.Store
	Index   *authz.Index
	Sender  *mail.Sender
	log     *slog.Logger
	cluster *cluster
}

// New opens the store, loads the index and builds the service and server.
func New(ctx context.Context, o Options) (*App, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if postgres.IsURL(o.DB) && o.SecretKey == nil && o.KeyFile == "" {
		// Every node must seal and open TOTP seeds and queued email bodies
		// with one key; a key file made up beside nothing would differ from
		// node to node.
		return nil, errors.New("with PostgreSQL, set the secret key (ROSTER_SECRET_KEY, or --secret-key-file shared by every node)")
	}
	store, err := openStore(ctx, o.DB)
	if err != nil {
		return nil, err
	}
	a, err := build(ctx, o, store)
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return a, nil
}

func build(ctx context.Context, o Options, store roster.Store) (*App, error) {
	key, box, err := secretBox(o)
	if err != nil {
		return nil, err
	}
	transport, err := mailTransport(o)
	if err != nil {
		return nil, err
	}
	params := password.ProductionParams()
	if o.PasswordParams != nil {
		params = *o.PasswordParams
	}
	var hasher roster.PasswordHasher = password.NewHasher(params, 0)
	if o.Hasher != nil {
		hasher = o.Hasher
	}
	index := authz.New(o.Model)
	cl := newCluster(index)
	sender := mail.NewSender(store, transport, mail.Options{From: o.MailFrom, Logger: o.Logger, Now: o.Clock, PollInterval: o.MailPoll, Sealer: box})
	svc, err := roster.NewService(roster.Config{
		Model: o.Model, Store: store, Index: cl, Hasher: hasher,
		ValidatePassword: password.Validate, OTP: totp.Toolkit{}, Sealer: box,
		MailNotify: sender.Notify, Clock: o.Clock, Logger: o.Logger,
		BaseURL: strings.TrimRight(o.BaseURL, "/"), InviteTTL: o.InviteTTL, SignupOpen: o.SignupOpen,
		LoginIPLimit: o.LoginIPLimit, Limiter: ratelimit.New(o.Clock), SignupIPLimit: o.SignupIPLimit,
	})
	if err != nil {
		return nil, err
	}
	if err := svc.LoadIndex(ctx); err != nil {
		return nil, err
	}
	cl.start(store, svc, o)
	reg := prometheus.NewRegistry()
	registerOutboxGauge(reg, store)
	web, err := portal.New(portal.Config{Service: svc, Logger: o.Logger, Clock: o.Clock, SecretKey: key, BaseURL: o.BaseURL})
	if err != nil {
		cl.close()
		return nil, fmt.Errorf("portal: %w", err)
	}
	srv, err := server.New(server.Config{
		Service: svc, Logger: o.Logger, OperatorToken: o.OperatorToken, Registry: reg,
		Ready: cl.ready(store), Portal: web, TrustedProxies: o.TrustedProxies,
	})
	if err != nil {
		cl.close()
		return nil, err
	}
	return &App{Service: svc, Handler: srv, Store: store, Index: index, Sender: sender, log: o.Logger, cluster: cl}, nil
}

// Close stops the change feed, if any, and releases the store.
func (a *App) Close() error {
	a.cluster.close()
	return a.Store.Close()
}

// secretBox returns the node's secret key and the box that seals TOTP seeds
// and outbox bodies with it; the portal derives its own keys from the same
// secret.
func secretBox(o Options) ([]byte, *seal.Box, error) {
	key := o.SecretKey
	if key == nil {
		path := o.KeyFile
		if path == "" {
			path = filepath.Join(filepath.Dir(o.DB), "roster.key")
		}
		var err error
		if key, err = seal.LoadOrCreateKeyFile(path); err != nil {
			return nil, nil, fmt.Errorf("secret key: %w", err)
		}
	}
	box, err := seal.New(key)
	return key, box, err
}

func mailTransport(o Options) (mail.Transport, error) {
	if o.SMTP != "" {
		return mail.NewSMTP(o.SMTP, o.MailFrom)
	}
	if err := os.MkdirAll(o.MailDir, 0o700); err != nil {
		return nil, fmt.Errorf("mail directory: %w", err)
	}
	return mail.NewDir(o.MailDir)
}

func registerOutboxGauge(reg *prometheus.Registry, store roster.Store) {
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "roster_outbox_pending", Help: "Emails waiting in the outbox.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		n, err := store.PendingEmails(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}
