package storetest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var orgCases = []testCase{
	{"Ping", testPing},
	{"OrganizationRoundTrip", testOrgRoundTrip},
	{"OrganizationUpdate", testOrgUpdate},
	{"OrganizationNotFound", testOrgNotFound},
	{"EveryOrganizationLoaded", testListOrgIDs},
	{"LockOrganization", testLockOrg},
	{"BumpRevision", testBumpRevision},
}

var txCases = []testCase{
	{"WithTxCommits", testTxCommits},
	{"WithTxRollsBackOnError", testTxRollsBack},
	{"WithTxRollsBackOnPanic", testTxPanic},
}

func testPing(t *testing.T, f *fixture) {
	noErr(t, "Ping", f.s.Ping(f.ctx))
}

func testOrgRoundTrip(t *testing.T, f *fixture) {
	o := roster.Organization{ID: roster.NewOrgID(), Name: "Acme & Söhne", Plan: "business", OwnerMemberID: roster.NewMemberID(),
		BillingContact: roster.NewMemberID(), EnforcedAuth: "okta", Revision: 7, CreatedAt: Base}
	f.write(func(tx roster.Tx) error { return tx.CreateOrganization(f.ctx, o) })
	got, err := f.s.GetOrganization(f.ctx, o.ID)
	noErr(t, "GetOrganization", err)
	check(t, "GetOrganization", got, o)

	dup := o
	dup.Name = "Other"
	err = f.try(func(tx roster.Tx) error { return tx.CreateOrganization(f.ctx, dup) })
	wantErr(t, "CreateOrganization with a taken id", err, roster.ErrConflict)
}

func testOrgUpdate(t *testing.T, f *fixture) {
	o := f.org()
	o.Name, o.Plan, o.OwnerMemberID, o.BillingContact, o.EnforcedAuth = "Renamed", "enterprise", "mem_new_owner", "mem_billing", "google"
	f.write(func(tx roster.Tx) error { return tx.UpdateOrganization(f.ctx, o) })
	got, err := f.s.GetOrganization(f.ctx, o.ID)
	noErr(t, "GetOrganization", err)
	check(t, "GetOrganization after UpdateOrganization", got, o)

	o.BillingContact, o.EnforcedAuth = "", "" // back to none
	f.write(func(tx roster.Tx) error { return tx.UpdateOrganization(f.ctx, o) })
	got, err = f.s.GetOrganization(f.ctx, o.ID)
	noErr(t, "GetOrganization", err)
	check(t, "GetOrganization after clearing", got, o)
}

func testOrgNotFound(t *testing.T, f *fixture) {
	_, err := f.s.GetOrganization(f.ctx, "org_missing")
	wantErr(t, "GetOrganization", err, roster.ErrNotFound)
	err = f.try(func(tx roster.Tx) error {
		return tx.UpdateOrganization(f.ctx, roster.Organization{ID: "org_missing", Name: "x", Plan: "p"})
	})
	wantErr(t, "UpdateOrganization", err, roster.ErrNotFound)
	err = f.try(func(tx roster.Tx) error { _, err := tx.BumpRevision(f.ctx, "org_missing"); return err })
	wantErr(t, "BumpRevision", err, roster.ErrNotFound)
}

func testListOrgIDs(t *testing.T, f *fixture) {
	ids := func() []roster.OrgID {
		page, err := f.s.LoadAccessPage(f.ctx, "", 100)
		noErr(t, "LoadAccessPage", err)
		var out []roster.OrgID
		for _, a := range page {
			out = append(out, a.OrgID)
		}
		return out
	}
	if got := ids(); len(got) != 0 {
		t.Errorf("LoadAccessPage of an empty store: got %v, want none", got)
	}
	var want []roster.OrgID
	for range 3 {
		want = append(want, f.org().ID)
	}
	check(t, "LoadAccessPage", ids(), sorted(want))
}

func testLockOrg(t *testing.T, f *fixture) {
	o := f.org()
	f.write(func(tx roster.Tx) error {
		got, err := tx.LockOrganization(f.ctx, o.ID)
		check(t, "LockOrganization", got, o)
		return err
	})
	err := f.try(func(tx roster.Tx) error { _, err := tx.LockOrganization(f.ctx, "org_missing"); return err })
	wantErr(t, "LockOrganization of a missing organization", err, roster.ErrNotFound)
}

