package storetest

import (
	"cmp"
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var listMemberCases = []testCase{
	{"ListMembersFilters", testListMembersFilters},
	{"ListMembersPaging", testListMembersPaging},
}

var seatCases = []testCase{
	{"CountSeats", testCountSeats},
}

// memberSet is one organization's members for the list tests.
type memberSet struct {
	org               roster.OrgID
	alice, bob, carol roster.Member
	dave, erin        roster.Member
	all               []roster.MemberID // in list order: created_at, then id
	foreign           roster.Member
	daveUser          roster.User
}

func newMemberSet(t *testing.T, f *fixture) memberSet {
	t.Helper()
	o, other := f.org(), f.org()
	s := memberSet{org: o.ID}
	c := f.client(o.ID, roster.ClientActive, Base)
	s.alice = f.member(o.ID, roster.Member{Email: "alice@example.com", FirstName: "Alice", LastName: "Smith", Role: "admin",
		CreatedAt: at(time.Second), Clients: []roster.ClientID{c.ID}, ClientMode: roster.AccessSpecific})
	s.bob = f.member(o.ID, roster.Member{Email: "bob@other.example", FirstName: "Bob", LastName: "Jones", Role: "viewer",
		Status: roster.StatusInvited, CreatedAt: at(2 * time.Second)})
	s.carol = f.member(o.ID, roster.Member{Email: "carol@example.com", FirstName: "Carol", LastName: "Smithers", Role: "viewer",
		Status: roster.StatusRevoked, CreatedAt: at(2 * time.Second)}) // same time as bob: the id decides
	s.daveUser = roster.User{ID: roster.NewUserID(), Email: "dave@example.com", FirstName: "Dave", LastName: "Ærøskøbing",
		PasswordHash: "x", CreatedAt: Base}
	f.write(func(tx roster.Tx) error { return tx.CreateUser(f.ctx, s.daveUser) })
	s.dave = f.member(o.ID, roster.Member{Email: "dave@example.com", UserID: s.daveUser.ID, FirstName: "Invited", LastName: "As",
		Role: "editor", CreatedAt: at(3 * time.Second)})
	s.erin = f.member(o.ID, roster.Member{Email: "erin_x@example.com", FirstName: "Erin", LastName: "O'Neil", Role: "admin",
		Status: roster.StatusInvited, CreatedAt: at(4 * time.Second)})
	s.foreign = f.member(other.ID, roster.Member{Email: "alice@example.com", FirstName: "Alice", LastName: "Smith", Role: "admin"})

	ms := []roster.Member{s.alice, s.bob, s.carol, s.dave, s.erin}
	slices.SortFunc(ms, func(a, b roster.Member) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	s.all = memberIDs(ms)
	return s
}

// after lists the ids of s.all after id.
func (s memberSet) after(id roster.MemberID) []roster.MemberID {
	return s.all[slices.Index(s.all, id)+1:]
}

// in keeps the ids of s.all that are among ms, in list order.
func (s memberSet) in(ms ...roster.Member) []roster.MemberID {
	ids := []roster.MemberID{}
	for _, id := range s.all {
		if slices.Contains(memberIDs(ms), id) {
			ids = append(ids, id)
		}
	}
	return ids
}

func testListMembersFilters(t *testing.T, f *fixture) {
	s := newMemberSet(t, f)
	cursor := func(m roster.Member) *roster.Cursor { return &roster.Cursor{Time: m.CreatedAt, ID: string(m.ID)} }
	invited, active, revoked := roster.StatusInvited, roster.StatusActive, roster.StatusRevoked
	tests := []struct {
		name   string
		filter roster.MemberFilter
		want   []roster.MemberID
	}{
		{"no filter", roster.MemberFilter{}, s.all},
		{"one role", roster.MemberFilter{Roles: []string{"admin"}}, s.in(s.alice, s.erin)},
		{"two roles", roster.MemberFilter{Roles: []string{"viewer", "editor"}}, s.in(s.bob, s.carol, s.dave)},
		{"unknown role", roster.MemberFilter{Roles: []string{"nobody"}}, nil},
		{"one status", roster.MemberFilter{Statuses: []roster.MemberStatus{invited}}, s.in(s.bob, s.erin)},
		{"two statuses", roster.MemberFilter{Statuses: []roster.MemberStatus{active, revoked}}, s.in(s.alice, s.carol, s.dave)},
		{"role and status", roster.MemberFilter{Roles: []string{"admin"}, Statuses: []roster.MemberStatus{active}}, s.in(s.alice)},
		{"query last name, any case", roster.MemberFilter{Query: "SMITH"}, s.in(s.alice, s.carol)},
		{"query first name", roster.MemberFilter{Query: "carol"}, s.in(s.carol)},
		{"query full name", roster.MemberFilter{Query: "Bob Jones"}, s.in(s.bob)},
		{"query email", roster.MemberFilter{Query: "@OTHER.example"}, s.in(s.bob)},
		{"query the user's first name", roster.MemberFilter{Query: "dave"}, s.in(s.dave)},
		{"query non-ASCII, other case", roster.MemberFilter{Query: "ÆRØSK"}, s.in(s.dave)},
		{"query with an apostrophe", roster.MemberFilter{Query: "o'neil"}, s.in(s.erin)},
		{"query % is literal", roster.MemberFilter{Query: "%"}, nil},
		{"query _ is literal", roster.MemberFilter{Query: "_"}, s.in(s.erin)},
		{"query and status", roster.MemberFilter{Query: "smith", Statuses: []roster.MemberStatus{revoked}}, s.in(s.carol)},
		{"only id", roster.MemberFilter{OnlyID: s.carol.ID}, s.in(s.carol)},
		{"only id, filtered out", roster.MemberFilter{OnlyID: s.carol.ID, Statuses: []roster.MemberStatus{active}}, nil},
		{"only id of another organization", roster.MemberFilter{OnlyID: s.foreign.ID}, nil},
		{"limit", roster.MemberFilter{Limit: 2}, s.all[:2]},
		{"after a tied time", roster.MemberFilter{After: cursor(s.bob)}, s.after(s.bob.ID)},
		{"after the other tied time", roster.MemberFilter{After: cursor(s.carol)}, s.after(s.carol.ID)},
		{"after the last", roster.MemberFilter{After: cursor(s.erin)}, nil},
		{"after, with a role and a limit", roster.MemberFilter{After: cursor(s.alice), Roles: []string{"admin", "viewer"}, Limit: 2},
			s.in(s.bob, s.carol)},
	}
	for _, tc := range tests {
		got, err := f.s.ListMembers(f.ctx, s.org, tc.filter)
		if err != nil {
			t.Errorf("ListMembers %s: %v", tc.name, err)
			continue
		}
		check(t, "ListMembers "+tc.name, memberIDs(got), tc.want)
		checkSlicesFilled(t, "ListMembers "+tc.name, got...)
	}

	got, err := f.s.ListMembers(f.ctx, s.org, roster.MemberFilter{OnlyID: s.alice.ID})
	noErr(t, "ListMembers", err)
	check(t, "ListMembers carries the member's clients", got, []roster.Member{s.alice})
}

func testListMembersPaging(t *testing.T, f *fixture) {
	s := newMemberSet(t, f)
	for limit := 1; limit <= len(s.all)+1; limit++ {
		var pages []roster.MemberID
		var after *roster.Cursor
		for range len(s.all) + 2 {
			page, err := f.s.ListMembers(f.ctx, s.org, roster.MemberFilter{After: after, Limit: limit})
			noErr(t, "ListMembers", err)
			if len(page) > limit {
				t.Fatalf("ListMembers limit %d: got %d members", limit, len(page))
			}
			if len(page) == 0 {
				break
			}
			pages = append(pages, memberIDs(page)...)
			last := page[len(page)-1]
			after = &roster.Cursor{Time: last.CreatedAt, ID: string(last.ID)}
		}
		check(t, "pages of ListMembers", pages, s.all)
	}
	empty := f.org()
	got, err := f.s.ListMembers(f.ctx, empty.ID, roster.MemberFilter{})
	noErr(t, "ListMembers", err)
	if len(got) != 0 {
		t.Errorf("ListMembers of an organization without members: got %v", memberIDs(got))
	}
}

// testCountSeats is R16, R17 and R5: active members and members invited by a
// pending invitation that has not expired hold a seat.
func testCountSeats(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	invited := func(agent bool, invs ...roster.Invitation) {
		m := f.member(o.ID, roster.Member{Status: roster.StatusInvited, AgentAccess: agent})
		for _, inv := range invs {
			f.invitation(o.ID, m.ID, inv.State, inv.ExpiresAt)
		}
	}
	pending := func(d time.Duration) roster.Invitation {
		return roster.Invitation{State: roster.InvitationPending, ExpiresAt: at(d)}
	}
	f.member(o.ID, roster.Member{AgentAccess: true})                                                                          // seat, agent
	f.member(o.ID, roster.Member{})                                                                                           // seat
	f.member(o.ID, roster.Member{Status: roster.StatusRevoked, AgentAccess: true})                                            // nothing
	invited(true, pending(time.Hour))                                                                                         // seat, agent until +1h
	invited(true, pending(-time.Hour))                                                                                        // expired
	invited(false, pending(0))                                                                                                // expires at now: expired
	invited(false, roster.Invitation{State: roster.InvitationCancelled, ExpiresAt: at(time.Hour)})                            // nothing
	invited(false, roster.Invitation{State: roster.InvitationAccepted, ExpiresAt: at(time.Hour)})                             // nothing
	invited(false)                                                                                                            // no invitation
	invited(false, roster.Invitation{State: roster.InvitationSuperseded, ExpiresAt: at(3 * time.Hour)}, pending(3*time.Hour)) // one seat
	f.member(other.ID, roster.Member{AgentAccess: true})

	tests := []struct {
		name          string
		org           roster.OrgID
		now           time.Time
		seats, agents int
	}{
		{"now", o.ID, Base, 4, 2},
		{"an hour before", o.ID, at(-time.Hour), 5, 2},
		{"two hours later", o.ID, at(2 * time.Hour), 3, 1},
		{"four hours later", o.ID, at(4 * time.Hour), 2, 1},
		{"another organization", other.ID, Base, 1, 1},
		{"an organization without members", "org_missing", Base, 0, 0},
	}
	for _, tc := range tests {
		seats, agents, err := f.s.CountSeats(f.ctx, tc.org, tc.now)
		if err != nil || seats != tc.seats || agents != tc.agents {
			t.Errorf("CountSeats %s: got %d seats, %d agents (%v); want %d, %d", tc.name, seats, agents, err, tc.seats, tc.agents)
		}
	}
}
