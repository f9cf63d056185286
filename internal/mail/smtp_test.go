package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// received is what the fake SMTP server got in one session.
type received struct {
	helo, from, user, pass string
	rcpt                   []string
	data                   []byte
}

// fakeSMTP is a tiny SMTP server on a loopback listener: EHLO, AUTH PLAIN,
// MAIL, RCPT, DATA, RSET, NOOP and QUIT, without TLS.
type fakeSMTP struct {
	ln       net.Listener
	password string // AUTH PLAIN succeeds only with this password
	mu       sync.Mutex
	sessions []received
	wg       sync.WaitGroup
}

func startSMTP(t *testing.T, password string) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &fakeSMTP{ln: ln, password: password}
	s.wg.Go(s.accept)
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *fakeSMTP) port() string { return fmt.Sprint(s.ln.Addr().(*net.TCPAddr).Port) }

func (s *fakeSMTP) accept() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Go(func() { s.serve(conn) })
	}
}

func (s *fakeSMTP) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	tp := textproto.NewConn(conn)
	var r received
	defer func() { s.record(r) }()
	tp.PrintfLine("220 fake ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		if !s.reply(tp, &r, strings.ToUpper(verb), arg) {
			return
		}
	}
}

// reply answers one command; false ends the session.
func (s *fakeSMTP) reply(tp *textproto.Conn, r *received, verb, arg string) bool {
	switch verb {
	case "EHLO":
		r.helo = arg
		tp.PrintfLine("250-fake greets %s", arg)
		tp.PrintfLine("250-8BITMIME")
		tp.PrintfLine("250 AUTH PLAIN")
	case "AUTH":
		tp.PrintfLine("%s", s.auth(r, arg))
	case "MAIL":
		r.from = arg
		tp.PrintfLine("250 ok")
	case "RCPT":
		r.rcpt = append(r.rcpt, arg)
		tp.PrintfLine("250 ok")
	case "DATA":
		tp.PrintfLine("354 go ahead")
		data, err := tp.ReadDotBytes()
		if err != nil {
			return false
		}
		r.data = data
		tp.PrintfLine("250 queued")
	case "RSET", "NOOP":
		tp.PrintfLine("250 ok")
	case "QUIT":
		tp.PrintfLine("221 bye")
		return false
	default:
		tp.PrintfLine("502 unknown command")
	}
	return true
}

// auth checks "PLAIN <base64 of \0user\0pass>" and echoes the attempt on
// failure, as a careless server might.
func (s *fakeSMTP) auth(r *received, arg string) string {
	mech, resp, _ := strings.Cut(arg, " ")
	raw, err := base64.StdEncoding.DecodeString(resp)
	parts := strings.Split(string(raw), "\x00")
	if mech != "PLAIN" || err != nil || len(parts) != 3 {
		return "501 bad auth"
	}
	r.user, r.pass = parts[1], parts[2]
	if r.pass != s.password {
		return "535 bad credentials for " + r.user + " with " + r.pass
	}
	return "235 ok"
}

func (s *fakeSMTP) record(r received) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = append(s.sessions, r)
}

func (s *fakeSMTP) session(t *testing.T) received {
	t.Helper()
	s.ln.Close()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.sessions) != 1 {
		t.Fatalf("sessions: got %d, want 1", len(s.sessions))
	}
	return s.sessions[0]
}

func TestSMTPSendEndToEnd(t *testing.T) {
	srv := startSMTP(t, "s3cret")
	tr, err := NewSMTP("smtp://mailer:s3cret@127.0.0.1:"+srv.port(), testFrom)
	if err != nil {
		t.Fatal(err)
	}
	e := email("em1", 0)
	e.To = "Zoë Dupont <zoe@example.com>"
	e.Body = "Bonjour Zoë,\n\n.leading dot\nhttps://roster.example/invite/" + strings.Repeat("t", 180) + "\n"
	if err := tr.Send(context.Background(), e); err != nil {
		t.Fatalf("send: %v", err)
	}

	r := srv.session(t)
	if r.user != "mailer" || r.pass != "s3cret" {
		t.Errorf("auth: got %q/%q, want mailer/s3cret", r.user, r.pass)
	}
	if !strings.HasPrefix(r.from, "FROM:<noreply@roster.example>") {
		t.Errorf("MAIL: got %q, want FROM:<noreply@roster.example>", r.from)
	}
	if len(r.rcpt) != 1 || r.rcpt[0] != "TO:<zoe@example.com>" {
		t.Errorf("RCPT: got %q, want [TO:<zoe@example.com>]", r.rcpt)
	}
	msg, body := parse(t, r.data)
	if got := msg.Header.Get("Message-Id"); got != "<em1@roster>" {
		t.Errorf("Message-ID: got %q", got)
	}
	if body != e.Body { // ReadDotBytes turns CRLF into LF
		t.Errorf("body: got %q, want %q", body, e.Body)
	}
}