func testBumpRevision(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	for want := int64(1); want <= 3; want++ {
		var got int64
		f.write(func(tx roster.Tx) error {
			var err error
			got, err = tx.BumpRevision(f.ctx, o.ID)
			return err
		})
		if got != want {
			t.Errorf("BumpRevision #%d: got %d, want %d", want, got, want)
		}
	}
	errStop := errors.New("stop")
	err := f.try(func(tx roster.Tx) error {
		if _, err := tx.BumpRevision(f.ctx, o.ID); err != nil {
			return err
		}
		return errStop
	})
	wantErr(t, "rolled-back BumpRevision", err, errStop)
	got, err := f.s.GetOrganization(f.ctx, o.ID)
	noErr(t, "GetOrganization", err)
	if got.Revision != 3 {
		t.Errorf("revision after a rolled-back bump: got %d, want 3", got.Revision)
	}
	// UpdateOrganization leaves the revision to BumpRevision.
	got.Name = "Renamed"
	f.write(func(tx roster.Tx) error { return tx.UpdateOrganization(f.ctx, got) })
	if got, _ := f.s.GetOrganization(f.ctx, o.ID); got.Revision != 3 {
		t.Errorf("revision after UpdateOrganization: got %d, want 3", got.Revision)
	}
	if got, _ := f.s.GetOrganization(f.ctx, other.ID); got.Revision != 0 {
		t.Errorf("another organization's revision: got %d, want 0", got.Revision)
	}
}

func testTxCommits(t *testing.T, f *fixture) {
	o := f.org()
	u := roster.User{ID: roster.NewUserID(), Email: "tx@example.com", PasswordHash: "x", CreatedAt: Base}
	f.write(func(tx roster.Tx) error {
		if err := tx.CreateUser(f.ctx, u); err != nil {
			return err
		}
		if _, err := tx.GetUser(f.ctx, u.ID); err != nil { // its own writes are visible
			return fmt.Errorf("read own write: %w", err)
		}
		_, err := tx.BumpRevision(f.ctx, o.ID)
		return err
	})
	_, err := f.s.GetUser(f.ctx, u.ID)
	noErr(t, "GetUser after commit", err)
}

// errBoom is a caller's own error; WithTx must return it as it is.
type errBoom struct{ n int }

func (e *errBoom) Error() string { return fmt.Sprintf("boom %d", e.n) }

func testTxRollsBack(t *testing.T, f *fixture) {
	o := f.org()
	before := snapshot(t, f, o.ID)
	boom := &errBoom{n: 1}
	for _, want := range []error{boom, fmt.Errorf("wrapped: %w", roster.ErrForbidden)} {
		err := f.try(func(tx roster.Tx) error {
			writeEverything(t, f, tx, o.ID)
			return want
		})
		if err != want { //nolint:errorlint // the very same error value is the contract
			t.Errorf("WithTx: got error %v, want %v unchanged", err, want)
		}
		if !errors.Is(err, want) {
			t.Errorf("WithTx: errors.Is(%v, %v) is false", err, want)
		}
		check(t, "store after rollback", snapshot(t, f, o.ID), before)
	}
	var target *errBoom
	if err := f.try(func(roster.Tx) error { return boom }); !errors.As(err, &target) || target.n != 1 {
		t.Errorf("WithTx: errors.As lost the caller's error type: %v", err)
	}
}

func testTxPanic(t *testing.T, f *fixture) {
	o := f.org()
	before := snapshot(t, f, o.ID)
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Errorf("WithTx: recovered %v, want the panic value boom re-panicked", p)
			}
		}()
		_ = f.s.WithTx(f.ctx, func(tx roster.Tx) error {
			writeEverything(t, f, tx, o.ID)
			panic("boom")
		})
	}()
	check(t, "store after a panic", snapshot(t, f, o.ID), before)
	f.write(func(tx roster.Tx) error { _, err := tx.BumpRevision(f.ctx, o.ID); return err }) // still usable
}

