package password

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"
)

// Length limits of Validate.
const (
	MinLength = 15  // characters (runes)
	MaxBytes  = 256 // bytes of UTF-8
)

// Errors of Validate. Their text completes a sentence that starts with
// "password ", so they can be shown to users as they are.
var (
	ErrTooShort = errors.New("must be at least 15 characters")
	ErrTooLong  = errors.New("must be at most 256 bytes long")
	ErrCommon   = errors.New("is too common or too easy to guess; choose another")
	ErrIsEmail  = errors.New("must not be or contain your email address")
)

// Validate applies the password policy described in the package comment.
// email may be empty when it is not known. Validate never changes what the
// caller stores: the password is hashed exactly as given.
func Validate(password, email string) error {
	switch {
	case utf8.RuneCountInString(password) < MinLength:
		return ErrTooShort
	case len(password) > MaxBytes:
		return ErrTooLong
	case matchesEmail(password, email):
		return ErrIsEmail
	case commonPasswords.isCommon(password):
		return ErrCommon
	}
	return nil
}

// matchesEmail reports whether password equals or contains email, or is the
// email's local part, ignoring case. Both are also compared in comparison
// form, with and without digits and punctuation around them, so
// "Jane.Doe-2024!" matches jane.doe@example.com.
func matchesEmail(password, email string) bool {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return false
	}
	if strings.Contains(strings.ToLower(password), email) {
		return true
	}
	at := strings.LastIndexByte(email, '@')
	if at <= 0 {
		return false
	}
	local := email[:at]
	if strings.EqualFold(password, local) {
		return true
	}
	localForms := candidates(comparisonForm(local))
	return anyCore(comparisonForm(password), func(core string) bool {
		return slices.Contains(localForms, core)
	})
}
