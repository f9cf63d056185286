package roster

import "time"

// Limiter counts events per key in fixed windows (internal/ratelimit). Allow
// counts one event for key and reports whether it is within limit events
// per window, with the time to wait otherwise; a negative limit allows
// everything.
type Limiter interface {
	Allow(key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration)
}

type noLimits struct{}

func (noLimits) Allow(string, int, time.Duration) (bool, time.Duration) { return true, 0 }

// limitWindow is the window of the sign-up and invitation limits.
const limitWindow = time.Hour

// allowSignup counts one sign-up from the client address ip (R2: a sign-up
// reveals whether an address has an account); rate_limited past
// Config.SignupIPLimit an hour.
func (s *Service) allowSignup(ip string) error {
	if ok, wait := s.cfg.Limiter.Allow("signup|"+ip, s.cfg.SignupIPLimit, limitWindow); !ok {
		return &Error{Code: CodeRateLimited, Message: "too many sign-ups from this address", RetryAfter: wait}
	}
	return nil
}

// allowInvite counts one invitation call of user (R2: so does an
// invitation); rate_limited past Config.InviteLimit an hour. The operator
// (no user) is counted under one key.
func (s *Service) allowInvite(user UserID) error {
	if ok, wait := s.cfg.Limiter.Allow("invite|"+string(user), s.cfg.InviteLimit, limitWindow); !ok {
		return &Error{Code: CodeRateLimited, Message: "too many invitations; try again later", RetryAfter: wait}
	}
	return nil
}
