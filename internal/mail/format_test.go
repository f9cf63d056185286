package mail

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/roster-dev/roster/internal/roster"
)

const testFrom = "Roster <noreply@roster.example>"

func parse(t *testing.T, raw []byte) (*mail.Message, string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the message: %v\n%s", err, raw)
	}
	body, err := io.ReadAll(msg.Body)
	if err != nil {
		t.Fatal(err)
	}
	return msg, string(body)
}

func TestFormatHeaders(t *testing.T) {
	e := email("em1", 0)
	msg, _ := parse(t, Format(e, testFrom, t0))
	want := map[string]string{
		"From":                      testFrom,
		"To":                        "em1@example.com",
		"Subject":                   "Hello em1",
		"Date":                      "Fri, 02 Jan 2026 03:04:05 +0000",
		"Message-Id":                "<em1@roster>",
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "7bit",
	}
	for k, v := range want {
		if got := msg.Header.Get(k); got != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date does not parse: %v", err)
	}
}

func TestFormatDefaultFrom(t *testing.T) {
	msg, _ := parse(t, Format(email("em1", 0), "", t0))
	if got := msg.Header.Get("From"); got != defaultFrom {
		t.Fatalf("From: got %q, want %q", got, defaultFrom)
	}
}

func TestFormatSubjectEncoding(t *testing.T) {
	long := strings.TrimSpace(strings.Repeat("Équipe très longue ", 12))
	for _, subject := range []string{"Plain ASCII subject", "Invitation à rejoindre « Cabinet Dupont »", "日本語の件名", long} {
		t.Run(subject[:min(len(subject), 20)], func(t *testing.T) {
			e := email("em1", 0)
			e.Subject = subject
			raw := Format(e, testFrom, t0)
			headers, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
			if !isASCII(string(headers)) {
				t.Fatalf("headers are not ASCII:\n%s", headers)
			}
			msg, _ := parse(t, raw)
			got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil {
				t.Fatal(err)
			}
			if got != subject {
				t.Fatalf("subject: got %q, want %q", got, subject)
			}
			encoded := strings.Contains(string(headers), "=?utf-8?q?")
			if encoded == isASCII(subject) {
				t.Fatalf("encoded word present = %v for subject %q", encoded, subject)
			}
		})
	}
}

func TestFormatTransferEncoding(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"ascii", "Hello,\nyou are invited.\n", "7bit"},
		{"accents", "Bonjour Zoë,\nvous êtes invitée.\n", "8bit"},
		{"emoji", "Welcome 🎉", "8bit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := email("em1", 0)
			e.Body = tt.body
			msg, body := parse(t, Format(e, testFrom, t0))
			if got := msg.Header.Get("Content-Transfer-Encoding"); got != tt.want {
				t.Fatalf("encoding: got %q, want %q", got, tt.want)
			}
			if want := strings.ReplaceAll(tt.body, "\n", "\r\n"); !strings.HasPrefix(body, want) {
				t.Fatalf("body: got %q, want it to start with %q", body, want)
			}
		})
	}
}

func TestFormatLines(t *testing.T) {
	url := "https://roster.example/invite/" + strings.Repeat("a1B2-", 34) // 200 characters
	if len(url) != 200 {
		t.Fatalf("test URL is %d characters", len(url))
	}
	e := email("em1", 0)
	e.Body = strings.Join([]string{
		"Hi,",
		"Accept your invitation: " + url + " within a week.",
		url,
		strings.Repeat("word ", 500), // 2500 bytes: wrapped at spaces
		strings.Repeat("x", 2100),    // no space: cut hard
		strings.Repeat("é", 600),     // 1200 bytes: cut between runes
		"bare\rcarriage return",
	}, "\n")
	raw := Format(e, testFrom, t0)
	_, body := parse(t, raw)
	lines := strings.Split(body, "\r\n")
	for i, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > maxLine {
			t.Errorf("line %d is %d bytes", i, len(line))
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i, line)
		}
	}
	if !containsLine(lines, url) {
		t.Errorf("the URL is not whole on a line of its own")
	}
	if !strings.Contains(body, url+" within a week.") {
		t.Errorf("the URL inside a sentence was broken")
	}
	if !sameText(body, e.Body) {
		t.Errorf("wrapping lost text")
	}
	for _, line := range lines {
		if !utf8.ValidString(line) {
			t.Errorf("a wrapped line splits a character: %q", line[:10])
		}
	}
}

// sameText compares two texts ignoring spaces and line breaks, which
// wrapping may move.
func sameText(a, b string) bool {
	strip := strings.NewReplacer(" ", "", "\n", "", "\r", "")
	return strip.Replace(a) == strip.Replace(b)
}

func containsLine(lines []string, want string) bool {
	for _, l := range lines {
		if l == want {
			return true
		}
	}
	return false
}

func TestFormatHeaderInjection(t *testing.T) {
	e := roster.Email{
		ID:      "em1\r\nBcc: victim@example.com",
		To:      "a@example.com\r\nBcc: evil@example.com",
		Subject: "Hi\r\nX-Injected: yes\n\nfake body",
		Body:    "real body",
	}
	msg, body := parse(t, Format(e, "Roster <r@example.com>\r\nReply-To: evil@example.com", t0))
	for _, h := range []string{"Bcc", "X-Injected", "Reply-To"} {
		if v := msg.Header.Get(h); v != "" {
			t.Errorf("injected header %s: %q", h, v)
		}
	}
	if got, want := msg.Header.Get("To"), "a@example.comBcc: evil@example.com"; got != want {
		t.Errorf("To: got %q, want %q", got, want)
	}
	if !strings.HasPrefix(body, "real body") {
		t.Errorf("body: got %q, want the real body", body)
	}
}

func TestFormatBodyLineEndings(t *testing.T) {
	tests := []struct{ body, want string }{
		{"one", "one\r\n"},
		{"one\n", "one\r\n"},
		{"one\r\ntwo\n\n", "one\r\ntwo\r\n\r\n"},
		{"one\rtwo", "one\r\ntwo\r\n"},
		{"", "\r\n"},
	}
	for _, tt := range tests {
		e := email("em1", 0)
		e.Body = tt.body
		_, body, _ := bytes.Cut(Format(e, testFrom, t0), []byte("\r\n\r\n"))
		if string(body) != tt.want {
			t.Errorf("body %q: got %q, want %q", tt.body, body, tt.want)
		}
	}
}

// An ASCII subject that looks like an encoded word must read back as
// written, and a non-ASCII sender name must be encoded.
func TestFormatEncodedWordLookalikesAndSenderName(t *testing.T) {
	for _, subject := range []string{"Join =?utf-8?q?Evil?= Corp", "=?", strings.Repeat("x=?y ", 30) + "Zoë"} {
		e := email("em1", 0)
		e.Subject = subject
		raw := Format(e, testFrom, t0)
		msg, _ := parse(t, raw)
		got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || got != subject {
			t.Fatalf("subject %q: read back %q (%v)", subject, got, err)
		}
		for _, line := range strings.Split(string(raw), "\r\n") {
			if len(line) > 78 && strings.Contains(line, "=?") {
				t.Fatalf("subject %q: header line of %d characters: %q", subject, len(line), line)
			}
		}
	}
	raw := Format(email("em1", 0), "Équipe Roster <roster@example.com>", t0)
	headers, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !isASCII(string(headers)) {
		t.Fatalf("a non-ASCII sender name is not encoded:\n%s", headers)
	}
	msg, _ := parse(t, raw)
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Équipe Roster" || from[0].Address != "roster@example.com" {
		t.Fatalf("From reads back as %v (%v)", from, err)
	}
}
