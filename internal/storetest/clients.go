package storetest

import (
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var clientCases = []testCase{
	{"ClientRoundTrip", testClientRoundTrip},
	{"ClientUpdate", testClientUpdate},
	{"ListClients", testListClients},
}

func testClientRoundTrip(t *testing.T, f *fixture) {
	o := f.org()
	c := roster.Client{ID: roster.NewClientID(), OrgID: o.ID, Name: "Müller GmbH", ExternalID: "crm-42", Status: roster.ClientArchived,
		CreatedAt: Base.In(time.FixedZone("UTC+9", 9*3600))}
	f.write(func(tx roster.Tx) error { return tx.CreateClient(f.ctx, c) })
	got, err := f.s.GetClient(f.ctx, o.ID, c.ID)
	noErr(t, "GetClient", err)
	check(t, "GetClient", got, c)

	_, err = f.s.GetClient(f.ctx, o.ID, "cli_missing")
	wantErr(t, "GetClient of a missing client", err, roster.ErrNotFound)
	err = f.try(func(tx roster.Tx) error { return tx.CreateClient(f.ctx, c) })
	wantErr(t, "CreateClient with a taken id", err, roster.ErrConflict)
}

func testClientUpdate(t *testing.T, f *fixture) {
	o := f.org()
	c := f.client(o.ID, roster.ClientActive, Base)
	c.Name, c.ExternalID, c.Status = "Renamed", "", roster.ClientArchived
	f.write(func(tx roster.Tx) error { return tx.UpdateClient(f.ctx, c) })
	got, err := f.s.GetClient(f.ctx, o.ID, c.ID)
	noErr(t, "GetClient", err)
	check(t, "GetClient after UpdateClient", got, c)

	missing := c
	missing.ID = "cli_missing"
	err = f.try(func(tx roster.Tx) error { return tx.UpdateClient(f.ctx, missing) })
	wantErr(t, "UpdateClient of a missing client", err, roster.ErrNotFound)
}

func testListClients(t *testing.T, f *fixture) {
	o, other := f.org(), f.org()
	c1 := f.client(o.ID, roster.ClientActive, at(time.Second))
	c2 := f.client(o.ID, roster.ClientArchived, at(2*time.Second))
	c3 := f.client(o.ID, roster.ClientActive, at(2*time.Second)) // tied with c2: the id decides
	c4 := f.client(o.ID, roster.ClientActive, at(3*time.Second))
	foreign := f.client(other.ID, roster.ClientActive, Base)
	mid := []roster.ClientID{c2.ID, c3.ID}
	if c3.ID < c2.ID {
		mid = []roster.ClientID{c3.ID, c2.ID}
	}
	all := append(append([]roster.ClientID{c1.ID}, mid...), c4.ID)
	after := func(id roster.ClientID) []roster.ClientID {
		for i, x := range all {
			if x == id {
				return all[i+1:]
			}
		}
		return nil
	}
	cursor := func(c roster.Client) *roster.Cursor { return &roster.Cursor{Time: c.CreatedAt, ID: string(c.ID)} }
	tests := []struct {
		name   string
		filter roster.ClientFilter
		want   []roster.ClientID
	}{
		{"no filter", roster.ClientFilter{}, all},
		{"active", roster.ClientFilter{Status: roster.ClientActive}, without(all, c2.ID)},
		{"archived", roster.ClientFilter{Status: roster.ClientArchived}, []roster.ClientID{c2.ID}},
		{"nil ids: no filter", roster.ClientFilter{IDs: nil}, all},
		{"empty ids: nothing", roster.ClientFilter{IDs: []roster.ClientID{}}, nil},
		{"some ids, one foreign", roster.ClientFilter{IDs: []roster.ClientID{c4.ID, foreign.ID, c1.ID}}, []roster.ClientID{c1.ID, c4.ID}},
		{"ids and status", roster.ClientFilter{IDs: []roster.ClientID{c1.ID, c2.ID}, Status: roster.ClientArchived}, []roster.ClientID{c2.ID}},
		{"limit", roster.ClientFilter{Limit: 2}, all[:2]},
		{"after a tied time", roster.ClientFilter{After: cursor(c2)}, after(c2.ID)},
		{"after the other tied time", roster.ClientFilter{After: cursor(c3)}, after(c3.ID)},
		{"after, with a limit", roster.ClientFilter{After: cursor(c1), Limit: 1}, all[1:2]},
	}
	for _, tc := range tests {
		got, err := f.s.ListClients(f.ctx, o.ID, tc.filter)
		if err != nil {
			t.Errorf("ListClients %s: %v", tc.name, err)
			continue
		}
		check(t, "ListClients "+tc.name, clientIDs(got), tc.want)
	}
	got, err := f.s.ListClients(f.ctx, o.ID, roster.ClientFilter{IDs: []roster.ClientID{c1.ID}})
	noErr(t, "ListClients", err)
	check(t, "ListClients returns whole clients", got, []roster.Client{c1})
}

func without(ids []roster.ClientID, drop roster.ClientID) []roster.ClientID {
	out := []roster.ClientID{}
	for _, id := range ids {
		if id != drop {
			out = append(out, id)
		}
	}
	return out
}
