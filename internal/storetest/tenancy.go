package storetest

import (
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var tenancyCases = []testCase{
	{"CrossTenantReads", testCrossTenantReads},
	{"CrossTenantWrites", testCrossTenantWrites},
}

// tenantA is one organization's data, probed with another's id.
type tenantA struct {
	org    roster.OrgID
	user   roster.User
	member roster.Member
	client roster.Client
	inv    roster.Invitation
}

func newTenantA(f *fixture) tenantA {
	o := f.org()
	a := tenantA{org: o.ID, user: f.user("a@example.com")}
	a.client = f.client(o.ID, roster.ClientActive, Base)
	a.member = f.member(o.ID, roster.Member{UserID: a.user.ID, Email: a.user.Email, Clients: []roster.ClientID{a.client.ID},
		ClientMode: roster.AccessSpecific, AgentAccess: true})
	a.inv = f.invitation(o.ID, a.member.ID, roster.InvitationPending, at(time.Hour))
	e := event(o.ID, Base, "member.invited")
	e.ActorUserID, e.MemberID = a.user.ID, a.member.ID
	f.write(func(tx roster.Tx) error { return tx.AppendAudit(f.ctx, e) })
	return a
}

// testCrossTenantReads is STYLE.md convention 8 and docs/security.md item 1:
// organization B's id never reaches organization A's data.
func testCrossTenantReads(t *testing.T, f *fixture) {
	a, b := newTenantA(f), f.org().ID
	notFound := map[string]func() error{
		"GetMember":            func() error { _, err := f.s.GetMember(f.ctx, b, a.member.ID); return err },
		"GetMemberByUser":      func() error { _, err := f.s.GetMemberByUser(f.ctx, b, a.user.ID); return err },
		"GetMemberByEmail":     func() error { _, err := f.s.GetMemberByEmail(f.ctx, b, a.user.Email); return err },
		"GetClient":            func() error { _, err := f.s.GetClient(f.ctx, b, a.client.ID); return err },
		"GetPendingInvitation": func() error { _, err := f.s.GetPendingInvitation(f.ctx, b, a.member.ID); return err },
	}
	for name, read := range notFound {
		wantErr(t, name+" with another organization's id", read(), roster.ErrNotFound)
	}

	subject := &roster.AuditSubject{User: a.user.ID, Member: a.member.ID}
	for name, list := range map[string]func() (int, error){
		"ListMembers": func() (int, error) { ms, err := f.s.ListMembers(f.ctx, b, roster.MemberFilter{}); return len(ms), err },
		"ListMembers OnlyID": func() (int, error) {
			ms, err := f.s.ListMembers(f.ctx, b, roster.MemberFilter{OnlyID: a.member.ID})
			return len(ms), err
		},
		"ListMembers Query": func() (int, error) {
			ms, err := f.s.ListMembers(f.ctx, b, roster.MemberFilter{Query: "a@"})
			return len(ms), err
		},
		"ListClients": func() (int, error) { cs, err := f.s.ListClients(f.ctx, b, roster.ClientFilter{}); return len(cs), err },
		"ListClients IDs": func() (int, error) {
			cs, err := f.s.ListClients(f.ctx, b, roster.ClientFilter{IDs: []roster.ClientID{a.client.ID}})
			return len(cs), err
		},
		"ListAudit": func() (int, error) { es, err := f.s.ListAudit(f.ctx, b, roster.AuditFilter{}); return len(es), err },
		"ListAudit Subject": func() (int, error) {
			es, err := f.s.ListAudit(f.ctx, b, roster.AuditFilter{Subject: subject})
			return len(es), err
		},
		"ListAudit Actor": func() (int, error) {
			es, err := f.s.ListAudit(f.ctx, b, roster.AuditFilter{Actor: a.user.ID})
			return len(es), err
		},
		"CountSeats": func() (int, error) {
			seats, agents, err := f.s.CountSeats(f.ctx, b, Base)
			return seats + agents, err
		},
		"LoadOrgAccess": func() (int, error) {
			acc, err := f.s.LoadOrgAccess(f.ctx, b)
			return len(acc.Members) + len(acc.Clients), err
		},
	} {
		n, err := list()
		if err != nil || n != 0 {
			t.Errorf("%s with another organization's id: got %d records (%v), want none", name, n, err)
		}
	}
}

func testCrossTenantWrites(t *testing.T, f *fixture) {
	a, b := newTenantA(f), f.org().ID
	before := snapshot(t, f, a.org)
	m := a.member
	m.OrgID, m.Role, m.Status, m.Clients = b, "admin", roster.StatusRevoked, []roster.ClientID{}
	c := a.client
	c.OrgID, c.Name, c.Status = b, "stolen", roster.ClientArchived
	for name, write := range map[string]func(tx roster.Tx) error{
		"UpdateMember": func(tx roster.Tx) error { return tx.UpdateMember(f.ctx, m) },
		"DeleteMember": func(tx roster.Tx) error { return tx.DeleteMember(f.ctx, b, a.member.ID) },
		"TouchMember":  func(tx roster.Tx) error { return tx.TouchMember(f.ctx, b, a.member.ID, at(time.Hour)) },
		"UpdateClient": func(tx roster.Tx) error { return tx.UpdateClient(f.ctx, c) },
	} {
		wantErr(t, name+" with another organization's id", f.try(write), roster.ErrNotFound)
	}
	check(t, "organization A after writes with B's id", snapshot(t, f, a.org), before)
}
