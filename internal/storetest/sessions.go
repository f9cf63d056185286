package storetest

import (
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var sessionCases = []testCase{
	{"SessionRoundTrip", testSessionRoundTrip},
	{"SessionTouchAndDelete", testSessionTouchDelete},
	{"DeleteUserSessions", testDeleteUserSessions},
	{"VerificationTokens", testVerificationTokens},
	{"Throttle", testThrottle},
}

func testSessionRoundTrip(t *testing.T, f *fixture) {
	u := f.user("session@example.com")
	s := roster.Session{ID: "ses_1", TokenHash: token(), UserID: u.ID, CreatedAt: Base.In(time.FixedZone("UTC+2", 7200)),
		LastSeenAt: at(time.Minute), ExpiresAt: at(12 * time.Hour)}
	f.write(func(tx roster.Tx) error { return tx.CreateSession(f.ctx, s) })
	got, err := f.s.GetSessionByTokenHash(f.ctx, s.TokenHash)
	noErr(t, "GetSessionByTokenHash", err)
	check(t, "GetSessionByTokenHash", got, s)

	_, err = f.s.GetSessionByTokenHash(f.ctx, token())
	wantErr(t, "GetSessionByTokenHash of an unknown token", err, roster.ErrNotFound)
	dup := s
	dup.ID = "ses_2"
	err = f.try(func(tx roster.Tx) error { return tx.CreateSession(f.ctx, dup) })
	wantErr(t, "CreateSession with a taken token hash", err, roster.ErrConflict)
}

func testSessionTouchDelete(t *testing.T, f *fixture) {
	u := f.user("session@example.com")
	s := roster.Session{ID: "ses_1", TokenHash: token(), UserID: u.ID, CreatedAt: Base, LastSeenAt: Base, ExpiresAt: at(12 * time.Hour)}
	keep := roster.Session{ID: "ses_2", TokenHash: token(), UserID: u.ID, CreatedAt: Base, LastSeenAt: Base, ExpiresAt: at(12 * time.Hour)}
	f.write(func(tx roster.Tx) error {
		if err := tx.CreateSession(f.ctx, s); err != nil {
			return err
		}
		return tx.CreateSession(f.ctx, keep)
	})
	s.LastSeenAt = at(20 * time.Minute)
	f.write(func(tx roster.Tx) error { return tx.TouchSession(f.ctx, s.ID, s.LastSeenAt) })
	got, err := f.s.GetSessionByTokenHash(f.ctx, s.TokenHash)
	noErr(t, "GetSessionByTokenHash", err)
	check(t, "session after TouchSession", got, s)

	f.write(func(tx roster.Tx) error { return tx.DeleteSession(f.ctx, s.ID) })
	_, err = f.s.GetSessionByTokenHash(f.ctx, s.TokenHash)
	wantErr(t, "GetSessionByTokenHash after DeleteSession", err, roster.ErrNotFound)
	if _, err := f.s.GetSessionByTokenHash(f.ctx, keep.TokenHash); err != nil {
		t.Errorf("GetSessionByTokenHash of another session after DeleteSession: %v", err)
	}
	for name, write := range map[string]func(tx roster.Tx) error{
		"DeleteSession again":       func(tx roster.Tx) error { return tx.DeleteSession(f.ctx, s.ID) },
		"TouchSession of a deleted": func(tx roster.Tx) error { return tx.TouchSession(f.ctx, s.ID, Base) },
	} {
		wantErr(t, name, f.try(write), roster.ErrNotFound)
	}
}

func testDeleteUserSessions(t *testing.T, f *fixture) {
	u, other := f.user("mine@example.com"), f.user("other@example.com")
	sessions := map[string]roster.Session{}
	for _, s := range []struct {
		id   string
		user roster.UserID
	}{{"ses_keep", u.ID}, {"ses_a", u.ID}, {"ses_b", u.ID}, {"ses_other", other.ID}} {
		sessions[s.id] = roster.Session{ID: s.id, TokenHash: token(), UserID: s.user, CreatedAt: Base, LastSeenAt: Base, ExpiresAt: at(time.Hour)}
		f.write(func(tx roster.Tx) error { return tx.CreateSession(f.ctx, sessions[s.id]) })
	}
	exists := func(id string) bool {
		_, err := f.s.GetSessionByTokenHash(f.ctx, sessions[id].TokenHash)
		return err == nil
	}
	var n int
	f.write(func(tx roster.Tx) (err error) { n, err = tx.DeleteUserSessions(f.ctx, u.ID, "ses_keep"); return err })
	if n != 2 || exists("ses_a") || exists("ses_b") || !exists("ses_keep") || !exists("ses_other") {
		t.Fatalf("DeleteUserSessions except ses_keep: ended %d; keep %v a %v b %v other %v", n, exists("ses_keep"), exists("ses_a"), exists("ses_b"), exists("ses_other"))
	}
	f.write(func(tx roster.Tx) (err error) { n, err = tx.DeleteUserSessions(f.ctx, u.ID, ""); return err })
	if n != 1 || exists("ses_keep") || !exists("ses_other") {
		t.Fatalf("DeleteUserSessions of all: ended %d; keep %v other %v", n, exists("ses_keep"), exists("ses_other"))
	}
}

func testVerificationTokens(t *testing.T, f *fixture) {
	u := f.user("verify@example.com")
	v := roster.VerificationToken{TokenHash: token(), UserID: u.ID, ExpiresAt: at(time.Hour)}
	f.write(func(tx roster.Tx) error { return tx.CreateVerificationToken(f.ctx, v) })
	got, err := f.s.GetVerificationToken(f.ctx, v.TokenHash)
	noErr(t, "GetVerificationToken", err)
	check(t, "GetVerificationToken", got, v)

	use := func(hash []byte) bool {
		t.Helper()
		var ok bool
		f.write(func(tx roster.Tx) error {
			var err error
			ok, err = tx.UseVerificationToken(f.ctx, hash)
			return err
		})
		return ok
	}
	if !use(v.TokenHash) {
		t.Errorf("UseVerificationToken: got false, want true")
	}
	if use(v.TokenHash) {
		t.Errorf("UseVerificationToken a second time: got true, want false")
	}
	if use(token()) {
		t.Errorf("UseVerificationToken of an unknown token: got true, want false")
	}
	v.Used = true
	got, err = f.s.GetVerificationToken(f.ctx, v.TokenHash)
	noErr(t, "GetVerificationToken", err)
	check(t, "GetVerificationToken after use", got, v)

	_, err = f.s.GetVerificationToken(f.ctx, token())
	wantErr(t, "GetVerificationToken of an unknown token", err, roster.ErrNotFound)
	err = f.try(func(tx roster.Tx) error { return tx.CreateVerificationToken(f.ctx, v) })
	wantErr(t, "CreateVerificationToken with a taken hash", err, roster.ErrConflict)
}

func testThrottle(t *testing.T, f *fixture) {
	got, err := f.s.GetThrottle(f.ctx, "email:a@example.com")
	noErr(t, "GetThrottle", err)
	check(t, "GetThrottle of an unknown key", got, roster.ThrottleState{Key: "email:a@example.com"})
	if !got.WindowStart.IsZero() || !got.LockedUntil.IsZero() {
		t.Errorf("GetThrottle of an unknown key: got times %v, %v; want zero times", got.WindowStart, got.LockedUntil)
	}

	s := roster.ThrottleState{Key: "email:a@example.com", Failures: 3, WindowStart: Base}
	ip := roster.ThrottleState{Key: "ip:192.0.2.1", Failures: 1, WindowStart: at(time.Second)}
	f.write(func(tx roster.Tx) error {
		if err := tx.PutThrottle(f.ctx, s); err != nil {
			return err
		}
		return tx.PutThrottle(f.ctx, ip)
	})
	got, err = f.s.GetThrottle(f.ctx, s.Key)
	noErr(t, "GetThrottle", err)
	check(t, "GetThrottle", got, s)

	s = roster.ThrottleState{Key: s.Key, Failures: 10, WindowStart: at(time.Minute), LockedUntil: at(2 * time.Minute), Lockouts: 2}
	f.write(func(tx roster.Tx) error { return tx.PutThrottle(f.ctx, s) }) // replaces
	got, err = f.s.GetThrottle(f.ctx, s.Key)
	noErr(t, "GetThrottle", err)
	check(t, "GetThrottle after a second PutThrottle", got, s)
	f.write(func(tx roster.Tx) error {
		got, err := tx.GetThrottle(f.ctx, ip.Key)
		check(t, "Tx.GetThrottle of another key", got, ip)
		return err
	})
}
