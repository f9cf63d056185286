package mail

import (
	"bytes"
	"strings"
	"testing"
)

// checkWire checks the message as it goes on the wire: every line ends in
// CRLF (no bare CR or LF anywhere) and holds at most 998 bytes.
func checkWire(t *testing.T, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Errorf("the message does not end in CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
		if len(line) > maxLine {
			t.Errorf("line %d is %d bytes, want at most %d", i+1, len(line), maxLine)
		}
	}
}

// TestFormatInvitation: an invitation as the service writes it, with a
// 200-character link and a 3000-byte paragraph, reads back through
// net/mail with the link whole on its own line and no text lost.
func TestFormatInvitation(t *testing.T) {
	link := "https://roster.example/invite/" + strings.Repeat("Zx9_", 42) + "ab"
	if len(link) != 200 {
		t.Fatalf("test link is %d characters", len(link))
	}
	paragraph := strings.Repeat("lorem ipsum ", 250) // 3000 bytes, spaces to wrap at
	if len(paragraph) != 3000 {
		t.Fatalf("test paragraph is %d bytes", len(paragraph))
	}
	for _, tt := range []struct{ name, body string }{
		{"ascii", "Hello Ann,\n\nOpen this link to accept the invitation:\n\n" + link + "\n\n" + paragraph + "\n"},
		{"utf-8", "Bonjour Zoë,\n\nOuvrez ce lien :\n\n" + link + "\n\n" + strings.Repeat("é", 1500) + "\n"},
		{"no spaces", link + "\n" + strings.Repeat("x", 3000) + "\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := email("em1", 0)
			e.Body = tt.body
			raw := Format(e, testFrom, t0)
			checkWire(t, raw)
			msg, body := parse(t, raw)
			if got := msg.Header.Get("Content-Transfer-Encoding"); got == "quoted-printable" || got == "base64" {
				t.Fatalf("Content-Transfer-Encoding: got %q, want 7bit or 8bit", got)
			}
			if !containsLine(strings.Split(body, "\r\n"), link) {
				t.Errorf("the link is not whole on a line of its own:\n%s", body)
			}
			if !sameText(body, tt.body) {
				t.Errorf("the body lost text")
			}
			if n := strings.Count(body, "\r\n"); n <= strings.Count(tt.body, "\n") {
				t.Errorf("got %d lines, want the 3000-byte line wrapped", n)
			}
		})
	}
}

func TestFormatNoHeaderInjection(t *testing.T) {
	tests := []struct{ name, to, subject string }{
		{"subject CRLF", "ann@example.com", "Hi\r\nBcc: evil@example.com"},
		{"subject LF", "ann@example.com", "Hi\nBcc: evil@example.com"},
		{"subject CR", "ann@example.com", "Hi\rBcc: evil@example.com"},
		{"subject blank line", "ann@example.com", "Hi\r\n\r\nBcc: evil@example.com"},
		{"recipient CRLF", "ann@example.com\r\nBcc: evil@example.com", "Hi"},
		{"recipient LF", "ann@example.com\nBcc: evil@example.com", "Hi"},
		{"utf-8 subject CRLF", "ann@example.com", "Équipe\r\nBcc: evil@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := email("em1", 0)
			e.To, e.Subject, e.Body = tt.to, tt.subject, "the body\n"
			raw := Format(e, testFrom, t0)
			checkWire(t, raw)
			msg, body := parse(t, raw)
			if len(msg.Header["Bcc"]) != 0 {
				t.Errorf("a Bcc header was injected: %q", msg.Header["Bcc"])
			}
			if len(msg.Header) != 8 {
				t.Errorf("got %d headers, want 8: %v", len(msg.Header), msg.Header)
			}
			if body != "the body\r\n" {
				t.Errorf("body: got %q, want %q", body, "the body\r\n")
			}
		})
	}
}
