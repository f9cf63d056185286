package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"time"

	"github.com/roster-dev/roster/internal/server"
)

// serveConfig is what `roster serve` reads from flags and environment.
type serveConfig struct {
	Addr          string
	DB            string
	Model         string
	MailDir       string
	SMTP          string
	BaseURL       string
	Signup        string
	InviteTTL     time.Duration
	SecretKeyFile string
	SecretKey     string
	LoginIPLimit  int
	// SignupIPLimit is sign-ups per client address per hour on this node;
	// 0 turns the limit off.
	SignupIPLimit int
	Trusted       []netip.Prefix
	AdminToken    string
	MailFrom      string
}

// parseServe reads flags; each flag's default comes from its environment
// variable, which comes from the documented default.
func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	fs.StringVar(&c.Addr, "addr", env("ROSTER_ADDR", "127.0.0.1:8080"), "listen address (ROSTER_ADDR)")
	fs.StringVar(&c.DB, "db", env("ROSTER_DB", "roster.db"), "SQLite file or postgres:// URL (ROSTER_DB)")
	fs.StringVar(&c.Model, "model", env("ROSTER_MODEL", "practice"), "preset name or model file (ROSTER_MODEL)")
	fs.StringVar(&c.MailDir, "mail-dir", env("ROSTER_MAIL_DIR", "mail"), "directory for .eml files when no SMTP is set (ROSTER_MAIL_DIR)")
	fs.StringVar(&c.SMTP, "smtp", env("ROSTER_SMTP", ""), "smtp://user:pass@host:port (ROSTER_SMTP)")
	fs.StringVar(&c.BaseURL, "base-url", env("ROSTER_BASE_URL", ""), "public URL used in emailed links (ROSTER_BASE_URL)")
	fs.StringVar(&c.Signup, "signup", env("ROSTER_SIGNUP", "open"), "open or closed (ROSTER_SIGNUP)")
	fs.StringVar(&c.SecretKeyFile, "secret-key-file", env("ROSTER_SECRET_KEY_FILE", ""), "file holding the key that encrypts TOTP seeds and queued emails")
	fs.StringVar(&c.MailFrom, "mail-from", env("ROSTER_MAIL_FROM", "Roster <roster@localhost>"), "From address of emails (ROSTER_MAIL_FROM)")
	ttl := fs.String("invite-ttl", env("ROSTER_INVITE_TTL", "168h"), "invitation lifetime (ROSTER_INVITE_TTL)")
	ipLimit := fs.String("login-ip-limit", env("ROSTER_LOGIN_IP_LIMIT", "100"), "failed logins per IP per 15 minutes (ROSTER_LOGIN_IP_LIMIT)")
	signupLimit := fs.String("signup-ip-limit", env("ROSTER_SIGNUP_IP_LIMIT", "20"), "sign-ups per client address per hour on this node, 0 for no limit (ROSTER_SIGNUP_IP_LIMIT)")
	proxies := fs.String("trusted-proxies", env("ROSTER_TRUSTED_PROXIES", ""), "load balancers whose X-Forwarded-For is believed: addresses or CIDR prefixes, comma-separated (ROSTER_TRUSTED_PROXIES)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if c.InviteTTL, err = time.ParseDuration(*ttl); err != nil || c.InviteTTL <= 0 {
		return c, fmt.Errorf("--invite-ttl: %q is not a positive duration", *ttl)
	}
	if c.LoginIPLimit, err = strconv.Atoi(*ipLimit); err != nil || c.LoginIPLimit < 1 {
		return c, fmt.Errorf("--login-ip-limit: %q is not a positive number", *ipLimit)
	}
	if c.SignupIPLimit, err = strconv.Atoi(*signupLimit); err != nil || c.SignupIPLimit < 0 {
		return c, fmt.Errorf("--signup-ip-limit: %q is not a number of sign-ups (0 for no limit)", *signupLimit)
	}
	if c.Trusted, err = server.ParseTrustedProxies(*proxies); err != nil {
		return c, fmt.Errorf("--trusted-proxies: %w", err)
	}
	if c.Signup != "open" && c.Signup != "closed" {
		return c, errors.New("--signup must be open or closed")
	}
	c.SecretKey = getenv("ROSTER_SECRET_KEY")
	c.AdminToken = getenv("ROSTER_ADMIN_TOKEN")
	return c, nil
}
