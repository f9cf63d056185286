package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var accessCases = []testCase{
	{"LoadOrgAccess", testLoadOrgAccess},
	{"LoadAccessPage", testLoadAccessPage},
}

func testLoadOrgAccess(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	c1 := f.client(o.ID, roster.ClientActive, at(time.Second))
	c2 := f.client(o.ID, roster.ClientArchived, at(2*time.Second))
	f.client(other.ID, roster.ClientActive, Base)
	u := f.user("owner@example.com")
	owner := f.member(o.ID, roster.Member{UserID: u.ID, Role: "admin", ClientMode: roster.AccessAll})
	invited := f.member(o.ID, roster.Member{Status: roster.StatusInvited, Role: "client", ClientMode: roster.AccessSpecific,
		Clients: []roster.ClientID{c1.ID}})
	revoked := f.member(o.ID, roster.Member{Status: roster.StatusRevoked, Role: "bookkeeper", ClientMode: roster.AccessSpecific,
		Clients: []roster.ClientID{c2.ID, c1.ID}})
	f.member(other.ID, roster.Member{UserID: u.ID})
	f.write(func(tx roster.Tx) error {
		for range 2 {
			if _, err := tx.BumpRevision(f.ctx, o.ID); err != nil {
				return err
			}
		}
		return nil
	})

	want := roster.OrgAccess{OrgID: o.ID, Revision: 2, Clients: []roster.ClientID{c1.ID, c2.ID}, CustomRoles: []roster.RoleDef{},
		Members: []roster.MemberAccess{
			{MemberID: owner.ID, UserID: u.ID, Role: "admin", Status: roster.StatusActive, ClientMode: roster.AccessAll, Clients: []roster.ClientID{}},
			{MemberID: invited.ID, Role: "client", Status: roster.StatusInvited, ClientMode: roster.AccessSpecific, Clients: []roster.ClientID{c1.ID}},
			{MemberID: revoked.ID, Role: "bookkeeper", Status: roster.StatusRevoked, ClientMode: roster.AccessSpecific,
				Clients: sorted([]roster.ClientID{c2.ID, c1.ID})},
		}}
	normAccess(&want)
	got, err := f.s.LoadOrgAccess(f.ctx, o.ID)
	noErr(t, "LoadOrgAccess", err)
	checkAccess(t, "LoadOrgAccess", got, want)

	_, err = f.s.LoadOrgAccess(f.ctx, "org_missing")
	wantErr(t, "LoadOrgAccess of a missing organization", err, roster.ErrNotFound)
	empty := f.org()
	got, err = f.s.LoadOrgAccess(f.ctx, empty.ID)
	noErr(t, "LoadOrgAccess", err)
	if len(got.Members) != 0 || len(got.Clients) != 0 || got.Revision != 0 || got.OrgID != empty.ID {
		t.Errorf("LoadOrgAccess of an empty organization: got %+v", got)
	}
}

func normAccess(a *roster.OrgAccess) {
	a.Clients = sorted(a.Clients)
	for i := range a.Members {
		a.Members[i].Clients = sorted(a.Members[i].Clients)
	}
	slices.SortFunc(a.Members, func(x, y roster.MemberAccess) int { return cmp.Compare(x.MemberID, y.MemberID) })
}

func checkAccess(t *testing.T, what string, got, want roster.OrgAccess) {
	t.Helper()
	if got.CustomRoles == nil {
		t.Errorf("%s: got nil CustomRoles, want an empty slice", what)
	}
	for _, m := range got.Members {
		if m.Clients == nil {
			t.Errorf("%s: member %s has nil Clients, want an empty slice", what, m.MemberID)
		}
	}
	normAccess(&got)
	check(t, what, got, want)
}

// LoadAccessPage gives, page by page in id order, what LoadOrgAccess gives
// for each organization: members with their clients, clients and custom
// roles, none of another organization's.
func testLoadAccessPage(t *testing.T, f *fixture) {
	var ids []roster.OrgID
	for i := range 5 {
		o := f.org()
		ids = append(ids, o.ID)
		c := f.client(o.ID, roster.ClientActive, at(time.Second))
		f.member(o.ID, roster.Member{UserID: f.user(fmt.Sprintf("m%d@example.com", i)).ID, Role: "bookkeeper",
			ClientMode: roster.AccessSpecific, Clients: []roster.ClientID{c.ID}})
		if i%2 == 0 {
			f.write(func(tx roster.Tx) error {
				return tx.CreateCustomRole(f.ctx, roster.CustomRole{OrgID: o.ID, Key: "lead", Name: "Lead", Permissions: []string{"clients.view"},
					ClientAccess: roster.AccessSpecific, CreatedAt: Base})
			})
		}
	}
	slices.Sort(ids)
	var got []roster.OrgAccess
	var after roster.OrgID
	for pages := 0; ; pages++ {
		page, err := f.s.LoadAccessPage(f.ctx, after, 2)
		noErr(t, "LoadAccessPage", err)
		got = append(got, page...)
		if len(page) < 2 {
			break
		}
		if pages > len(ids) {
			t.Fatal("LoadAccessPage does not end")
		}
		after = page[len(page)-1].OrgID
	}
	var gotIDs []roster.OrgID
	for _, a := range got {
		gotIDs = append(gotIDs, a.OrgID)
	}
	check(t, "LoadAccessPage organizations in id order", gotIDs, ids)
	for _, a := range got {
		want, err := f.s.LoadOrgAccess(f.ctx, a.OrgID)
		noErr(t, "LoadOrgAccess", err)
		normAccess(&want)
		normAccess(&a)
		checkAccess(t, "LoadAccessPage of "+string(a.OrgID), a, want)
		if len(a.Members) != 1 || len(a.Clients) != 1 || len(a.Members[0].Clients) != 1 {
			t.Errorf("LoadAccessPage of %s: got %+v, want one member with one client", a.OrgID, a)
		}
	}
	page, err := f.s.LoadAccessPage(f.ctx, ids[len(ids)-1], 10)
	noErr(t, "LoadAccessPage after the last", err)
	if len(page) != 0 {
		t.Errorf("LoadAccessPage after the last organization: got %d", len(page))
	}
}
