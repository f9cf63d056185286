package roster_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/model"
	"github.com/roster-dev/roster/internal/password"
	"github.com/roster-dev/roster/internal/ratelimit"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/seal"
	"github.com/roster-dev/roster/internal/sqlite"
	"github.com/roster-dev/roster/internal/totp"
)

const testPassword = "correct-kettle-orbit-42"

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// recording wraps a limiter and records what the service asked of it.
type recording struct {
	roster.Limiter
	mu    sync.Mutex
	calls []string
}

func (r *recording) Allow(key string, limit int, window time.Duration) (bool, time.Duration) {
	r.mu.Lock()
	r.calls = append(r.calls, fmt.Sprintf("%s %d %s", key, limit, window))
	r.mu.Unlock()
	return r.Limiter.Allow(key, limit, window)
}

// newService builds a service over a fresh SQLite database, the in-memory
// limiter and the clock c; edit adjusts the configuration.
func newService(t *testing.T, c *testClock, edit func(*roster.Config)) *roster.Service {
	t.Helper()
	ctx := context.Background()
	m, err := model.Preset("practice")
	if err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = store.Close() })
	box, err := seal.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	cfg := roster.Config{
		Model: m, Store: store, Index: authz.New(m), Hasher: password.NewHasher(password.TestParams(), 0),
		ValidatePassword: password.Validate, OTP: totp.Toolkit{}, Sealer: box, Clock: c.now,
		BaseURL: "http://roster.test", SignupOpen: true, Limiter: ratelimit.New(c.now),
	}
	if edit != nil {
		edit(&cfg)
	}
	svc, err := roster.NewService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func signup(svc *roster.Service, email, ip string) (roster.SignupResult, error) {
	return svc.Signup(context.Background(), roster.SignupInput{Email: email, Password: testPassword,
		FirstName: "Ada", LastName: "Lovelace", OrganizationName: "Org", IP: ip})
}

// wantRateLimited checks err is the domain's rate_limited with a wait
// within the hour.
func wantRateLimited(t *testing.T, what string, err error) {
	t.Helper()
	var e *roster.Error
	if !errors.As(err, &e) || e.Code != roster.CodeRateLimited {
		t.Fatalf("%s: got %v, want rate_limited", what, err)
	}
	if e.RetryAfter <= 0 || e.RetryAfter > time.Hour {
		t.Fatalf("%s: RetryAfter %v, want within (0, 1h]", what, e.RetryAfter)
	}
}

func newClock() *testClock { return &testClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)} }

// R2: sign-ups per client address are limited by the service, whichever
// adapter calls it; every attempt counts, a refused one too, and another
// address is not affected. The limit is per hour.
func TestSignupLimitPerAddress(t *testing.T) {
	c := newClock()
	svc := newService(t, c, func(cfg *roster.Config) { cfg.SignupIPLimit = 3 })
	if _, err := signup(svc, "not-an-address", "192.0.2.1"); roster.CodeOf(err) != roster.CodeValidationFailed {
		t.Fatalf("invalid sign-up: got %v, want validation_failed", err)
	}
	for i := range 2 {
		if _, err := signup(svc, fmt.Sprintf("s%d@example.com", i), "192.0.2.1"); err != nil {
			t.Fatalf("sign-up %d: %v", i+2, err)
		}
	}
	_, err := signup(svc, "s9@example.com", "192.0.2.1")
	wantRateLimited(t, "4th sign-up from one address with a limit of 3", err)
	if _, err := signup(svc, "other@example.com", "192.0.2.2"); err != nil {
		t.Fatalf("sign-up from another address: %v", err)
	}
	c.advance(time.Hour)
	if _, err := signup(svc, "s9@example.com", "192.0.2.1"); err != nil {
		t.Fatalf("sign-up after the hour: %v", err)
	}
}

