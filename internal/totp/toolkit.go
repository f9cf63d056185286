package totp

import "time"

// Toolkit offers this package's functions as methods, for callers that
// take them as an interface (such as roster.OTP). Its zero value is ready
// to use.
type Toolkit struct{}

// NewSecret calls GenerateSecret.
func (Toolkit) NewSecret() ([]byte, error) { return GenerateSecret() }

// EncodeSecret calls EncodeSecret.
func (Toolkit) EncodeSecret(secret []byte) string { return EncodeSecret(secret) }

// URL calls URL.
func (Toolkit) URL(issuer, account string, secret []byte) string {
	return URL(issuer, account, secret)
}

// Verify calls Verify.
func (Toolkit) Verify(secret []byte, code string, now time.Time, lastUsedStep int64) (int64, bool) {
	return Verify(secret, code, now, lastUsedStep)
}

// RecoveryCodes calls RecoveryCodes.
func (Toolkit) RecoveryCodes(n int) ([]string, error) { return RecoveryCodes(n) }

// NormalizeRecoveryCode calls NormalizeRecoveryCode.
func (Toolkit) NormalizeRecoveryCode(s string) string { return NormalizeRecoveryCode(s) }
