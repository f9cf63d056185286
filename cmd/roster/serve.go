package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/model"
	"github.com/roster-dev/roster/internal/seal"
)

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, err := parseServe(args, getenv, io.Discard)
	if helpRequested(err, stdout) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "roster serve:", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := serveWith(ctx, cfg, log, stdout); err != nil {
		log.Error("roster stopped", "error", err)
		return 1
	}
	return 0
}

// serveWith listens, prints the URL once connections are accepted, and
// shuts down gracefully when ctx ends (SIGINT, SIGTERM).
func serveWith(ctx context.Context, cfg serveConfig, log *slog.Logger, stdout io.Writer) error {
	m, err := model.Load(cfg.Model)
	if err != nil {
		return fmt.Errorf("model: %w", err)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	url := "http://" + ln.Addr().String()
	if cfg.BaseURL == "" {
		cfg.BaseURL = url
	}
	opts := app.Options{
		DB: cfg.DB, Model: m, MailDir: cfg.MailDir, SMTP: cfg.SMTP, MailFrom: cfg.MailFrom, BaseURL: cfg.BaseURL,
		SignupOpen: cfg.Signup == "open", InviteTTL: cfg.InviteTTL, KeyFile: cfg.SecretKeyFile,
		OperatorToken: cfg.AdminToken, LoginIPLimit: cfg.LoginIPLimit, TrustedProxies: cfg.Trusted, Logger: log,
		SignupIPLimit: signupIPLimit(cfg.SignupIPLimit),
	}
	if cfg.SecretKey != "" {
		if opts.SecretKey, err = seal.ParseKey(cfg.SecretKey); err != nil {
			_ = ln.Close()
			return fmt.Errorf("ROSTER_SECRET_KEY: %w", err)
		}
	}
	a, err := app.New(ctx, opts)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer a.Close()
	return runNode(ctx, a, ln, url, log, stdout)
}

func runNode(ctx context.Context, a *app.App, ln net.Listener, url string, log *slog.Logger, stdout io.Writer) error {
	srv := &http.Server{
		Handler: a.Handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	mailCtx, stopMail := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := a.Sender.Run(mailCtx); err != nil {
			log.Error("mail sender stopped", "error", err)
		}
	})
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "Roster listening on %s\n", strings.TrimRight(url, "/"))
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("shutdown", "error", err)
	}
	stopMail()
	wg.Wait()
	if serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
		return serveErr
	}
	log.Info("roster stopped cleanly")
	return nil
}

// signupIPLimit maps --signup-ip-limit (0: off) to app.Options (0: the
// default, negative: off).
func signupIPLimit(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
