package totp

import (
	"crypto/rand"
	"fmt"
	"strings"
	"unicode"
)

// recoveryAlphabet has 32 characters that read unambiguously: no 0, 1, l
// or o. Its size, a power of two, makes each character exactly 5 random bits.
const recoveryAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// Recovery codes have recoveryGroups groups of recoveryGroupLen characters,
// "abcd-efgh-ijkm": 12 characters of 5 bits, 60 bits in all.
const (
	recoveryGroups   = 3
	recoveryGroupLen = 4
)

// RecoveryCodes returns n new random recovery codes such as
// "7kqm-xh3d-pa9t". Store only a hash of NormalizeRecoveryCode(code).
func RecoveryCodes(n int) ([]string, error) {
	if n < 0 {
		return nil, fmt.Errorf("recovery codes: negative count %d", n)
	}
	codes := make([]string, n)
	for i := range codes {
		code, err := recoveryCode()
		if err != nil {
			return nil, err
		}
		codes[i] = code
	}
	return codes, nil
}

func recoveryCode() (string, error) {
	random := make([]byte, recoveryGroups*recoveryGroupLen)
	if _, err := rand.Read(random); err != nil {
		return "", fmt.Errorf("recovery code: %w", err)
	}
	var b strings.Builder
	for i, r := range random {
		if i > 0 && i%recoveryGroupLen == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(recoveryAlphabet[int(r)%len(recoveryAlphabet)]) // 256 is a multiple of 32: no bias
	}
	return b.String(), nil
}

// NormalizeRecoveryCode returns s lowercased, without spaces and dashes, so
// that "ABCD EFGH-IJKM" and "abcd-efgh-ijkm" hash alike.
func NormalizeRecoveryCode(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}
