package apitest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roster-dev/roster/client"
	"github.com/roster-dev/roster/internal/password"
)

// busyHasher is the node's real hasher, made to report overload on demand:
// what password.Hasher returns when no slot came free within its max wait.
type busyHasher struct {
	*password.Hasher
	busy atomic.Bool
}

func (h *busyHasher) Hash(ctx context.Context, pw string) (string, error) {
	if h.busy.Load() {
		return "", fmt.Errorf("hash password: %w", password.ErrBusy)
	}
	return h.Hasher.Hash(ctx, pw)
}

func (h *busyHasher) Verify(ctx context.Context, pw, encoded string) (bool, bool, error) {
	if h.busy.Load() {
		return false, false, fmt.Errorf("verify password: %w", password.ErrBusy)
	}
	return h.Hasher.Verify(ctx, pw, encoded)
}

func (h *busyHasher) VerifyDummy(ctx context.Context, pw string) error {
	if h.busy.Load() {
		return fmt.Errorf("verify password: %w", password.ErrBusy)
	}
	return h.Hasher.VerifyDummy(ctx, pw)
}

// docs/security.md R7: when password hashing is saturated, login, sign-up and
// acceptance answer 503 unavailable with Retry-After in the contract's
// shape; a known and an unknown address are shed alike (no enumeration),
// and a shed login is not a failed login: it never leads to a lock-out.
func TestR7OverloadedHashingSheds503(t *testing.T) {
	t.Parallel()
	h := &busyHasher{Hasher: password.NewHasher(password.TestParams(), 0)}
	e := New(t, "marketing", func(o *Options) { o.Hasher = h })
	owner := e.Signup("owner@example.com", "Org")
	res := invite(t, e, owner.Token, owner.OrgID, "read_only", "new@example.com")
	tok := res[0].AcceptURL[strings.LastIndex(res[0].AcceptURL, "/")+1:]

	h.busy.Store(true)
	shed := func(what string, r *Resp) string {
		t.Helper()
		if r.Status != http.StatusServiceUnavailable || r.ErrorCode() != "unavailable" || r.Header.Get("Retry-After") != "1" {
			t.Fatalf("%s while hashing is saturated: got %d %q Retry-After %q, want 503 unavailable with Retry-After 1",
				what, r.Status, r.Body, r.Header.Get("Retry-After"))
		}
		return string(r.Body)
	}
	// Logins stay raw (e.Do): a known and an unknown address must be shed
	// with the same bytes.
	login := func(email, pw string) *Resp {
		return e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": email, "password": pw})
	}
	known := shed("login of a known address", login("owner@example.com", "a-wrong-password-123"))
	unknown := shed("login of an unknown address", login("nobody@example.com", "a-wrong-password-123"))
	if known != unknown {
		t.Errorf("known and unknown addresses are shed differently:\n%s\n%s", known, unknown)
	}
	shed("login with an over-long password", login("nobody@example.com", strings.Repeat("x", 2000)))
	for range 15 { // more than the per-address limit of 10 failures
		shed("repeated login", login("owner@example.com", "a-wrong-password-123"))
	}
	anon := e.api("")
	shedErr := func(what string, err error) {
		t.Helper()
		if !isErr(err, http.StatusServiceUnavailable, "unavailable") || retryAfter(err) != time.Second {
			t.Fatalf("%s while hashing is saturated: got %v Retry-After %v, want 503 unavailable with Retry-After 1", what, err, retryAfter(err))
		}
	}
	shedErr("sign-up", discard(anon.Signup(bg, signupReq("s@example.com"))))
	shedErr("acceptance", discard(anon.AcceptInvitation(bg, client.AcceptRequest{Token: tok, Password: Password, FirstName: "N", LastName: "U"})))

	h.busy.Store(false)
	if r := login("owner@example.com", Password); r.Status != http.StatusCreated {
		t.Fatalf("login once hashing is free again: got %d %s, want 201 (shed logins must not count as failures)", r.Status, r.Body)
	}
	must(anon.Signup(bg, signupReq("s@example.com")))(t)
}
