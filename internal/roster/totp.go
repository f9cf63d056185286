package roster

import (
	"context"
	"fmt"
	"time"
)

// TOTPEnrolment is what starting 2FA answers.
type TOTPEnrolment struct {
	Secret     string // base32, for manual entry
	OTPAuthURL string
}

const recoveryCodeCount = 10

// BeginTOTP starts 2FA enrolment: a fresh 160-bit secret, sealed at rest.
func (s *Service) BeginTOTP(ctx context.Context, p Principal) (TOTPEnrolment, error) {
	secret, err := s.cfg.OTP.NewSecret()
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("totp secret: %w", err)
	}
	sealed, err := s.cfg.Sealer.Seal(secret, []byte(p.User.ID))
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("seal totp secret: %w", err)
	}
	err = s.update(ctx, func(c *change) error {
		u, err := c.tx.GetUser(ctx, p.User.ID)
		if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		if u.TOTPEnabled {
			return Invalid("", "two-factor authentication is already on; disable it first")
		}
		u.TOTPSecret, u.TOTPLastStep = sealed, 0
		if err := c.tx.UpdateUser(ctx, u); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		return c.audit(p.Actor(), "", "user.totp_started", "user", string(u.ID), "", nil, nil)
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: s.cfg.OTP.EncodeSecret(secret), OTPAuthURL: s.cfg.OTP.URL(s.cfg.Issuer, p.User.Email, secret)}, nil
}

// ConfirmTOTP turns 2FA on with a first code and returns recovery codes.
func (s *Service) ConfirmTOTP(ctx context.Context, p Principal, code string) ([]string, error) {
	if err := s.checkTOTPThrottle(ctx, p.User.ID); err != nil {
		return nil, err
	}
	codes, err := s.cfg.OTP.RecoveryCodes(recoveryCodeCount)
	if err != nil {
		return nil, fmt.Errorf("recovery codes: %w", err)
	}
	hashes := make([][]byte, len(codes))
	for i, rc := range codes {
		hashes[i] = HashToken(s.cfg.OTP.NormalizeRecoveryCode(rc))
	}
	err = s.update(ctx, func(c *change) error {
		if err := s.touchMembershipsOf(c, p.User.ID); err != nil { // organizations first
			return err
		}
		u, err := c.tx.GetUser(ctx, p.User.ID)
		if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		if u.TOTPEnabled || u.TOTPSecret == nil {
			return Invalid("", "start two-factor enrolment first")
		}
		if err := s.verifyTOTPCode(c, u, code); err != nil {
			return err
		}
		if err := c.tx.ReplaceRecoveryCodes(ctx, u.ID, hashes); err != nil {
			return fmt.Errorf("store recovery codes: %w", err)
		}
		u, err = c.tx.GetUser(ctx, u.ID) // last step was updated
		if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		u.TOTPEnabled = true
		if err := c.tx.UpdateUser(ctx, u); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if err := s.endOtherSessions(c, p, u, "Two-factor authentication is on", "Two-factor authentication was turned on for your account"); err != nil {
			return err
		}
		return c.audit(p.Actor(), "", "user.totp_enabled", "user", string(u.ID), "", map[string]any{"two_factor": false}, map[string]any{"two_factor": true})
	})
	if err != nil {
		if CodeOf(err) == CodeInvalidCredentials {
			return nil, s.totpFailure(ctx, p.User.ID)
		}
		return nil, err
	}
	return codes, nil
}

