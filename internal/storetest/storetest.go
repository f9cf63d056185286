// Package storetest is the conformance suite of roster.Store: one set of
// tests every store (internal/sqlite, internal/postgres) runs through Run,
// so that the contract documented in internal/roster/store.go holds the
// same on every backend (STYLE.md conventions 8, 10 and 11).
//
// The suite never reads the clock: every time it stores derives from Base.
package storetest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// Base is the suite's fixed "now". Its nanoseconds check that stores keep
// full precision.
var Base = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)

// RawExecer is implemented by stores that can run one raw SQL statement
// outside the contract. The suite uses it, when present, to show that the
// database itself refuses to change or delete audit events (docs/security.md
// item 30: table audit_events); without it those subtests are skipped.
type RawExecer interface {
	RawExec(ctx context.Context, query string) error
}

// Run runs every conformance test. open must return a fresh, empty,
// migrated store that is closed when t ends (t.Cleanup); it is called once
// per subtest.
func Run(t *testing.T, open func(t *testing.T) roster.Store) {
	for _, tc := range cases() {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, &fixture{t: t, s: open(t), ctx: t.Context()})
		})
	}
}

type testCase struct {
	name string
	fn   func(t *testing.T, f *fixture)
}

func cases() []testCase {
	var all []testCase
	for _, group := range [][]testCase{
		userCases, orgCases, txCases, memberCases, listMemberCases, seatCases,
		invitationCases, clientCases, auditCases, sessionCases, outboxCases,
		accessCases, tenancyCases, concurrencyCases, gapCases, roleTeamCases,
	} {
		all = append(all, group...)
	}
	return all
}

// fixture holds one subtest's store and makes its records.
type fixture struct {
	t   *testing.T
	s   roster.Store
	ctx context.Context
	n   int
}

// at is Base plus d.
func at(d time.Duration) time.Time { return Base.Add(d) }

// seq returns 1, 2, 3, ... for unique names.
func (f *fixture) seq() int {
	f.n++
	return f.n
}

// write runs fn in a transaction and fails the test on error.
func (f *fixture) write(fn func(tx roster.Tx) error) {
	f.t.Helper()
	if err := f.s.WithTx(f.ctx, fn); err != nil {
		f.t.Fatalf("WithTx: %v", err)
	}
}

// try runs fn in a transaction and returns its error.
func (f *fixture) try(fn func(tx roster.Tx) error) error {
	return f.s.WithTx(f.ctx, fn)
}

func (f *fixture) user(email string) roster.User {
	f.t.Helper()
	u := roster.User{ID: roster.NewUserID(), Email: email, FirstName: "First", LastName: fmt.Sprintf("Last%d", f.seq()),
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", CreatedAt: Base}
	f.write(func(tx roster.Tx) error { return tx.CreateUser(f.ctx, u) })
	return u
}

func (f *fixture) org() roster.Organization {
	f.t.Helper()
	n := f.seq()
	o := roster.Organization{ID: roster.NewOrgID(), Name: fmt.Sprintf("Org %d", n), Plan: "standard",
		OwnerMemberID: roster.NewMemberID(), CreatedAt: at(time.Duration(n) * time.Millisecond)}
	f.write(func(tx roster.Tx) error { return tx.CreateOrganization(f.ctx, o) })
	return o
}

// member stores m in org, filling what m leaves empty.
func (f *fixture) member(org roster.OrgID, m roster.Member) roster.Member {
	f.t.Helper()
	m = memberDefaults(org, m, f.seq())
	f.write(func(tx roster.Tx) error { return tx.CreateMember(f.ctx, m) })
	return m
}

func memberDefaults(org roster.OrgID, m roster.Member, n int) roster.Member {
	if m.ID == "" {
		m.ID = roster.NewMemberID()
	}
	m.OrgID = org
	if m.Email == "" {
		m.Email = fmt.Sprintf("member%d@example.com", n)
	}
	if m.Role == "" {
		m.Role = "viewer"
	}
	if m.Status == "" {
		m.Status = roster.StatusActive
	}
	if m.ClientMode == "" {
		m.ClientMode = roster.AccessAll
	}
	if m.Clients == nil {
		m.Clients = []roster.ClientID{}
	}
	if m.Teams == nil {
		m.Teams = []roster.TeamID{}
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = at(time.Duration(n) * time.Second)
	}
	return m
}

func (f *fixture) client(org roster.OrgID, status roster.ClientStatus, created time.Time) roster.Client {
	f.t.Helper()
	n := f.seq()
	c := roster.Client{ID: roster.NewClientID(), OrgID: org, Name: fmt.Sprintf("Client %d", n),
		ExternalID: fmt.Sprintf("ext-%d", n), Status: status, CreatedAt: created}
	f.write(func(tx roster.Tx) error { return tx.CreateClient(f.ctx, c) })
	return c
}

func (f *fixture) invitation(org roster.OrgID, member roster.MemberID, state roster.InvitationState, expires time.Time) roster.Invitation {
	f.t.Helper()
	inv := roster.Invitation{ID: fmt.Sprintf("inv_%d_%s", f.seq(), member), OrgID: org, MemberID: member,
		TokenHash: token(), State: state, ExpiresAt: expires, InvitedBy: "usr_inviter", CreatedAt: Base}
	f.write(func(tx roster.Tx) error { return tx.CreateInvitation(f.ctx, inv) })
	return inv
}

// token returns 32 random bytes, the size of a SHA-256 token hash.
func token() []byte {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return b
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

func isNotFound(err error) bool { return errors.Is(err, roster.ErrNotFound) }

// noErr fails the test on err.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// check fails when got and want differ (see same).
func check[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !same(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}
