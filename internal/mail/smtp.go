package mail

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// smtpTimeout bounds one delivery: dial, dialogue and data.
const smtpTimeout = 30 * time.Second

// SMTPTransport sends through an SMTP server: smtp:// with STARTTLS when the
// server offers it (port 587 by default), smtps:// with implicit TLS (465),
// and PLAIN authentication when the URL carries credentials. It never shows
// its password: not in errors, String, GoString or LogValue.
type SMTPTransport struct {
	host, port string
	implicit   bool         // smtps: TLS from the first byte
	auth       *credentials // nil without credentials; a pointer so %v of the struct prints no password
	from       string       // the From header
	envelope   string       // the bare address of from, for MAIL FROM
	timeout    time.Duration
}

type credentials struct{ user, pass string }

// NewSMTP parses smtp://user:pass@host:port or smtps://user:pass@host:port;
// from is the From address (empty means "Roster <roster@localhost>").
func NewSMTP(rawURL, from string) (*SMTPTransport, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		// url's own error repeats the URL, password included.
		return nil, errors.New("smtp url: want smtp://user:pass@host:port or smtps://user:pass@host:port")
	}
	t := &SMTPTransport{host: u.Hostname(), port: u.Port(), timeout: smtpTimeout}
	if err := t.setScheme(u.Scheme); err != nil {
		return nil, err
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		t.auth = &credentials{user: u.User.Username(), pass: pass}
	}
	if err := t.setFrom(from); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *SMTPTransport) setScheme(scheme string) error {
	switch scheme {
	case "smtp":
		t.port = cmp.Or(t.port, "587")
	case "smtps":
		t.implicit, t.port = true, cmp.Or(t.port, "465")
	default:
		return fmt.Errorf("smtp url: unsupported scheme %q (want smtp or smtps)", scheme)
	}
	return nil
}

func (t *SMTPTransport) setFrom(from string) error {
	t.from = cmp.Or(from, defaultFrom)
	addr, err := mail.ParseAddress(t.from)
	if err != nil {
		return fmt.Errorf("smtp: from address %q: %w", t.from, err)
	}
	t.envelope = addr.Address
	return nil
}

func (t *SMTPTransport) addr() string { return net.JoinHostPort(t.host, t.port) }

func (t *SMTPTransport) user() string {
	if t.auth == nil {
		return ""
	}
	return t.auth.user
}

// String describes the transport without its password.
func (t *SMTPTransport) String() string {
	scheme := "smtp"
	if t.implicit {
		scheme = "smtps"
	}
	if t.auth == nil {
		return scheme + "://" + t.addr()
	}
	return scheme + "://" + url.User(t.user()).String() + ":REDACTED@" + t.addr()
}

// GoString is String, so %#v prints no password either.
func (t *SMTPTransport) GoString() string { return t.String() }

// LogValue redacts the password.
func (t *SMTPTransport) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("host", t.host), slog.String("port", t.port), slog.Bool("implicit_tls", t.implicit)}
	if t.auth != nil {
		attrs = append(attrs, slog.String("user", t.auth.user), slog.String("password", "REDACTED"))
	}
	return slog.GroupValue(attrs...)
}

// Send delivers one email in one SMTP session. It gives up when ctx ends or
// after the transport's timeout, whichever comes first.
func (t *SMTPTransport) Send(ctx context.Context, e roster.Email) error {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	c, err := t.dial(ctx)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", t.addr(), err)
	}
	defer c.Close()
	if err := t.deliver(c, e); err != nil {
		return fmt.Errorf("smtp send %s via %s: %w", e.ID, t.addr(), err)
	}
	_ = c.Quit() // the server has accepted the message; a failed goodbye changes nothing
	return nil
}

// dial connects (with TLS for smtps) and reads the greeting. ctx is Send's
// own, cancelled when Send returns: the connection is closed when it ends,
// so neither a silent server nor a cancelled caller can hold the sender.
func (t *SMTPTransport) dial(ctx context.Context) (*smtp.Client, error) {
	conn, err := t.dialConn(ctx)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	context.AfterFunc(ctx, func() { _ = conn.Close() })
	c, err := smtp.NewClient(conn, t.host)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	return c, nil
}

func (t *SMTPTransport) dialConn(ctx context.Context) (net.Conn, error) {
	if t.implicit {
		d := tls.Dialer{Config: t.tlsConfig()}
		return d.DialContext(ctx, "tcp", t.addr())
	}
	var d net.Dialer
	return d.DialContext(ctx, "tcp", t.addr())
}

func (t *SMTPTransport) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12}
}

// deliver runs the dialogue: STARTTLS when offered, AUTH PLAIN with
// credentials, then MAIL, RCPT and DATA.
func (t *SMTPTransport) deliver(c *smtp.Client, e roster.Email) error {
	if ok, _ := c.Extension("STARTTLS"); ok && !t.implicit {
		if err := c.StartTLS(t.tlsConfig()); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if err := t.authenticate(c); err != nil {
		return err
	}
	rcpt, err := mail.ParseAddress(clean(e.To))
	if err != nil {
		return fmt.Errorf("recipient: %w", err)
	}
	if err := c.Mail(t.envelope); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := c.Rcpt(rcpt.Address); err != nil {
		return fmt.Errorf("rcpt to: %w", err)
	}
	return t.data(c, Format(e, t.from, time.Now()))
}

func (t *SMTPTransport) authenticate(c *smtp.Client) error {
	if t.auth == nil {
		return nil
	}
	err := c.Auth(smtp.PlainAuth("", t.auth.user, t.auth.pass, t.host))
	if err != nil {
		// Whatever the server echoed, the password does not leave this function.
		return fmt.Errorf("auth as %q: %s", t.auth.user, t.redact(err.Error()))
	}
	return nil
}

func (t *SMTPTransport) redact(s string) string {
	if t.auth == nil || t.auth.pass == "" {
		return s
	}
	return strings.ReplaceAll(s, t.auth.pass, "REDACTED")
}

func (t *SMTPTransport) data(c *smtp.Client, msg []byte) error {
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		_ = w.Close()
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}
