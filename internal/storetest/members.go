package storetest

import (
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var memberCases = []testCase{
	{"MemberRoundTrip", testMemberRoundTrip},
	{"MemberShowsItsUser", testMemberShowsUser},
	{"MemberLookups", testMemberLookups},
	{"MemberUpdate", testMemberUpdate},
	{"MemberDelete", testMemberDelete},
	{"MemberTouch", testMemberTouch},
	{"MemberConflicts", testMemberConflicts},
	{"MemberNotFound", testMemberNotFound},
	{"MemberClientsOfAnotherOrganization", testMemberForeignClient},
	{"ListMembershipsOfUser", testMemberships},
}

func testMemberRoundTrip(t *testing.T, f *fixture) {
	o := f.org()
	c1, c2 := f.client(o.ID, roster.ClientActive, Base), f.client(o.ID, roster.ClientArchived, Base)
	last := at(-time.Hour)
	m := roster.Member{ID: roster.NewMemberID(), OrgID: o.ID, Email: "Invitee@Example.com", FirstName: "In", LastName: "Vitee",
		Role: "bookkeeper", Status: roster.StatusInvited, ClientMode: roster.AccessSpecific,
		Clients: []roster.ClientID{c2.ID, c1.ID}, AgentAccess: true, Teams: []roster.TeamID{}, InvitedBy: "usr_inviter",
		CreatedAt: Base.In(time.FixedZone("UTC-3", -3*3600)), LastActiveAt: &last}
	f.write(func(tx roster.Tx) error { return tx.CreateMember(f.ctx, m) })
	got, err := f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember", err)
	check(t, "GetMember", normMember(got), normMember(m))
	checkSlicesFilled(t, "GetMember", got)

	inv := f.invitation(o.ID, m.ID, roster.InvitationPending, at(7*24*time.Hour))
	got, err = f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember", err)
	if got.InvitationExpiresAt == nil || !got.InvitationExpiresAt.Equal(inv.ExpiresAt) {
		t.Errorf("GetMember: got InvitationExpiresAt %v, want %v", got.InvitationExpiresAt, inv.ExpiresAt)
	}
	f.write(func(tx roster.Tx) error {
		_, err := tx.SetInvitationState(f.ctx, inv.ID, roster.InvitationPending, roster.InvitationCancelled)
		return err
	})
	got, err = f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember", err)
	if got.InvitationExpiresAt != nil {
		t.Errorf("GetMember without a pending invitation: got InvitationExpiresAt %v, want nil", got.InvitationExpiresAt)
	}
}

// testMemberShowsUser is R15: once joined, the member shows the user's own
// address and names, and the user's 2FA state.
func testMemberShowsUser(t *testing.T, f *fixture) {
	o := f.org()
	u := roster.User{ID: roster.NewUserID(), Email: "Person.Now@Example.com", FirstName: "Real", LastName: "Person",
		PasswordHash: "x", TOTPEnabled: true, TOTPSecret: []byte("s"), CreatedAt: Base}
	f.write(func(tx roster.Tx) error { return tx.CreateUser(f.ctx, u) })
	m := f.member(o.ID, roster.Member{UserID: u.ID, Email: "person.then@example.com", FirstName: "Invited", LastName: "Name", Accepted: true})

	want := m
	want.Email, want.FirstName, want.LastName, want.TwoFactor = u.Email, u.FirstName, u.LastName, true
	for name, read := range map[string]func() (roster.Member, error){
		"GetMember":       func() (roster.Member, error) { return f.s.GetMember(f.ctx, o.ID, m.ID) },
		"GetMemberByUser": func() (roster.Member, error) { return f.s.GetMemberByUser(f.ctx, o.ID, u.ID) },
		"ListMembers": func() (roster.Member, error) {
			ms, err := f.s.ListMembers(f.ctx, o.ID, roster.MemberFilter{OnlyID: m.ID})
			if len(ms) != 1 {
				t.Fatalf("ListMembers OnlyID: got %d members, want 1 (err %v)", len(ms), err)
			}
			return ms[0], err
		},
	} {
		got, err := read()
		noErr(t, name, err)
		check(t, name, got, want)
	}

	plain := f.member(o.ID, roster.Member{Status: roster.StatusInvited, FirstName: "Only", LastName: "Invited"})
	got, err := f.s.GetMember(f.ctx, o.ID, plain.ID)
	noErr(t, "GetMember", err)
	check(t, "GetMember without a user", got, plain)
}

func testMemberLookups(t *testing.T, f *fixture) {
	o := f.org()
	u := f.user("Joined.User@Example.com")
	joined := f.member(o.ID, roster.Member{UserID: u.ID, Email: u.Email})
	invited := f.member(o.ID, roster.Member{Email: "Invited@Example.com", Status: roster.StatusInvited})
	tests := []struct {
		email string
		want  roster.MemberID
	}{
		{"invited@example.com", invited.ID},
		{"INVITED@EXAMPLE.COM", invited.ID},
		{"joined.user@example.com", joined.ID},
		{" Joined.User@Example.com", joined.ID},
	}
	for _, tc := range tests {
		got, err := f.s.GetMemberByEmail(f.ctx, o.ID, tc.email)
		if err != nil || got.ID != tc.want {
			t.Errorf("GetMemberByEmail(%q): got %s, %v; want %s", tc.email, got.ID, err, tc.want)
		}
		checkSlicesFilled(t, "GetMemberByEmail", got)
	}
	got, err := f.s.GetMemberByUser(f.ctx, o.ID, u.ID)
	if err != nil || got.ID != joined.ID {
		t.Errorf("GetMemberByUser: got %s, %v; want %s", got.ID, err, joined.ID)
	}
	checkSlicesFilled(t, "GetMemberByUser", got)
}

func testMemberUpdate(t *testing.T, f *fixture) {
	o := f.org()
	c1, c2, c3 := f.client(o.ID, roster.ClientActive, Base), f.client(o.ID, roster.ClientActive, Base), f.client(o.ID, roster.ClientArchived, Base)
	m := f.member(o.ID, roster.Member{Status: roster.StatusInvited, ClientMode: roster.AccessSpecific, Clients: []roster.ClientID{c1.ID, c2.ID}})
	u := f.user(m.Email)

	m.UserID, m.Role, m.Status, m.ClientMode, m.AgentAccess, m.Accepted = u.ID, "admin", roster.StatusActive, roster.AccessAll, true, true
	m.FirstName, m.LastName = u.FirstName, u.LastName
	m.Clients = []roster.ClientID{c3.ID, c2.ID}
	f.write(func(tx roster.Tx) error { return tx.UpdateMember(f.ctx, m) })
	got, err := f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember", err)
	check(t, "GetMember after UpdateMember", normMember(got), normMember(m))

	m.Clients = []roster.ClientID{}
	f.write(func(tx roster.Tx) error { return tx.UpdateMember(f.ctx, m) })
	got, err = f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember", err)
	check(t, "GetMember after removing every client", got, m)
	checkSlicesFilled(t, "GetMember", got)
}

func testMemberDelete(t *testing.T, f *fixture) {
	o := f.org()
	c := f.client(o.ID, roster.ClientActive, Base)
	m := f.member(o.ID, roster.Member{Status: roster.StatusRevoked, Clients: []roster.ClientID{c.ID}})
	inv := f.invitation(o.ID, m.ID, roster.InvitationPending, at(time.Hour))
	keep := f.member(o.ID, roster.Member{})
	e := event(o.ID, Base, "member.revoked")
	e.MemberID = m.ID
	f.write(func(tx roster.Tx) error { return tx.AppendAudit(f.ctx, e) })

	f.write(func(tx roster.Tx) error { return tx.DeleteMember(f.ctx, o.ID, m.ID) })
	_, err := f.s.GetMember(f.ctx, o.ID, m.ID)
	wantErr(t, "GetMember after DeleteMember", err, roster.ErrNotFound)
	_, err = f.s.GetMemberByEmail(f.ctx, o.ID, m.Email)
	wantErr(t, "GetMemberByEmail after DeleteMember", err, roster.ErrNotFound)
	_, err = f.s.GetPendingInvitation(f.ctx, o.ID, m.ID)
	wantErr(t, "GetPendingInvitation of invitation "+inv.ID+" after DeleteMember", err, roster.ErrNotFound)
	if _, err := f.s.GetMember(f.ctx, o.ID, keep.ID); err != nil {
		t.Errorf("GetMember of another member after DeleteMember: %v", err)
	}
	evs, err := f.s.ListAudit(f.ctx, o.ID, roster.AuditFilter{Subject: &roster.AuditSubject{Member: m.ID}})
	noErr(t, "ListAudit", err)
	check(t, "audit events about a deleted member", evs, []roster.AuditEvent{e})

	// The address can be invited again.
	again := f.member(o.ID, roster.Member{Email: m.Email, Status: roster.StatusInvited})
	if _, err := f.s.GetMemberByEmail(f.ctx, o.ID, m.Email); err != nil {
		t.Errorf("GetMemberByEmail of the re-invited %s: %v", again.ID, err)
	}
}

func testMemberTouch(t *testing.T, f *fixture) {
	o := f.org()
	m := f.member(o.ID, roster.Member{})
	for _, when := range []time.Time{at(time.Minute), at(time.Hour)} {
		f.write(func(tx roster.Tx) error { return tx.TouchMember(f.ctx, o.ID, m.ID, when) })
		got, err := f.s.GetMember(f.ctx, o.ID, m.ID)
		noErr(t, "GetMember", err)
		if got.LastActiveAt == nil || !got.LastActiveAt.Equal(when) {
			t.Errorf("LastActiveAt after TouchMember(%v): got %v", when, got.LastActiveAt)
		}
	}
}

func testMemberConflicts(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	u := f.user("user@example.com")
	m := f.member(o.ID, roster.Member{Email: "Taken@Example.com", UserID: u.ID})
	tests := []struct {
		name string
		org  roster.OrgID
		m    roster.Member
		want error // nil: allowed
	}{
		{"same address, other case", o.ID, roster.Member{Email: "taken@example.COM"}, roster.ErrConflict},
		{"same user", o.ID, roster.Member{Email: "second@example.com", UserID: u.ID}, roster.ErrConflict},
		{"same id", o.ID, roster.Member{ID: m.ID, Email: "third@example.com"}, roster.ErrConflict},
		{"same address in another organization", other.ID, roster.Member{Email: "TAKEN@example.com"}, nil},
		{"same user in another organization", other.ID, roster.Member{Email: "x@example.com", UserID: u.ID}, nil},
		{"two members without a user", o.ID, roster.Member{Email: "nouser@example.com"}, nil},
	}
	for _, tc := range tests {
		n := memberDefaults(tc.org, tc.m, f.seq())
		err := f.try(func(tx roster.Tx) error { return tx.CreateMember(f.ctx, n) })
		if tc.want == nil {
			noErr(t, "CreateMember "+tc.name, err)
			continue
		}
		wantErr(t, "CreateMember "+tc.name, err, tc.want)
	}
}

func testMemberNotFound(t *testing.T, f *fixture) {
	o := f.org()
	_, err := f.s.GetMember(f.ctx, o.ID, "mem_missing")
	wantErr(t, "GetMember", err, roster.ErrNotFound)
	_, err = f.s.GetMemberByUser(f.ctx, o.ID, "usr_missing")
	wantErr(t, "GetMemberByUser", err, roster.ErrNotFound)
	_, err = f.s.GetMemberByEmail(f.ctx, o.ID, "missing@example.com")
	wantErr(t, "GetMemberByEmail", err, roster.ErrNotFound)
	missing := memberDefaults(o.ID, roster.Member{ID: "mem_missing"}, 1)
	for name, write := range map[string]func(tx roster.Tx) error{
		"UpdateMember": func(tx roster.Tx) error { return tx.UpdateMember(f.ctx, missing) },
		"DeleteMember": func(tx roster.Tx) error { return tx.DeleteMember(f.ctx, o.ID, missing.ID) },
		"TouchMember":  func(tx roster.Tx) error { return tx.TouchMember(f.ctx, o.ID, missing.ID, Base) },
	} {
		wantErr(t, name, f.try(write), roster.ErrNotFound)
	}
}

// testMemberForeignClient: a member cannot be given another tenant's client.
func testMemberForeignClient(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	foreign := f.client(other.ID, roster.ClientActive, Base)
	m := memberDefaults(o.ID, roster.Member{ClientMode: roster.AccessSpecific, Clients: []roster.ClientID{foreign.ID}}, 1)
	if err := f.try(func(tx roster.Tx) error { return tx.CreateMember(f.ctx, m) }); err == nil {
		t.Errorf("CreateMember with another organization's client: got nil error, want one")
	}
	m.Clients = []roster.ClientID{}
	f.write(func(tx roster.Tx) error { return tx.CreateMember(f.ctx, m) })
	m.Clients = []roster.ClientID{foreign.ID}
	if err := f.try(func(tx roster.Tx) error { return tx.UpdateMember(f.ctx, m) }); err == nil {
		t.Errorf("UpdateMember with another organization's client: got nil error, want one")
	}
	got, err := f.s.GetMember(f.ctx, o.ID, m.ID)
	noErr(t, "GetMember", err)
	if len(got.Clients) != 0 {
		t.Errorf("member's clients after the refused update: got %v, want none", got.Clients)
	}
}

func testMemberships(t *testing.T, f *fixture) {
	a, b, c := f.org(), f.org(), f.org()
	u, other := f.user("many@example.com"), f.user("other@example.com")
	mb := f.member(b.ID, roster.Member{UserID: u.ID, CreatedAt: at(time.Second)})
	ma := f.member(a.ID, roster.Member{UserID: u.ID, CreatedAt: at(2 * time.Second), Status: roster.StatusRevoked})
	mc := f.member(c.ID, roster.Member{UserID: u.ID, CreatedAt: at(3 * time.Second)})
	f.member(a.ID, roster.Member{UserID: other.ID})
	f.member(a.ID, roster.Member{Status: roster.StatusInvited})

	got, err := f.s.ListMembershipsOfUser(f.ctx, u.ID)
	noErr(t, "ListMembershipsOfUser", err)
	check(t, "ListMembershipsOfUser (oldest first)", memberIDs(got), []roster.MemberID{mb.ID, ma.ID, mc.ID})
	checkSlicesFilled(t, "ListMembershipsOfUser", got...)
	for _, m := range got {
		if m.Email != u.Email {
			t.Errorf("ListMembershipsOfUser: member %s shows %q, want the user's %q", m.ID, m.Email, u.Email)
		}
	}
	got, err = f.s.ListMembershipsOfUser(f.ctx, "usr_nobody")
	noErr(t, "ListMembershipsOfUser", err)
	if len(got) != 0 {
		t.Errorf("ListMembershipsOfUser of a user without memberships: got %v, want none", memberIDs(got))
	}
}
