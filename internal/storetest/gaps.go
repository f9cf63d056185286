package storetest

import (
	"testing"

	"github.com/roster-dev/roster/internal/roster"
)

var gapCases = []testCase{
	{"MemberFoundByItsUsersCurrentEmail", testMemberByUserEmail},
	{"MemberUpdateConflicts", testMemberUpdateConflicts},
	{"DeleteMemberRemovesClientLinks", testDeleteMemberLinks},
	{"ForeignClientUpdateWritesNothing", testForeignClientWritesNothing},
}

// testMemberByUserEmail is R15: a joined member whose user changed address
// is found, and searched, by the user's current address; the invited
// address keeps finding it by GetMemberByEmail.
func testMemberByUserEmail(t *testing.T, f *fixture) {
	o := f.org()
	u := f.user("Now.Address@Example.com")
	m := f.member(o.ID, roster.Member{UserID: u.ID, Email: "then.address@example.com", Accepted: true})
	for _, email := range []string{"now.address@example.com", "NOW.ADDRESS@EXAMPLE.COM", "then.address@example.com"} {
		got, err := f.s.GetMemberByEmail(f.ctx, o.ID, email)
		if err != nil || got.ID != m.ID {
			t.Errorf("GetMemberByEmail(%q): got %s (%v), want %s", email, got.ID, err, m.ID)
		}
	}
	tests := []struct {
		query string
		want  []roster.MemberID
	}{
		{"NOW.address@", []roster.MemberID{m.ID}},
		{"then.address@", nil}, // the list shows the user's address, and searches what it shows
	}
	for _, tc := range tests {
		got, err := f.s.ListMembers(f.ctx, o.ID, roster.MemberFilter{Query: tc.query})
		noErr(t, "ListMembers", err)
		check(t, "ListMembers query "+tc.query, memberIDs(got), tc.want)
	}
}

func testMemberUpdateConflicts(t *testing.T, f *fixture) {
	o := f.org()
	u, v := f.user("u@example.com"), f.user("v@example.com")
	f.member(o.ID, roster.Member{Email: "a@example.com", UserID: u.ID})
	b := f.member(o.ID, roster.Member{Email: "b@example.com"})
	for name, upd := range map[string]roster.Member{
		"another member's address, other case": func() roster.Member { m := b; m.Email = "A@Example.COM"; return m }(),
		"another member's user":                func() roster.Member { m := b; m.UserID = u.ID; return m }(),
	} {
		err := f.try(func(tx roster.Tx) error { return tx.UpdateMember(f.ctx, upd) })
		wantErr(t, "UpdateMember to "+name, err, roster.ErrConflict)
	}
	err := f.try(func(tx roster.Tx) error {
		x, _ := f.s.GetUser(f.ctx, u.ID)
		x.Email = v.Email
		return tx.UpdateUser(f.ctx, x)
	})
	wantErr(t, "UpdateUser to another user's address", err, roster.ErrConflict)
	got, err := f.s.GetMember(f.ctx, o.ID, b.ID)
	noErr(t, "GetMember", err)
	check(t, "member after refused updates", got, b)
}

// testDeleteMemberLinks: DeleteMember removes the member's client links, so
// neither LoadOrgAccess nor a member re-created with the same id sees them.
func testDeleteMemberLinks(t *testing.T, f *fixture) {
	o := f.org()
	c := f.client(o.ID, roster.ClientActive, Base)
	m := f.member(o.ID, roster.Member{ClientMode: roster.AccessSpecific, Clients: []roster.ClientID{c.ID}})
	f.write(func(tx roster.Tx) error { return tx.DeleteMember(f.ctx, o.ID, m.ID) })
	acc, err := f.s.LoadOrgAccess(f.ctx, o.ID)
	noErr(t, "LoadOrgAccess", err)
	if len(acc.Members) != 0 {
		t.Errorf("LoadOrgAccess after DeleteMember: got %d members, want 0", len(acc.Members))
	}
	again := m
	again.Clients = []roster.ClientID{}
	f.write(func(tx roster.Tx) error { return tx.CreateMember(f.ctx, again) })
	got, err := f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember", err)
	if len(got.Clients) != 0 {
		t.Errorf("member re-created with the same id: got clients %v, want none", got.Clients)
	}
}

// testForeignClientWritesNothing: an UpdateMember refused for another
// organization's client leaves the member's other fields and clients as
// they were (the caller returns the error, as the domain does).
func testForeignClientWritesNothing(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	mine, foreign := f.client(o.ID, roster.ClientActive, Base), f.client(other.ID, roster.ClientActive, Base)
	m := f.member(o.ID, roster.Member{Role: "viewer", ClientMode: roster.AccessSpecific, Clients: []roster.ClientID{mine.ID}})
	upd := m
	upd.Role, upd.Status, upd.AgentAccess = "admin", roster.StatusRevoked, true
	upd.Clients = []roster.ClientID{mine.ID, foreign.ID}
	if err := f.try(func(tx roster.Tx) error { return tx.UpdateMember(f.ctx, upd) }); err == nil {
		t.Fatalf("UpdateMember with another organization's client: got nil error, want one")
	}
	got, err := f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember", err)
	check(t, "member after the refused update", got, m)
	acc, err := f.s.LoadOrgAccess(f.ctx, other.ID)
	noErr(t, "LoadOrgAccess", err)
	if len(acc.Members) != 0 || acc.Revision != 0 {
		t.Errorf("other organization after the refused update: got %+v, want untouched", acc)
	}
}
