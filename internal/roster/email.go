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
// CR/LF, at most 254 characters, a dot in the domain, and a domain that is
// a host name: every label 1 to 63 characters, none starting or ending
// with a hyphen (RFC 1035 / RFC 5321; "a@-x.com" and "a@x-.com" are not
// deliverable). Sign-up, invitations, organization creation and the portal
// all call it.
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
	if at < 1 || !strings.Contains(s[at+1:], ".") || strings.HasSuffix(s, ".") || !hostName(s[at+1:]) {
		return Invalid("email", "not a valid email address")
	}
	return nil
}

// hostName reports whether every dot-separated label of domain is 1 to 63
// characters and neither starts nor ends with a hyphen. (Which characters a
// label holds is left to mail.ParseAddress: internationalized domains stay
// accepted.)
func hostName(domain string) bool {
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
	}
	return true
}

// NormalizeName is how names that must be unique in an organization (custom
// roles, teams) are compared: case-insensitively, without outer spaces.
func NormalizeName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
