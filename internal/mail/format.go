// Package mail delivers the outbox (R20): a Sender claims due emails from the
// store and hands each to a Transport, SMTP or a directory of .eml files.
// Delivery is at least once: an email whose sender dies is claimed again
// after its lease, and a .eml file is named by the email's id so a second
// delivery overwrites the first.
package mail

import (
	"bytes"
	"encoding/base64"
	"mime"
	netmail "net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roster-dev/roster/internal/roster"
)

const (
	// maxLine is RFC 5322's hard limit on a line, without its CRLF.
	maxLine = 998
	// foldAt is the length past which a header is folded at a space
	// (RFC 5322's recommended 78 characters).
	foldAt = 78
	// defaultFrom is the sender when none is configured.
	defaultFrom = "Roster <roster@localhost>"
)

// Format renders an email as an RFC 5322 message: plain text, UTF-8, 7bit
// when the body is ASCII and 8bit otherwise, never quoted-printable, so a
// link stands unbroken on its line. Lines end in CRLF; a body line longer
// than 998 bytes is wrapped at spaces. CR and LF are stripped from header
// values. An empty from means "Roster <roster@localhost>".
func Format(e roster.Email, from string, now time.Time) []byte {
	if from == "" {
		from = defaultFrom
	}
	var b bytes.Buffer
	writeHeader(&b, "From", encodeFrom(clean(from)))
	writeHeader(&b, "To", clean(e.To))
	writeHeader(&b, "Subject", encodeHeader(clean(e.Subject)))
	writeHeader(&b, "Date", now.UTC().Format(time.RFC1123Z))
	writeHeader(&b, "Message-ID", "<"+clean(e.ID)+"@roster>")
	writeHeader(&b, "MIME-Version", "1.0")
	writeHeader(&b, "Content-Type", "text/plain; charset=utf-8")
	writeHeader(&b, "Content-Transfer-Encoding", transferEncoding(e.Body))
	b.WriteString("\r\n")
	for _, line := range bodyLines(e.Body) {
		for _, part := range wrap(line) {
			b.WriteString(part)
			b.WriteString("\r\n")
		}
	}
	return b.Bytes()
}

// writeHeader writes "Key: value", folded at spaces once a line passes
// foldAt characters.
func writeHeader(b *bytes.Buffer, key, value string) {
	line := key + ":"
	for i, word := range strings.Split(value, " ") {
		if i > 0 && word != "" && len(line)+1+len(word) > foldAt {
			b.WriteString(line + "\r\n")
			line = ""
		}
		line += " " + word
	}
	b.WriteString(line + "\r\n")
}

// clean strips CR and LF from a header value: no header injection.
func clean(v string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(v)
}

// encodeHeader makes an unstructured header value (the subject) safe: UTF-8
// as RFC 2047 encoded words, and so is ASCII text containing "=?", which a
// reader would otherwise decode as an encoded word of its own.
func encodeHeader(v string) string {
	switch {
	case strings.Contains(v, "=?"):
		return base64Words(v)
	case isASCII(v):
		return v
	}
	return mime.QEncoding.Encode("utf-8", v)
}

// base64Words encodes v as "B" encoded words of at most 75 characters,
// split between whole characters (RFC 2047 sections 2 and 5).
func base64Words(v string) string {
	const maxChunk = 39 // 52 base64 characters + 12 of "=?utf-8?b?...?=", with "Subject: " < 76
	var words []string
	for v != "" {
		n := min(len(v), maxChunk)
		for n > 0 && n < len(v) && !utf8.RuneStart(v[n]) {
			n--
		}
		if n == 0 { // no character boundary within reach (invalid UTF-8): cut at the limit
			n = min(len(v), maxChunk)
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(v[:n]))+"?=")
		v = v[n:]
	}
	return strings.Join(words, " ")
}

// encodeFrom encodes a non-ASCII display name in the From address
// ("Équipe <a@b>" as an encoded word); an ASCII value is kept as given.
func encodeFrom(from string) string {
	if isASCII(from) {
		return from
	}
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return from
	}
	return addr.String()
}

func transferEncoding(body string) string {
	if isASCII(body) {
		return "7bit"
	}
	return "8bit"
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// bodyLines splits a body on CRLF, LF or a lone CR (a bare CR or LF may not
// appear in a message). A final line break ends the last line rather than
// starting an empty one.
func bodyLines(body string) []string {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	body = strings.ReplaceAll(body, "\r", "\n")
	return strings.Split(strings.TrimSuffix(body, "\n"), "\n")
}

// wrap splits a line longer than maxLine bytes at its last space before the
// limit, or at the limit (on a UTF-8 boundary) when there is none; shorter
// lines, links included, are left whole.
func wrap(line string) []string {
	var out []string
	for len(line) > maxLine {
		cut := strings.LastIndexByte(line[:maxLine+1], ' ')
		if cut <= 0 {
			cut = runeStart(line, maxLine)
		}
		out = append(out, line[:cut])
		line = strings.TrimPrefix(line[cut:], " ")
	}
	return append(out, line)
}

// runeStart returns the start of the UTF-8 sequence holding s[limit], or
// limit itself when s is not UTF-8 there.
func runeStart(s string, limit int) int {
	for i := limit; i > 0 && i > limit-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return limit
}
