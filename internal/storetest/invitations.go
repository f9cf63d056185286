package storetest

import (
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var invitationCases = []testCase{
	{"InvitationRoundTrip", testInvitationRoundTrip},
	{"InvitationConflicts", testInvitationConflicts},
	{"InvitationStateIsCompareAndSet", testInvitationState},
	{"PendingInvitationAfterResend", testInvitationResend},
}

func testInvitationRoundTrip(t *testing.T, f *fixture) {
	o := f.org()
	m := f.member(o.ID, roster.Member{Status: roster.StatusInvited})
	inv := roster.Invitation{ID: "inv_roundtrip", OrgID: o.ID, MemberID: m.ID, TokenHash: token(), State: roster.InvitationPending,
		ExpiresAt: at(7 * 24 * time.Hour).In(time.FixedZone("UTC+1", 3600)), InvitedBy: "usr_inviter", CreatedAt: Base}
	f.write(func(tx roster.Tx) error { return tx.CreateInvitation(f.ctx, inv) })

	got, err := f.s.GetInvitationByTokenHash(f.ctx, inv.TokenHash)
	noErr(t, "GetInvitationByTokenHash", err)
	check(t, "GetInvitationByTokenHash", got, inv)
	got, err = f.s.GetPendingInvitation(f.ctx, o.ID, m.ID)
	noErr(t, "GetPendingInvitation", err)
	check(t, "GetPendingInvitation", got, inv)

	_, err = f.s.GetInvitationByTokenHash(f.ctx, token())
	wantErr(t, "GetInvitationByTokenHash of an unknown token", err, roster.ErrNotFound)
	_, err = f.s.GetInvitationByTokenHash(f.ctx, inv.TokenHash[:31])
	wantErr(t, "GetInvitationByTokenHash of a prefix", err, roster.ErrNotFound)
	other := f.member(o.ID, roster.Member{Status: roster.StatusInvited})
	_, err = f.s.GetPendingInvitation(f.ctx, o.ID, other.ID)
	wantErr(t, "GetPendingInvitation of a member without one", err, roster.ErrNotFound)
}

func testInvitationConflicts(t *testing.T, f *fixture) {
	o := f.org()
	m := f.member(o.ID, roster.Member{Status: roster.StatusInvited})
	inv := f.invitation(o.ID, m.ID, roster.InvitationPending, at(time.Hour))
	sameToken := inv
	sameToken.ID = "inv_other"
	sameID := inv
	sameID.TokenHash = token()
	for name, dup := range map[string]roster.Invitation{"token hash": sameToken, "id": sameID} {
		err := f.try(func(tx roster.Tx) error { return tx.CreateInvitation(f.ctx, dup) })
		wantErr(t, "CreateInvitation with a taken "+name, err, roster.ErrConflict)
	}
}

func testInvitationState(t *testing.T, f *fixture) {
	o := f.org()
	m := f.member(o.ID, roster.Member{Status: roster.StatusInvited})
	inv := f.invitation(o.ID, m.ID, roster.InvitationPending, at(time.Hour))
	pending, accepted, cancelled := roster.InvitationPending, roster.InvitationAccepted, roster.InvitationCancelled
	steps := []struct {
		id       string
		from, to roster.InvitationState
		want     bool
		stored   roster.InvitationState
	}{
		{inv.ID, pending, accepted, true, accepted},
		{inv.ID, pending, accepted, false, accepted}, // single use
		{inv.ID, pending, cancelled, false, accepted},
		{inv.ID, accepted, cancelled, true, cancelled},
		{"inv_unknown", pending, accepted, false, cancelled},
	}
	for _, s := range steps {
		var ok bool
		f.write(func(tx roster.Tx) error {
			var err error
			ok, err = tx.SetInvitationState(f.ctx, s.id, s.from, s.to)
			return err
		})
		got, err := f.s.GetInvitationByTokenHash(f.ctx, inv.TokenHash)
		noErr(t, "GetInvitationByTokenHash", err)
		if ok != s.want || got.State != s.stored {
			t.Errorf("SetInvitationState(%s, %s -> %s): got %v, stored %s; want %v, stored %s", s.id, s.from, s.to, ok, got.State, s.want, s.stored)
		}
	}
	_, err := f.s.GetPendingInvitation(f.ctx, o.ID, m.ID)
	wantErr(t, "GetPendingInvitation after cancelling", err, roster.ErrNotFound)
}

// testInvitationResend is R5: a resend supersedes the old token.
func testInvitationResend(t *testing.T, f *fixture) {
	o := f.org()
	m := f.member(o.ID, roster.Member{Status: roster.StatusInvited})
	old := f.invitation(o.ID, m.ID, roster.InvitationPending, at(-time.Hour)) // expired: still pending
	got, err := f.s.GetPendingInvitation(f.ctx, o.ID, m.ID)
	noErr(t, "GetPendingInvitation of an expired invitation", err)
	check(t, "GetPendingInvitation of an expired invitation", got, old)

	var fresh roster.Invitation
	f.write(func(tx roster.Tx) error {
		ok, err := tx.SetInvitationState(f.ctx, old.ID, roster.InvitationPending, roster.InvitationSuperseded)
		if err != nil || !ok {
			t.Errorf("SetInvitationState pending -> superseded: got %v, %v; want true", ok, err)
		}
		fresh = roster.Invitation{ID: "inv_fresh", OrgID: o.ID, MemberID: m.ID, TokenHash: token(), State: roster.InvitationPending,
			ExpiresAt: at(7 * 24 * time.Hour), CreatedAt: at(time.Minute)}
		return tx.CreateInvitation(f.ctx, fresh)
	})
	got, err = f.s.GetPendingInvitation(f.ctx, o.ID, m.ID)
	noErr(t, "GetPendingInvitation after resend", err)
	check(t, "GetPendingInvitation after resend", got, fresh)
	got, err = f.s.GetInvitationByTokenHash(f.ctx, old.TokenHash)
	noErr(t, "GetInvitationByTokenHash of the old token", err)
	if got.State != roster.InvitationSuperseded {
		t.Errorf("old invitation: got state %s, want superseded", got.State)
	}
	mem, err := f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember", err)
	if mem.InvitationExpiresAt == nil || !mem.InvitationExpiresAt.Equal(fresh.ExpiresAt) {
		t.Errorf("GetMember after resend: got InvitationExpiresAt %v, want %v", mem.InvitationExpiresAt, fresh.ExpiresAt)
	}
}