// DisableTOTP turns 2FA off with a current code or a recovery code.
func (s *Service) DisableTOTP(ctx context.Context, p Principal, code string) error {
	if err := s.checkTOTPThrottle(ctx, p.User.ID); err != nil {
		return err
	}
	err := s.update(ctx, func(c *change) error {
		if err := s.touchMembershipsOf(c, p.User.ID); err != nil { // organizations first
			return err
		}
		u, err := c.tx.GetUser(ctx, p.User.ID)
		if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		if !u.TOTPEnabled {
			return Invalid("", "two-factor authentication is not on")
		}
		if err := s.verifySecondFactor(c, u, code); err != nil {
			return err
		}
		u, err = c.tx.GetUser(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("get user: %w", err)
		}
		u.TOTPEnabled, u.TOTPSecret, u.TOTPLastStep = false, nil, 0
		if err := c.tx.UpdateUser(ctx, u); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if err := c.tx.ReplaceRecoveryCodes(ctx, u.ID, nil); err != nil {
			return fmt.Errorf("clear recovery codes: %w", err)
		}
		if err := s.endOtherSessions(c, p, u, "Two-factor authentication is off", "Two-factor authentication was turned off for your account"); err != nil {
			return err
		}
		return c.audit(p.Actor(), "", "user.totp_disabled", "user", string(u.ID), "", map[string]any{"two_factor": true}, map[string]any{"two_factor": false})
	})
	if CodeOf(err) == CodeInvalidCredentials {
		return s.totpFailure(ctx, p.User.ID)
	}
	return err
}

// useSecondFactor checks a login's TOTP or recovery code in its own
// transaction, on the user's own counter of misses (totpKey).
func (s *Service) useSecondFactor(ctx context.Context, u User, code string) error {
	if err := s.checkTOTPThrottle(ctx, u.ID); err != nil {
		return err
	}
	err := s.update(ctx, func(c *change) error { return s.verifySecondFactor(c, u, code) })
	if CodeOf(err) == CodeInvalidCredentials {
		if ferr := s.recordFailure(ctx, []throttleKey{totpKey(u.ID)}); ferr != nil {
			return ferr
		}
	}
	return err
}

// verifySecondFactor accepts a TOTP code (each step once) or an unused
// recovery code (once).
func (s *Service) verifySecondFactor(c *change, u User, code string) error {
	if len(code) == 6 {
		return s.verifyTOTPCode(c, u, code)
	}
	hash := HashToken(s.cfg.OTP.NormalizeRecoveryCode(code))
	ok, err := c.tx.UseRecoveryCode(c.ctx, u.ID, hash)
	if err != nil {
		return fmt.Errorf("use recovery code: %w", err)
	}
	if !ok {
		return errInvalidCredentials()
	}
	return nil
}

// verifyTOTPCode accepts a code of steps now±1 newer than the last used one,
// claiming its step with a compare-and-set so a code works once.
func (s *Service) verifyTOTPCode(c *change, u User, code string) error {
	secret, err := s.cfg.Sealer.Open(u.TOTPSecret, []byte(u.ID))
	if err != nil {
		return fmt.Errorf("open totp secret: %w", err)
	}
	step, ok := s.cfg.OTP.Verify(secret, code, s.now(), u.TOTPLastStep)
	if !ok {
		return errInvalidCredentials()
	}
	won, err := c.tx.SetTOTPLastStep(c.ctx, u.ID, u.TOTPLastStep, step)
	if err != nil {
		return fmt.Errorf("claim totp step: %w", err)
	}
	if !won {
		return errInvalidCredentials()
	}
	return nil
}

// totpKey counts a user's wrong second-factor codes, at login and when 2FA
// is turned on or off: at most 5 misses in any 5 minutes, then 429 until
// the window ends (docs/security.md item 19).
func totpKey(user UserID) throttleKey {
	return throttleKey{key: "totp:" + string(user), limit: 5, window: 5 * time.Minute, holdWindow: true}
}

func (s *Service) checkTOTPThrottle(ctx context.Context, user UserID) error {
	return s.checkThrottle(ctx, []throttleKey{totpKey(user)})
}

func (s *Service) totpFailure(ctx context.Context, user UserID) error {
	if err := s.recordFailure(ctx, []throttleKey{totpKey(user)}); err != nil {
		return err
	}
	return Invalid("code", "the code is not correct")
}

// endOtherSessions ends every session of the user but the one making the
// request and tells the user by email, after a change of how they sign in
// (docs/security.md item 15).
func (s *Service) endOtherSessions(c *change, p Principal, u User, subject, what string) error {
	if _, err := c.tx.DeleteUserSessions(c.ctx, u.ID, p.SessionID); err != nil {
		return fmt.Errorf("end other sessions: %w", err)
	}
	return c.email(u.Email, "security", subject, securityNoticeBody(u, what))
}
