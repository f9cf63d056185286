// Package totp implements time-based one-time passwords (RFC 6238) as
// authenticator apps use them: HMAC-SHA1, 30-second steps, 6 digits. It
// also makes the recovery codes that stand in for a lost authenticator.
//
// Verify accepts one step of clock drift either way and never the same or
// an earlier step twice: the caller stores the step Verify returns and
// updates it only if it still holds the lastUsedStep it passed in (a
// compare-and-set), so that two requests racing with one code cannot both
// succeed.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1" // #nosec G505 -- HMAC-SHA1 is RFC 6238's default, the one authenticator apps implement; collisions do not weaken HMAC
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Parameters of the codes this package makes, the defaults of the
// otpauth URL format.
const (
	SecretSize = 20 // bytes: 160 bits, RFC 4226's recommendation
	Period     = 30 * time.Second
	Digits     = 6
	Skew       = 1 // steps accepted either side of now
)

// GenerateSecret returns a new random 160-bit secret.
func GenerateSecret() ([]byte, error) {
	secret := make([]byte, SecretSize)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("totp secret: %w", err)
	}
	return secret, nil
}

// EncodeSecret returns secret in unpadded base32, as authenticator apps
// expect it typed or in a URL.
func EncodeSecret(secret []byte) string {
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
}

// URL returns the otpauth URL of secret for a QR code:
//
//	otpauth://totp/Issuer:account?secret=...&issuer=Issuer&algorithm=SHA1&digits=6&period=30
//
// Issuer and account are percent-encoded (spaces as %20, colons as %3A, as
// the Key URI Format asks). An empty issuer is left out.
func URL(issuer, account string, secret []byte) string {
	label := escape(account)
	query := "secret=" + EncodeSecret(secret)
	if issuer != "" {
		label = escape(issuer) + ":" + label
		query += "&issuer=" + escape(issuer)
	}
	query += fmt.Sprintf("&algorithm=SHA1&digits=%d&period=%d", Digits, int(Period/time.Second))
	return "otpauth://totp/" + label + "?" + query
}

// escape percent-encodes s for both the label and a query value.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// Step returns the RFC 6238 time step of t: 30-second periods since the
// Unix epoch.
func Step(t time.Time) int64 {
	return floorDiv(t.Unix(), int64(Period/time.Second))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Code returns the 6-digit code of secret at t.
func Code(secret []byte, t time.Time) string {
	return codeDigits(secret, Step(t), Digits)
}

// codeDigits is the HOTP value (RFC 4226 section 5.3) of secret at counter,
// zero-padded to digits digits.
func codeDigits(secret []byte, counter int64, digits int) string {
	mac := hmac.New(sha1.New, secret)
	_ = binary.Write(mac, binary.BigEndian, counter) // a hash.Hash never fails to write
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	value := binary.BigEndian.Uint32(sum[offset:]) & 0x7fffffff
	modulus := uint32(1)
	for range digits {
		modulus *= 10
	}
	return fmt.Sprintf("%0*d", digits, value%modulus)
}

// Verify reports whether code is the code of secret for a step within Skew
// of now that is greater than lastUsedStep, and returns that step. The
// caller must store step, and accept the login only if the stored value was
// still lastUsedStep (compare-and-set). Anything but exactly six ASCII
// digits is refused. Every candidate step is computed and compared in
// constant time, whether or not an earlier one matched.
func Verify(secret []byte, code string, now time.Time, lastUsedStep int64) (step int64, ok bool) {
	if !isDigits(code, Digits) {
		return 0, false
	}
	current := Step(now)
	for candidate := current - Skew; candidate <= current+Skew; candidate++ {
		want := codeDigits(secret, candidate, Digits)
		match := subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1
		if match && candidate > lastUsedStep {
			step, ok = candidate, true // the latest match wins, so no step is left usable
		}
	}
	return step, ok
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
