package roster

import (
	"net/mail"
	"strings"
)

// MaxEmailLength bounds an address (RFC 5321 path limit).
const MaxEmailLength = 254

// NormalizeEmail is the form addresses are compared and stored unique in:
// trimmed and lower-cased.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateEmail checks that s is one bare address: no display name, no
// CR/LF, at most 254 characters, a dot in the domain.
func ValidateEmail(s string) error {
	if s == "" {
		return Invalid("email", "email is required")
	}
	if len(s) > MaxEmailLength || strings.ContainsAny(s, "\r\n") {
		return Invalid("email", "not a valid email address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return Invalid("email", "not a valid email address")
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") {
		return Invalid("email", "not a valid email address")
	}
	return nil
}

// NormalizeName is how names that must be unique in an organization (custom
// roles, teams) are compared: case-insensitively, without outer spaces.
func NormalizeName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
