package mail

import (
	"bytes"
	"mime"
	netmail "net/mail"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/roster-dev/roster/internal/roster"
)

// formatHeaders are the header fields Format writes, each exactly once.
var formatHeaders = []string{"Content-Transfer-Encoding", "Content-Type", "Date", "From", "Message-Id", "Mime-Version", "Subject", "To"}

// FuzzFormat: whatever the recipient, subject, body, id and sender hold
// (CR, LF, "=?", non-ASCII text), the message has exactly Format's eight
// header fields, so no input injects a header or starts the body early;
// every line ends in CRLF; net/mail reads it; the subject's encoded words
// are valid and decode to the subject (CR and LF removed, whitespace runs
// aside); and a body whose lines fit comes back whole.
func FuzzFormat(f *testing.F) {
	f.Add("ann@example.com", "You are invited to Acme", "Hello,\n\nhttps://x.example/invite/abc\n", "eml_1", "")
	f.Add("a@b.c\r\nBcc: eve@evil.example", "Hi\r\nX-Injected: yes", "body\rline\n", "id\n2", "Roster <r@x>\nBcc: e@x")
	f.Add("zoë@example.com", "=?utf-8?q?fake?= Équipe", "Zoë\n", "e", "Équipe <r@x.example>")
	f.Add("x@y", strings.Repeat("ünïcødé ", 40), strings.Repeat("é", 1200), "e", "")
	f.Add("x@y", "=?"+strings.Repeat("é", 30), "", "", "")
	// A subject with "=?" and 39 or more bytes that start no character
	// (invalid UTF-8) once made base64Words loop for ever on empty words.
	f.Add("x@y", "Join =?"+strings.Repeat("\x80", 60), "", "", "")
	f.Fuzz(func(t *testing.T, to, subject, body, id, from string) {
		raw := Format(roster.Email{ID: id, To: to, Subject: subject, Body: body}, from, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		head, rest, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
		if !ok {
			t.Fatalf("no blank line ends the header: %q", raw)
		}
		if !bytes.HasSuffix(raw, []byte("\r\n")) {
			t.Fatalf("the message does not end in CRLF: %q", raw)
		}
		var names []string
		for _, line := range strings.Split(string(head), "\r\n") {
			if strings.ContainsAny(line, "\r\n") {
				t.Fatalf("a header line holds a bare CR or LF: %q", line)
			}
			if line == "" {
				t.Fatalf("an empty header line: %q", head)
			}
			if line[0] == ' ' || line[0] == '\t' {
				continue // folded
			}
			name, _, ok := strings.Cut(line, ":")
			if !ok {
				t.Fatalf("a header line without a colon: %q", line)
			}
			names = append(names, strings.ToLower(name))
		}
		want := make([]string, len(formatHeaders))
		for i, h := range formatHeaders {
			want[i] = strings.ToLower(h)
		}
		slices.Sort(names)
		if !slices.Equal(names, want) {
			t.Fatalf("header fields %v, want %v:\n%s", names, want, head)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(rest), "\r\n"), "\r\n") {
			if strings.ContainsAny(line, "\r\n") {
				t.Fatalf("a body line holds a bare CR or LF: %q", line)
			}
		}

		msg, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("net/mail cannot read it: %v\n%q", err, raw)
		}
		if utf8.ValidString(subject) {
			got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil {
				t.Fatalf("subject %q: encoded words do not decode: %v (%q)", subject, err, msg.Header.Get("Subject"))
			}
			if g, w := strings.Fields(got), strings.Fields(clean(subject)); !slices.Equal(g, w) {
				t.Fatalf("subject %q came back as %q", subject, got)
			}
		}
		wantEnc := "8bit"
		if isASCII(body) {
			wantEnc = "7bit"
		}
		if got := msg.Header.Get("Content-Transfer-Encoding"); got != wantEnc {
			t.Fatalf("Content-Transfer-Encoding %q, want %q", got, wantEnc)
		}
		norm := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
		fits := true
		for _, l := range strings.Split(norm, "\n") {
			fits = fits && len(l) <= maxLine
		}
		if fits {
			wantBody := strings.ReplaceAll(strings.TrimSuffix(norm, "\n"), "\n", "\r\n") + "\r\n"
			if string(rest) != wantBody {
				t.Fatalf("body %q came back as %q", body, rest)
			}
		}
	})
}
