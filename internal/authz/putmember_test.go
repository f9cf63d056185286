package authz_test

import (
	"fmt"
	"testing"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/roster"
)

// PutMember (one membership replaced) answers every check as a full rebuild
// of the changed organization does: for each member of the fixture, each
// change of role, status, mode and clients.
func TestPutMemberAgreesWithRebuild(t *testing.T) {
	m := practiceModel(t)
	perms := append(practicePermissions, "unknown.permission")
	clients := []roster.ClientID{c1, c2, c3, cNone, ""}
	changes := []func(*roster.MemberAccess){
		func(a *roster.MemberAccess) { a.Role = "client" },
		func(a *roster.MemberAccess) { a.Role = "auditor" }, // custom
		func(a *roster.MemberAccess) { a.Role = "practice_admin" },
		func(a *roster.MemberAccess) { a.Status = roster.StatusRevoked },
		func(a *roster.MemberAccess) { a.Status = roster.StatusActive },
		func(a *roster.MemberAccess) { a.ClientMode, a.Clients = roster.AccessSpecific, []roster.ClientID{c2} },
		func(a *roster.MemberAccess) { a.ClientMode, a.Clients = roster.AccessAll, nil },
	}
	base := fixture()
	for i, member := range base.Members {
		if member.UserID == "" {
			continue
		}
		for j, change := range changes {
			changed := member
			change(&changed)
			patched := authz.New(m)
			patched.Put(base)
			if !patched.PutMember(base.OrgID, base.Revision, base.Revision+1, changed) {
				t.Fatalf("member %d change %d: PutMember = false", i, j)
			}
			want := fixture()
			want.Revision++
			want.Members[i] = changed
			rebuilt := authz.New(m)
			rebuilt.Put(want)
			for _, u := range base.Members {
				for _, p := range perms {
					for _, c := range clients {
						got, gr := patched.Decide(base.OrgID, u.UserID, p, c)
						exp, er := rebuilt.Decide(base.OrgID, u.UserID, p, c)
						if got != exp || gr != er {
							t.Fatalf("member %s change %d: %s %s %s: PutMember says %v %s, rebuild %v %s", member.UserID, j, u.UserID, p, c, got, gr, exp, er)
						}
					}
				}
			}
			if rev, _ := patched.Revision(base.OrgID); rev != base.Revision+1 {
				t.Fatalf("revision after PutMember: %d", rev)
			}
		}
	}
}

// PutMember installs nothing unless the installed snapshot is the one the
// change started from and the member is in it; the snapshot it replaced is
// left as it was for readers holding it.
func TestPutMemberRefusals(t *testing.T) {
	x := newFixture(t)
	admin := active("u_admin", "client", roster.AccessSpecific)
	for name, ok := range map[string]bool{
		"a revision gap":        x.PutMember(org, revBase+1, revBase+2, admin),
		"going back":            x.PutMember(org, revBase, revBase, admin),
		"an unknown org":        x.PutMember("org_nothere", revBase, revBase+1, admin),
		"a user not indexed":    x.PutMember(org, revBase, revBase+1, active("u_new", "client", roster.AccessSpecific)),
		"another member's user": x.PutMember(org, revBase, revBase+1, roster.MemberAccess{MemberID: "mem_other", UserID: "u_admin", Role: "client", Status: roster.StatusActive}),
	} {
		if ok {
			t.Errorf("PutMember with %s = true, want false", name)
		}
	}
	if ok, _ := x.Decide(org, "u_admin", "users.manage", ""); !ok {
		t.Fatal("a refused PutMember changed the index")
	}
	if !x.PutMember(org, revBase, revBase+1, admin) {
		t.Fatal("PutMember from the installed revision = false")
	}
	if ok, _ := x.Decide(org, "u_admin", "users.manage", ""); ok {
		t.Fatal("after PutMember the admin-turned-client still manages users")
	}
}

// BenchmarkPutMemberLargeOrg is the index's part of a role change in an
// organization of 10,000 members (PutMember), beside a full rebuild (Put).
//
//	go test -run xxx -bench LargeOrg -benchmem ./internal/authz/
func BenchmarkPutMemberLargeOrg(b *testing.B) {
	m := practiceModel(b)
	a := roster.OrgAccess{OrgID: org, Revision: 1}
	for i := range 200 {
		a.Clients = append(a.Clients, roster.ClientID(fmt.Sprintf("cli_%03d", i)))
	}
	roles := []string{"practice_admin", "client_manager", "bookkeeper", "view_only", "client"}
	for i := range 10000 {
		ma := active(fmt.Sprintf("u_%05d", i), roles[i%len(roles)], roster.AccessAll)
		if ma.Role == "client" {
			ma.ClientMode, ma.Clients = roster.AccessSpecific, a.Clients[i%190:i%190+10]
		}
		a.Members = append(a.Members, ma)
	}
	b.Run("PutMember", func(b *testing.B) {
		x := authz.New(m)
		x.Put(a)
		changed := a.Members[2]
		for i := range b.N {
			changed.Role = roles[2+i%2]
			if !x.PutMember(org, int64(1+i), int64(2+i), changed) {
				b.Fatal("PutMember = false")
			}
		}
	})
	b.Run("Put", func(b *testing.B) {
		x := authz.New(m)
		for i := range b.N {
			a.Revision = int64(2 + i)
			x.Put(a)
		}
	})
}