// rollbackToken is the token hash of every token writeEverything stores.
var rollbackToken = []byte("rollback-token-hash")

// writeEverything makes one write of each kind, all to be rolled back.
func writeEverything(t *testing.T, f *fixture, tx roster.Tx, org roster.OrgID) {
	t.Helper()
	u := roster.User{ID: roster.NewUserID(), Email: "rollback@example.com", PasswordHash: "x", CreatedAt: Base}
	c := roster.Client{ID: roster.NewClientID(), OrgID: org, Name: "c", Status: roster.ClientActive, CreatedAt: Base}
	m := memberDefaults(org, roster.Member{UserID: u.ID, Clients: []roster.ClientID{c.ID}}, 99)
	_, bumpErr := tx.BumpRevision(f.ctx, org)
	steps := []error{
		bumpErr,
		tx.CreateUser(f.ctx, u),
		tx.CreateClient(f.ctx, c),
		tx.CreateMember(f.ctx, m),
		tx.CreateInvitation(f.ctx, roster.Invitation{ID: "inv_rollback", OrgID: org, MemberID: m.ID, TokenHash: rollbackToken,
			State: roster.InvitationPending, ExpiresAt: at(time.Hour), CreatedAt: Base}),
		tx.CreateSession(f.ctx, roster.Session{ID: "ses_rollback", TokenHash: rollbackToken, UserID: u.ID,
			CreatedAt: Base, LastSeenAt: Base, ExpiresAt: at(time.Hour)}),
		tx.CreateVerificationToken(f.ctx, roster.VerificationToken{TokenHash: rollbackToken, UserID: u.ID, ExpiresAt: at(time.Hour)}),
		tx.AppendAudit(f.ctx, event(org, at(0), "rollback")),
		tx.EnqueueEmail(f.ctx, roster.Email{ID: "eml_rollback", To: "x@example.com", Subject: "s", Body: "b", Kind: "k", CreatedAt: Base}),
		tx.PutThrottle(f.ctx, roster.ThrottleState{Key: "rollback", Failures: 1, WindowStart: Base}),
	}
	for i, err := range steps {
		if err != nil {
			t.Fatalf("write %d in the transaction: %v", i, err)
		}
	}
}

// state is what a test can see of one organization and the global tables.
type state struct {
	Org      roster.Organization
	Members  []roster.Member
	Clients  []roster.Client
	Audit    []roster.AuditEvent
	Pending  int
	Throttle roster.ThrottleState
	Found    [4]bool // user, invitation, session, verification token
}

func snapshot(t *testing.T, f *fixture, org roster.OrgID) state {
	t.Helper()
	var s state
	var errs [6]error
	s.Org, errs[0] = f.s.GetOrganization(f.ctx, org)
	s.Members, errs[1] = f.s.ListMembers(f.ctx, org, roster.MemberFilter{})
	s.Clients, errs[2] = f.s.ListClients(f.ctx, org, roster.ClientFilter{})
	s.Audit, errs[3] = f.s.ListAudit(f.ctx, org, roster.AuditFilter{})
	s.Pending, errs[4] = f.s.PendingEmails(f.ctx)
	s.Throttle, errs[5] = f.s.GetThrottle(f.ctx, "rollback")
	for i, err := range errs {
		noErr(t, fmt.Sprintf("snapshot read %d", i), err)
	}
	_, err0 := f.s.GetUserByEmail(f.ctx, "rollback@example.com")
	_, err1 := f.s.GetInvitationByTokenHash(f.ctx, rollbackToken)
	_, err2 := f.s.GetSessionByTokenHash(f.ctx, rollbackToken)
	_, err3 := f.s.GetVerificationToken(f.ctx, rollbackToken)
	for i, err := range []error{err0, err1, err2, err3} {
		if err != nil && !isNotFound(err) {
			t.Fatalf("snapshot lookup %d: %v", i, err)
		}
		s.Found[i] = err == nil
	}
	slices.SortFunc(s.Members, func(a, b roster.Member) int { return cmp.Compare(a.ID, b.ID) })
	return s
}
