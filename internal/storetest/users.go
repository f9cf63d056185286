package storetest

import (
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var userCases = []testCase{
	{"UserRoundTrip", testUserRoundTrip},
	{"UserEmailIsCaseInsensitive", testUserEmailCase},
	{"UserConflicts", testUserConflicts},
	{"UserUpdate", testUserUpdate},
	{"UserNotFound", testUserNotFound},
	{"TOTPLastStepCompareAndSet", testTOTPStep},
	{"RecoveryCodes", testRecoveryCodes},
}

func testUserRoundTrip(t *testing.T, f *fixture) {
	u := roster.User{
		ID: roster.NewUserID(), Email: "Ann.Lee@Example.com", EmailVerified: true, FirstName: "Ann", LastName: "Lee",
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", TOTPSecret: []byte{0, 1, 2, 0xfe, 0xff},
		TOTPEnabled: true, TOTPLastStep: 59_000_001,
		CreatedAt: Base.In(time.FixedZone("UTC+5", 5*3600)), // any zone: the instant must survive
	}
	f.write(func(tx roster.Tx) error { return tx.CreateUser(f.ctx, u) })
	got, err := f.s.GetUser(f.ctx, u.ID)
	noErr(t, "GetUser", err)
	check(t, "GetUser", got, u)

	plain := f.user("plain@example.com") // no TOTP: nil secret, zero step
	got, err = f.s.GetUser(f.ctx, plain.ID)
	noErr(t, "GetUser", err)
	check(t, "GetUser without TOTP", got, plain)
	if len(got.TOTPSecret) != 0 || got.TOTPEnabled || got.EmailVerified {
		t.Errorf("GetUser without TOTP: got secret %x, enabled %v, verified %v; want none", got.TOTPSecret, got.TOTPEnabled, got.EmailVerified)
	}
	f.write(func(tx roster.Tx) error {
		got, err := tx.GetUser(f.ctx, u.ID) // reads inside a transaction too
		check(t, "Tx.GetUser", got, u)
		return err
	})
}

func testUserEmailCase(t *testing.T, f *fixture) {
	u := f.user("Mixed.Case@Example.COM")
	for _, email := range []string{"Mixed.Case@Example.COM", "mixed.case@example.com", "MIXED.CASE@EXAMPLE.COM", "  mixed.case@example.com "} {
		got, err := f.s.GetUserByEmail(f.ctx, email)
		if err != nil {
			t.Errorf("GetUserByEmail(%q): %v", email, err)
			continue
		}
		if got.ID != u.ID || got.Email != u.Email {
			t.Errorf("GetUserByEmail(%q): got %s %q, want %s %q (as given)", email, got.ID, got.Email, u.ID, u.Email)
		}
	}
}

func testUserConflicts(t *testing.T, f *fixture) {
	u := f.user("taken@example.com")
	for _, dup := range []roster.User{
		{ID: roster.NewUserID(), Email: "TAKEN@example.com", PasswordHash: "x", CreatedAt: Base},
		{ID: roster.NewUserID(), Email: "taken@EXAMPLE.com", PasswordHash: "x", CreatedAt: Base},
		{ID: u.ID, Email: "other@example.com", PasswordHash: "x", CreatedAt: Base},
	} {
		err := f.try(func(tx roster.Tx) error { return tx.CreateUser(f.ctx, dup) })
		wantErr(t, "CreateUser "+dup.Email, err, roster.ErrConflict)
	}
	if _, err := f.s.GetUserByEmail(f.ctx, "other@example.com"); !isNotFound(err) {
		t.Errorf("GetUserByEmail after a refused CreateUser: got %v, want not found", err)
	}
}

func testUserUpdate(t *testing.T, f *fixture) {
	u := f.user("before@example.com")
	other := f.user("other@example.com")
	u.Email, u.FirstName, u.LastName, u.EmailVerified = "After@Example.com", "New", "Name", true
	u.PasswordHash, u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep = "$argon2id$new", []byte("sealed"), true, 42
	f.write(func(tx roster.Tx) error { return tx.UpdateUser(f.ctx, u) })
	got, err := f.s.GetUserByEmail(f.ctx, "after@example.com")
	noErr(t, "GetUserByEmail new address", err)
	check(t, "GetUser after UpdateUser", got, u)
	_, err = f.s.GetUserByEmail(f.ctx, "before@example.com")
	wantErr(t, "GetUserByEmail old address", err, roster.ErrNotFound)

	u.Email = "OTHER@example.com"
	if err := f.try(func(tx roster.Tx) error { return tx.UpdateUser(f.ctx, u) }); err == nil {
		t.Errorf("UpdateUser to another user's address (%s): got nil error, want one", other.ID)
	}
}

func testUserNotFound(t *testing.T, f *fixture) {
	_, err := f.s.GetUser(f.ctx, "usr_missing")
	wantErr(t, "GetUser", err, roster.ErrNotFound)
	_, err = f.s.GetUserByEmail(f.ctx, "nobody@example.com")
	wantErr(t, "GetUserByEmail", err, roster.ErrNotFound)
	err = f.try(func(tx roster.Tx) error {
		return tx.UpdateUser(f.ctx, roster.User{ID: "usr_missing", Email: "x@example.com"})
	})
	wantErr(t, "UpdateUser", err, roster.ErrNotFound)
}

func testTOTPStep(t *testing.T, f *fixture) {
	u := f.user("totp@example.com")
	steps := []struct {
		from, to int64
		want     bool
		stored   int64
	}{
		{from: 0, to: 100, want: true, stored: 100},
		{from: 0, to: 101, want: false, stored: 100}, // stale from
		{from: 100, to: 100, want: true, stored: 100},
		{from: 100, to: 102, want: true, stored: 102},
		{from: 100, to: 103, want: false, stored: 102},
	}
	for _, s := range steps {
		var ok bool
		f.write(func(tx roster.Tx) error {
			var err error
			ok, err = tx.SetTOTPLastStep(f.ctx, u.ID, s.from, s.to)
			return err
		})
		got, err := f.s.GetUser(f.ctx, u.ID)
		noErr(t, "GetUser", err)
		if ok != s.want || got.TOTPLastStep != s.stored {
			t.Errorf("SetTOTPLastStep(%d -> %d): got %v, stored %d; want %v, stored %d", s.from, s.to, ok, got.TOTPLastStep, s.want, s.stored)
		}
	}
}

func testRecoveryCodes(t *testing.T, f *fixture) {
	u, v := f.user("codes@example.com"), f.user("other@example.com")
	a, b, c := []byte("hash-a"), []byte("hash-b"), []byte("hash-c")
	use := func(user roster.UserID, code []byte) bool {
		t.Helper()
		var ok bool
		f.write(func(tx roster.Tx) error {
			var err error
			ok, err = tx.UseRecoveryCode(f.ctx, user, code)
			return err
		})
		return ok
	}
	f.write(func(tx roster.Tx) error { return tx.ReplaceRecoveryCodes(f.ctx, u.ID, [][]byte{a, b}) })
	steps := []struct {
		name string
		user roster.UserID
		code []byte
		want bool
	}{
		{"first use", u.ID, a, true},
		{"second use", u.ID, a, false},
		{"another user's code", v.ID, b, false},
		{"unknown code", u.ID, c, false},
	}
	for _, s := range steps {
		if got := use(s.user, s.code); got != s.want {
			t.Errorf("UseRecoveryCode %s: got %v, want %v", s.name, got, s.want)
		}
	}
	f.write(func(tx roster.Tx) error { return tx.ReplaceRecoveryCodes(f.ctx, u.ID, [][]byte{a, c}) })
	if use(u.ID, b) {
		t.Errorf("UseRecoveryCode of a replaced code: got true, want false")
	}
	if !use(u.ID, a) || !use(u.ID, c) {
		t.Errorf("UseRecoveryCode of the new codes (one reissued): got false, want true")
	}
}
