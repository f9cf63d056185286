package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// SMTPTransport sends through an SMTP server: smtp:// with STARTTLS when the
// server offers it (port 587 by default), smtps:// with implicit TLS (465).
type SMTPTransport struct {
	host, port string
	user, pass string
	implicit   bool
	from       string
	envelope   string
	timeout    time.Duration
}

// NewSMTP parses smtp://user:pass@host:port or smtps://...
func NewSMTP(rawURL, from string) (*SMTPTransport, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return nil, errors.New("smtp: want smtp://user:pass@host:port or smtps://...")
	}
	t := &SMTPTransport{host: u.Hostname(), port: u.Port(), from: from, timeout: 20 * time.Second}
	switch u.Scheme {
	case "smtp":
		if t.port == "" {
			t.port = "587"
		}
	case "smtps":
		t.implicit = true
		if t.port == "" {
			t.port = "465"
		}
	default:
		return nil, fmt.Errorf("smtp: unsupported scheme %q (want smtp or smtps)", u.Scheme)
	}
	if u.User != nil {
		t.user = u.User.Username()
		t.pass, _ = u.User.Password()
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("smtp: from address %q: %w", from, err)
	}
	t.envelope = addr.Address
	return t, nil
}

// LogValue redacts the password.
func (t *SMTPTransport) LogValue() slog.Value {
	return slog.GroupValue(slog.String("host", t.host), slog.String("port", t.port), slog.String("user", t.user), slog.String("password", "REDACTED"))
}

// String describes the transport without its password.
func (t *SMTPTransport) String() string {
	return "smtp " + t.user + "@" + net.JoinHostPort(t.host, t.port)
}

// Send delivers one email.
func (t *SMTPTransport) Send(ctx context.Context, e roster.Email) error {
	c, err := t.dial(ctx)
	if err != nil {
		return fmt.Errorf("smtp %s: %w", net.JoinHostPort(t.host, t.port), err)
	}
	defer c.Close()
	if err := t.deliver(c, e); err != nil {
		return fmt.Errorf("smtp send %s: %w", e.ID, err)
	}
	return c.Quit()
}

func (t *SMTPTransport) dial(ctx context.Context) (*smtp.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	addr := net.JoinHostPort(t.host, t.port)
	var conn net.Conn
	var err error
	if t.implicit {
		d := tls.Dialer{Config: &tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12}}
		conn, err = d.DialContext(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(t.timeout))
	c, err := smtp.NewClient(conn, t.host)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

func (t *SMTPTransport) deliver(c *smtp.Client, e roster.Email) error {
	if ok, _ := c.Extension("STARTTLS"); ok && !t.implicit {
		if err := c.StartTLS(&tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12}); err != nil {
			return err
		}
	}
	if t.user != "" {
		if err := c.Auth(smtp.PlainAuth("", t.user, t.pass, t.host)); err != nil {
			return errors.New("authentication failed")
		}
	}
	if err := c.Mail(t.envelope); err != nil {
		return err
	}
	if err := c.Rcpt(clean(e.To)); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(Format(e, t.from, time.Now())); err != nil {
		return err
	}
	return w.Close()
}
