package mail

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// plainSMTP is the smallest SMTP server: its EHLO offers no extension (no
// STARTTLS, no AUTH); it accepts MAIL, RCPT and DATA and records every
// command line, on a 127.0.0.1 listener. One session at a time.
type plainSMTP struct {
	ln   net.Listener
	done chan struct{} // closed when the first session ends

	mu       sync.Mutex
	commands []string
	data     []byte
}

func startPlainSMTP(t *testing.T) *plainSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &plainSMTP{ln: ln, done: make(chan struct{})}
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(s.done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		s.serve(conn)
	})
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	return s
}

func (s *plainSMTP) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

func (s *plainSMTP) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 plain ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.commands = append(s.commands, line)
		s.mu.Unlock()
		verb, _, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO", "MAIL", "RCPT", "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 end with <CRLF>.<CRLF>")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.data = data
			s.mu.Unlock()
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

// session waits for the session to end and returns what the server got.
func (s *plainSMTP) session(t *testing.T) ([]string, []byte) {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the SMTP session did not end")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.commands, s.data
}

func TestSMTPPlainServerEndToEnd(t *testing.T) {
	srv := startPlainSMTP(t)
	tr, err := NewSMTP("smtp://127.0.0.1:"+strconv.Itoa(srv.port()), "Roster <noreply@roster.example>")
	if err != nil {
		t.Fatal(err)
	}
	link := "https://roster.example/invite/" + strings.Repeat("k", 170)
	e := email("em1", 0)
	e.To = "ann@example.com"
	e.Subject = "You are invited to join the Acme practice"
	e.Body = "Hello Ann,\n\nOpen this link to accept the invitation:\n\n" + link + "\n\nThe link works once.\n"
	if err := tr.Send(context.Background(), e); err != nil {
		t.Fatalf("send: %v", err)
	}

	commands, data := srv.session(t)
	want := []string{
		"EHLO localhost",
		"MAIL FROM:<noreply@roster.example>",
		"RCPT TO:<ann@example.com>",
		"DATA",
		"QUIT",
	}
	if strings.Join(commands, "\n") != strings.Join(want, "\n") {
		t.Fatalf("commands: got %q, want %q", commands, want)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the message does not parse: %v\n%s", err, data)
	}
	for k, v := range map[string]string{
		"From": "Roster <noreply@roster.example>", "To": "ann@example.com",
		"Subject": e.Subject, "Content-Transfer-Encoding": "7bit",
	} {
		if got := msg.Header.Get(k); got != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}
	var body bytes.Buffer
	body.ReadFrom(msg.Body)
	if !containsLine(strings.Split(body.String(), "\n"), link) { // ReadDotBytes turns CRLF into LF
		t.Errorf("the link is not whole on a line of its own:\n%s", body.String())
	}
}

// With credentials, a server offering no AUTH fails the send, and the
// error never holds the password.
func TestSMTPPlainServerRefusesAuth(t *testing.T) {
	srv := startPlainSMTP(t)
	tr, err := NewSMTP("smtp://mailer:pa55-w0rd@127.0.0.1:"+strconv.Itoa(srv.port()), testFrom)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(context.Background(), email("em1", 0))
	if err == nil {
		t.Fatal("send: got nil error from a server that cannot authenticate")
	}
	if strings.Contains(err.Error(), "pa55-w0rd") {
		t.Fatalf("the error shows the password: %v", err)
	}
	commands, data := srv.session(t)
	for _, c := range commands {
		if strings.HasPrefix(c, "MAIL") {
			t.Errorf("the email went out without authentication: %q", commands)
		}
	}
	if data != nil {
		t.Errorf("the server got a message")
	}
}

// Credentials never cross an unencrypted connection to a host that is not
// named as local: here 127.0.0.1 written as an IPv4-mapped IPv6 address,
// whose server offers no STARTTLS.
func TestSMTPNoPasswordInClear(t *testing.T) {
	srv := startPlainSMTP(t)
	tr, err := NewSMTP("smtp://mailer:pa55-w0rd@[::ffff:127.0.0.1]:"+strconv.Itoa(srv.port()), testFrom)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(context.Background(), email("em1", 0)); err == nil {
		t.Fatal("send: got nil error, want a refusal to authenticate in clear")
	}
	commands, _ := srv.session(t)
	for _, c := range commands {
		if strings.HasPrefix(strings.ToUpper(c), "AUTH") || strings.HasPrefix(c, "MAIL") {
			t.Fatalf("the client sent %q over an unencrypted connection", c)
		}
	}
}

func TestNewSMTPRejectsSchemesAndBadURLs(t *testing.T) {
	for _, raw := range []string{
		"", "smtp://", "smtp:///path", "https://u:pw-in-url@mail.example.com",
		"SMTPX://u:pw-in-url@mail.example.com", "mailto:ann@example.com",
		"smtp://u:pw-in-url@mail.example.com:port", "smtp://u:pw-in-url@[::1", "smtp://%zz",
	} {
		tr, err := NewSMTP(raw, testFrom)
		if err == nil {
			t.Errorf("NewSMTP(%q): got %v, want an error", raw, tr)
			continue
		}
		if strings.Contains(err.Error(), "pw-in-url") {
			t.Errorf("NewSMTP(%q): the error shows the password: %v", raw, err)
		}
	}
}

// TestSMTPPasswordNotInJSONLog: a transport logged through slog's JSON
// handler, alone or in a group, shows its user but never its password.
func TestSMTPPasswordNotInJSONLog(t *testing.T) {
	for _, raw := range []string{"smtp://mailer:hunter2@mail.example.com", "smtps://mailer:hunter2@mail.example.com:2465"} {
		tr, err := NewSMTP(raw, testFrom)
		if err != nil {
			t.Fatal(err)
		}
		var logs bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&logs, nil))
		log.Info("mail transport", "smtp", tr)
		log.Info("mail transport", slog.Group("config", "transport", tr), "any", any(tr))
		log.With("smtp", tr).Warn("send failed")
		out := logs.String()
		if strings.Contains(out, "hunter2") {
			t.Fatalf("the JSON log shows the password:\n%s", out)
		}
		if !strings.Contains(out, `"password":"REDACTED"`) || !strings.Contains(out, `"user":"mailer"`) {
			t.Errorf("the JSON log lacks the redacted credentials:\n%s", out)
		}
		if s := tr.String(); strings.Contains(s, "hunter2") || !strings.Contains(s, "REDACTED") {
			t.Errorf("String: got %q", s)
		}
	}
}