func TestSMTPWithoutCredentials(t *testing.T) {
	srv := startSMTP(t, "")
	tr, err := NewSMTP("smtp://127.0.0.1:"+srv.port(), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Send(context.Background(), email("em1", 0)); err != nil {
		t.Fatalf("send: %v", err)
	}
	r := srv.session(t)
	if r.user != "" || !strings.HasPrefix(r.from, "FROM:<roster@localhost>") {
		t.Errorf("session: got user %q, from %q; want no auth, roster@localhost", r.user, r.from)
	}
}

func TestSMTPAuthFailureHidesPassword(t *testing.T) {
	srv := startSMTP(t, "right")
	tr, err := NewSMTP("smtp://mailer:wrong-pw@127.0.0.1:"+srv.port(), testFrom)
	if err != nil {
		t.Fatal(err)
	}
	err = tr.Send(context.Background(), email("em1", 0))
	if err == nil {
		t.Fatal("send with a wrong password: got nil error")
	}
	if strings.Contains(err.Error(), "wrong-pw") {
		t.Fatalf("the error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "535") {
		t.Errorf("the error lost the server's answer: %v", err)
	}
}

func TestSMTPSilentServerHonoursContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and never greet
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	tr, err := NewSMTP("smtp://"+ln.Addr().String(), testFrom)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := tr.Send(ctx, email("em1", 0)); err == nil {
		t.Fatal("send to a silent server: got nil error")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("send took %v after a 100ms context", d)
	}
}

func TestNewSMTP(t *testing.T) {
	tests := []struct {
		url, host, port, user, pass string
		implicit                    bool
	}{
		{"smtp://mail.example.com", "mail.example.com", "587", "", "", false},
		{"smtp://u:p@mail.example.com:2525", "mail.example.com", "2525", "u", "p", false},
		{"smtps://mail.example.com", "mail.example.com", "465", "", "", true},
		{"smtps://a%40b.c:p%2Fw@[::1]:1465", "::1", "1465", "a@b.c", "p/w", true},
	}
	for _, tt := range tests {
		tr, err := NewSMTP(tt.url, testFrom)
		if err != nil {
			t.Errorf("NewSMTP(%q): %v", tt.url, err)
			continue
		}
		got := []any{tr.host, tr.port, tr.user(), tr.implicit}
		want := []any{tt.host, tt.port, tt.user, tt.implicit}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("NewSMTP(%q): got %v, want %v", tt.url, got, want)
		}
		if tt.pass != "" && tr.auth.pass != tt.pass {
			t.Errorf("NewSMTP(%q): password not kept", tt.url)
		}
	}
}

func TestNewSMTPRejects(t *testing.T) {
	for _, raw := range []string{
		"http://u:secret@mail.example.com",
		"ftp://u:secret@mail.example.com",
		"mail.example.com:25",
		"smtp://u:secret@",
		"smtp://u:secret@mail.example.com:notaport",
		"smtp:u:secret@mail.example.com",
		"::not a url secret",
	} {
		_, err := NewSMTP(raw, testFrom)
		if err == nil {
			t.Errorf("NewSMTP(%q): got nil error", raw)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("NewSMTP(%q): the error shows the password: %v", raw, err)
		}
	}
	if _, err := NewSMTP("smtp://mail.example.com", "not an address"); err == nil {
		t.Error("NewSMTP with a bad From: got nil error")
	}
}

func TestSMTPRedactsPassword(t *testing.T) {
	tr, err := NewSMTP("smtps://mailer:hunter2@mail.example.com", testFrom)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("mail", "smtp", tr)
	if !strings.Contains(logs.String(), "smtp.password=REDACTED") || !strings.Contains(logs.String(), "smtp.user=mailer") {
		t.Errorf("LogValue: got %s", logs.String())
	}
	if got, want := tr.String(), "smtps://mailer:REDACTED@mail.example.com:465"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
	printed := logs.String() + fmt.Sprintf("%v %+v %#v %s %v %+v", tr, tr, tr, tr, *tr, *tr)
	if strings.Contains(printed, "hunter2") {
		t.Fatalf("the password shows: %s", printed)
	}
}