// The limit is counted before sign-up's other rules: a closed sign-up is
// refused as rate_limited once the address is over its limit, as the API
// answered when the limit sat in front of the service.
func TestSignupLimitComesFirst(t *testing.T) {
	svc := newService(t, newClock(), func(cfg *roster.Config) { cfg.SignupIPLimit = 1; cfg.SignupOpen = false })
	if _, err := signup(svc, "a@example.com", "192.0.2.1"); roster.CodeOf(err) != roster.CodeForbidden {
		t.Fatalf("closed sign-up: got %v, want forbidden", err)
	}
	_, err := signup(svc, "a@example.com", "192.0.2.1")
	wantRateLimited(t, "closed sign-up past the limit", err)
}

// A negative limit (the flag --signup-ip-limit 0) turns the limit off.
func TestSignupLimitOff(t *testing.T) {
	svc := newService(t, newClock(), func(cfg *roster.Config) { cfg.SignupIPLimit = -1 })
	for i := range 25 {
		if _, err := signup(svc, fmt.Sprintf("s%d@example.com", i), "192.0.2.1"); err != nil {
			t.Fatalf("sign-up %d with no limit: %v", i+1, err)
		}
	}
}

// R2: invitation calls are limited per inviter, by the service; another
// inviter is not affected, and the count restarts after the hour.
func TestInviteLimitPerInviter(t *testing.T) {
	c := newClock()
	svc := newService(t, c, func(cfg *roster.Config) { cfg.InviteLimit = 2 })
	ctx := context.Background()
	a, err := signup(svc, "a@example.com", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := signup(svc, "b@example.com", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	invite := func(owner roster.SignupResult, email string) error {
		actor := roster.Actor{UserID: owner.User.ID, Email: owner.User.Email}
		_, err := svc.Invite(ctx, actor, owner.Org.ID, roster.InviteInput{Emails: []string{email}})
		return err
	}
	for i := range 2 {
		if err := invite(a, fmt.Sprintf("i%d@example.com", i)); err != nil {
			t.Fatalf("invitation call %d: %v", i+1, err)
		}
	}
	wantRateLimited(t, "3rd invitation call with a limit of 2", invite(a, "more@example.com"))
	if err := invite(b, "more@example.com"); err != nil {
		t.Fatalf("another inviter: %v", err)
	}
	c.advance(time.Hour)
	if err := invite(a, "more@example.com"); err != nil {
		t.Fatalf("after the hour: %v", err)
	}
}

// A caller who may not invite is refused as before and counts nothing: the
// limit is counted once the caller is known to be a manager.
func TestInviteLimitAfterAuthorization(t *testing.T) {
	svc := newService(t, newClock(), func(cfg *roster.Config) { cfg.InviteLimit = 1 })
	ctx := context.Background()
	a, err := signup(svc, "a@example.com", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := signup(svc, "b@example.com", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	stranger := roster.Actor{UserID: b.User.ID, Email: b.User.Email}
	for range 3 {
		if _, err := svc.Invite(ctx, stranger, a.Org.ID, roster.InviteInput{Emails: []string{"x@example.com"}}); roster.CodeOf(err) == roster.CodeRateLimited || err == nil {
			t.Fatalf("a stranger's invitation: got %v, want a refusal other than rate_limited", err)
		}
	}
	if _, err := svc.Invite(ctx, stranger, b.Org.ID, roster.InviteInput{Emails: []string{"x@example.com"}}); err != nil {
		t.Fatalf("the stranger in their own organization: %v", err)
	}
}

// The defaults are the contract's: 20 sign-ups per address and 120
// invitation calls per inviter, an hour each, under separate keys.
func TestLimitDefaults(t *testing.T) {
	c := newClock()
	rec := &recording{Limiter: ratelimit.New(c.now)}
	svc := newService(t, c, func(cfg *roster.Config) { cfg.Limiter = rec })
	a, err := signup(svc, "a@example.com", "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	actor := roster.Actor{UserID: a.User.ID, Email: a.User.Email}
	if _, err := svc.Invite(context.Background(), actor, a.Org.ID, roster.InviteInput{Emails: []string{"x@example.com"}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"signup|192.0.2.1 20 1h0m0s", fmt.Sprintf("invite|%s 120 1h0m0s", a.User.ID)}
	if fmt.Sprint(rec.calls) != fmt.Sprint(want) {
		t.Fatalf("limiter calls %q, want %q", rec.calls, want)
	}
}
