package roster

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// LoginInput is R2's form.
type LoginInput struct {
	Email, Password, TOTPCode string
	IP                        string
}

// errInvalidCredentials is the one answer for an unknown address, a wrong
// password and a wrong code: login reveals nothing about accounts (R2).
func errInvalidCredentials() error {
	return NewError(CodeInvalidCredentials, "the email address or password is not correct")
}

// Login is R2: email + password (+ TOTP) gives a session token, with failed
// attempts throttled per address and per IP in the database.
func (s *Service) Login(ctx context.Context, in LoginInput) (string, User, error) {
	user, keys, err := s.verifyCredentials(ctx, in)
	if err != nil {
		return "", User{}, err
	}
	var token string
	err = s.update(ctx, func(c *change) error {
		if err := c.tx.PutThrottle(ctx, s.clearedThrottle(ctx, c.tx, keys[0].key)); err != nil {
			return fmt.Errorf("reset throttle: %w", err)
		}
		token, err = s.createSession(c, user.ID)
		if err != nil {
			return err
		}
		return c.audit(Actor{UserID: user.ID, Email: user.Email}, "", "session.created", "user", string(user.ID), "", nil, map[string]any{"ip": in.IP})
	})
	return token, user, err
}

// verifyCredentials is R2's check of an address, its password and, where
// 2FA is on, its code: refused while the address or the IP is locked out,
// and every wrong password or code counts against both. Login and the
// acceptance of an invitation by an existing account both go through it,
// so neither is an unthrottled password oracle.
//
// A wrong second factor counts on the user's own counter (totpKey), not on
// the password's: a right password followed by guessed codes is refused
// after 5 misses in 5 minutes, whatever the address's count.
//
// Under overload it refuses with 503 before any database read (the
// hasher's admission), whether or not the address has an account.
func (s *Service) verifyCredentials(ctx context.Context, in LoginInput) (User, []throttleKey, error) {
	release, err := s.cfg.Hasher.(sheddingHasher).admit()
	if err != nil {
		return User{}, nil, err
	}
	defer release()
	keys := []throttleKey{
		{key: "email:" + NormalizeEmail(in.Email), limit: s.cfg.LoginEmailLimit},
		{key: "ip:" + in.IP, limit: s.cfg.LoginIPLimit},
	}
	if err := s.checkThrottle(ctx, keys); err != nil {
		return User{}, nil, err
	}
	user, err := s.authenticatePassword(ctx, in.Email, in.Password)
	if err != nil {
		if CodeOf(err) == CodeInvalidCredentials {
			if ferr := s.recordFailure(ctx, keys); ferr != nil {
				return User{}, nil, ferr
			}
		}
		return User{}, nil, err
	}
	if user.TOTPEnabled {
		if in.TOTPCode == "" {
			return User{}, nil, NewError(CodeTOTPRequired, "a two-factor code is required")
		}
		if err := s.useSecondFactor(ctx, user, in.TOTPCode); err != nil {
			return User{}, nil, err
		}
	}
	return user, keys, nil
}

// authenticatePassword checks an address and password, spending the same
// time whether or not the address has an account (docs/security.md item 13).
func (s *Service) authenticatePassword(ctx context.Context, email, password string) (User, error) {
	user, err := s.store.GetUserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) || len(password) > 1024 {
		// Shed (503) or cut short exactly as a known address would be.
		if err := s.cfg.Hasher.VerifyDummy(ctx, password); err != nil {
			return User{}, fmt.Errorf("verify password: %w", err)
		}
		return User{}, errInvalidCredentials()
	}
	if err != nil {
		return User{}, fmt.Errorf("get user: %w", err)
	}
	ok, _, err := s.cfg.Hasher.Verify(ctx, password, user.PasswordHash)
	if err != nil {
		return User{}, fmt.Errorf("verify password: %w", err)
	}
	if !ok {
		return User{}, errInvalidCredentials()
	}
	return user, nil
}

// throttleKey is one counter of failed attempts: at most limit failures per
// window (the login window when zero). holdWindow makes a lock-out last at
// least to the end of the window, so that no more than limit attempts fit in
// any window (the TOTP counter); otherwise it lasts the growing cooling-off.
type throttleKey struct {
	key        string
	limit      int
	window     time.Duration
	holdWindow bool
}

// checkThrottle refuses with 429 while any key is locked out.
func (s *Service) checkThrottle(ctx context.Context, keys []throttleKey) error {
	now := s.now()
	for _, k := range keys {
		t, err := s.store.GetThrottle(ctx, k.key)
		if err != nil {
			return fmt.Errorf("get throttle: %w", err)
		}
		if now.Before(t.LockedUntil) {
			return &Error{Code: CodeRateLimited, Message: "too many failed attempts; try again later", RetryAfter: t.LockedUntil.Sub(now)}
		}
	}
	return nil
}

// recordFailure counts a failed attempt for each key; the attempt that
// reaches a key's limit within the window locks it for a cooling-off time
// that doubles with each lock-out (1 min, 2 min, 4 min ... at most 1 h).
func (s *Service) recordFailure(ctx context.Context, keys []throttleKey) error {
	now := s.now()
	return s.store.WithTx(ctx, func(tx Tx) error {
		for _, k := range keys {
			t, err := tx.GetThrottle(ctx, k.key)
			if err != nil {
				return fmt.Errorf("get throttle: %w", err)
			}
			window := k.window
			if window == 0 {
				window = s.cfg.LoginWindow
			}
			if now.Sub(t.WindowStart) > window {
				t.WindowStart, t.Failures = now, 0
			}
			t.Failures++
			if t.Failures >= k.limit {
				t.LockedUntil = now.Add(coolingOff(t.Lockouts))
				if end := t.WindowStart.Add(window); k.holdWindow && end.After(t.LockedUntil) {
					t.LockedUntil = end
				}
				t.Lockouts++
				t.Failures, t.WindowStart = 0, now
			}
			if err := tx.PutThrottle(ctx, t); err != nil {
				return fmt.Errorf("put throttle: %w", err)
			}
		}
		return nil
	})
}

func coolingOff(lockouts int) time.Duration {
	d := time.Minute * time.Duration(math.Pow(2, float64(min(lockouts, 6))))
	return min(d, time.Hour)
}

// clearedThrottle forgets failures after a success but remembers recent
// lock-outs, so the next cooling-off still grows.
// It reads through the transaction: a second pool connection taken while
// the transaction holds one deadlocks the pool under many logins.
func (s *Service) clearedThrottle(ctx context.Context, q Queries, key string) ThrottleState {
	t, err := q.GetThrottle(ctx, key)
	if err != nil {
		t = ThrottleState{Key: key}
	}
	t.Failures, t.WindowStart = 0, time.Time{}
	if s.now().Sub(t.LockedUntil) > 24*time.Hour {
		t.Lockouts = 0
	}
	return t
}
