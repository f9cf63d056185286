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
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/password"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/seal"
	"github.com/roster-dev/roster/internal/server"
	"github.com/roster-dev/roster/internal/sqlite"
	"github.com/roster-dev/roster/internal/totp"
)

// Options configure one node.
type Options struct {
	DB            string // SQLite path (postgres:// comes with the PostgreSQL store)
	Model         *roster.Model
	MailDir       string
	SMTP          string // smtp://user:pass@host:port; empty writes .eml files to MailDir
	MailFrom      string
	BaseURL       string
	SignupOpen    bool
	InviteTTL     time.Duration
	SecretKey     []byte // 32 bytes; nil loads or creates KeyFile
	KeyFile       string // default: roster.key beside the SQLite file
	OperatorToken string
	LoginIPLimit  int
	Logger        *slog.Logger
	Clock         func() time.Time
	// PasswordParams defaults to password.ProductionParams; tests inject cheaper ones.
	PasswordParams *password.Params
	// MailPoll is how often the sender looks at the outbox without a nudge.
	MailPoll time.Duration
}

// App is one running node.
type App struct {
	Service *roster.Service
	Handler http.Handler
	Store   roster.Store
	Index   *authz.Index
	Sender  *mail.Sender
	log     *slog.Logger
}

// New opens the store, loads the index and builds the service and server.
func New(ctx context.Context, o Options) (*App, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if strings.HasPrefix(o.DB, "postgres://") || strings.HasPrefix(o.DB, "postgresql://") {
		return nil, errors.New("the PostgreSQL store is not available in this build yet")
	}
	store, err := sqlite.Open(ctx, o.DB)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", o.DB, err)
	}
	a, err := build(ctx, o, store)
	if err != nil {
		store.Close()
		return nil, err
	}
	return a, nil
}

func build(ctx context.Context, o Options, store roster.Store) (*App, error) {
	box, err := secretBox(o)
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
	index := authz.New(o.Model)
	sender := mail.NewSender(store, transport, mail.Options{From: o.MailFrom, Logger: o.Logger, Now: o.Clock, PollInterval: o.MailPoll})
	svc, err := roster.NewService(roster.Config{
		Model: o.Model, Store: store, Index: index, Hasher: password.NewHasher(params, 0),
		ValidatePassword: password.Validate, OTP: totp.Toolkit{}, Sealer: box,
		MailNotify: sender.Notify, Clock: o.Clock, Logger: o.Logger,
		BaseURL: strings.TrimRight(o.BaseURL, "/"), InviteTTL: o.InviteTTL, SignupOpen: o.SignupOpen,
		LoginIPLimit: o.LoginIPLimit,
	})
	if err != nil {
		return nil, err
	}
	if err := svc.LoadIndex(ctx); err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	registerOutboxGauge(reg, store)
	srv, err := server.New(server.Config{
		Service: svc, Logger: o.Logger, OperatorToken: o.OperatorToken, Registry: reg,
		Ready: store.Ping, Clock: o.Clock,
	})
	if err != nil {
		return nil, err
	}
	return &App{Service: svc, Handler: srv, Store: store, Index: index, Sender: sender, log: o.Logger}, nil
}

// Close releases the store.
func (a *App) Close() error { return a.Store.Close() }

func secretBox(o Options) (*seal.Box, error) {
	key := o.SecretKey
	if key == nil {
		path := o.KeyFile
		if path == "" {
			path = filepath.Join(filepath.Dir(o.DB), "roster.key")
		}
		var err error
		if key, err = seal.LoadOrCreateKeyFile(path); err != nil {
			return nil, fmt.Errorf("secret key: %w", err)
		}
	}
	return seal.New(key)
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
