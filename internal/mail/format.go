// Package mail delivers the outbox (R20): a Sender claims due emails from the
// store and hands each to a Transport, SMTP or a directory of .eml files.
// Delivery is at least once: an email whose sender dies is claimed again
// after its lease, and a .eml file is named by the email's id so a second
// delivery overwrites the first.
package mail

import (
	"bytes"
	"fmt"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/roster-dev/roster/internal/roster"
)

// maxLine is RFC 5322's limit on a line, without CRLF.
const maxLine = 998

// Format renders an email as an RFC 5322 message: plain text, UTF-8, 7bit
// when the body is ASCII and 8bit otherwise, never quoted-printable, so a
// link stands unbroken on its line.
func Format(e roster.Email, from string, now time.Time) []byte {
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", clean(from))
	header("To", clean(e.To))
	header("Subject", encodeHeader(clean(e.Subject)))
	header("Date", now.UTC().Format(time.RFC1123Z))
	header("Message-ID", "<"+clean(e.ID)+"@roster>")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", transferEncoding(e.Body))
	b.WriteString("\r\n")
	for _, line := range strings.Split(strings.ReplaceAll(e.Body, "\r\n", "\n"), "\n") {
		for _, part := range wrap(line) {
			b.WriteString(part)
			b.WriteString("\r\n")
		}
	}
	return b.Bytes()
}

// clean strips CR and LF from a header value: no header injection.
func clean(v string) string {
	return strings.NewReplacer("\r", "", "\n", "").Replace(v)
}

func encodeHeader(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			return mime.QEncoding.Encode("utf-8", v)
		}
	}
	return v
}

func transferEncoding(body string) string {
	for i := 0; i < len(body); i++ {
		if body[i] >= utf8.RuneSelf {
			return "8bit"
		}
	}
	return "7bit"
}

// wrap splits a line longer than maxLine at spaces where it can (hard
// otherwise); shorter lines, links included, are left whole.
func wrap(line string) []string {
	var out []string
	for len(line) > maxLine {
		cut := strings.LastIndexByte(line[:maxLine], ' ')
		if cut <= 0 {
			cut = maxLine
		}
		out = append(out, line[:cut])
		line = strings.TrimPrefix(line[cut:], " ")
	}
	return append(out, line)
}
