package apitest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/roster-dev/roster/client"
)

// R3/R5, docs/security.md reliability R3: one invitation redeemed by 20 clients
// at once gives exactly one membership.
func TestConcurrentAcceptSameToken(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	for trial := 0; trial < 5; trial++ {
		email := fmt.Sprintf("race%d@example.com", trial)
		invite(t, e, a.Token, a.OrgID, "bookkeeper", email)
		tok := e.LastToken(email, "invite")
		statuses := make([]int, 20)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Go(func() {
				_, err := e.api("").AcceptInvitation(bg, client.AcceptRequest{Token: tok, Password: Password, FirstName: "R", LastName: "Ace"})
				statuses[i] = client.StatusOf(err)
				if err == nil {
					statuses[i] = 200
				}
			})
		}
		wg.Wait()
		ok := 0
		for _, s := range statuses {
			switch s {
			case 200:
				ok++
			case 410, 409, 401:
			default:
				t.Fatalf("trial %d: unexpected status %d", trial, s)
			}
		}
		if ok != 1 {
			t.Fatalf("trial %d: %d acceptances succeeded, want exactly 1 (%v)", trial, ok, statuses)
		}
	}
	page := must(e.api(a.Token).ListMembers(bg, a.OrgID, client.MemberQuery{Statuses: []string{client.StatusActive}, Limit: 200}))(t)
	if len(page.Members) != 6 {
		t.Fatalf("active members: got %d, want 6", len(page.Members))
	}
}

// R3 under concurrency: many goroutines inviting overlapping addresses
// create each address once.
func TestConcurrentInvitesSameAddresses(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	var wg sync.WaitGroup
	var mu sync.Mutex
	invited := map[string]int{}
	for i := 0; i < 16; i++ {
		wg.Go(func() {
			emails := []string{"shared1@example.com", "SHARED2@example.com", fmt.Sprintf("own%d@example.com", i)}
			results, err := e.api(a.Token).Invite(bg, a.OrgID, client.InviteRequest{Emails: emails})
			if err != nil {
				t.Errorf("invite: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, res := range results {
				if res.Status == "invited" {
					invited[res.Email]++
				}
			}
		})
	}
	wg.Wait()
	if invited["shared1@example.com"] != 1 || invited["SHARED2@example.com"] != 1 {
		t.Fatalf("shared addresses invited %d and %d times, want once each", invited["shared1@example.com"], invited["SHARED2@example.com"])
	}
	page := must(e.api(a.Token).ListMembers(bg, a.OrgID, client.MemberQuery{Statuses: []string{client.StatusInvited}, Limit: 200}))(t)
	if len(page.Members) != 18 {
		t.Fatalf("invited members: got %d, want 18", len(page.Members))
	}
}

// R8/R12 under concurrency: role changes and revocations aimed at the owner
// and at one member from several admins never lose the owner, and the last
// committed role is what checks answer (no lost update between the store
// and the index).
func TestConcurrentRoleChangesAndRevokes(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	admins := []joined{addMember(t, e, a, "practice_admin", "ad1@example.com"), addMember(t, e, a, "practice_admin", "ad2@example.com")}
	target := addMember(t, e, a, "bookkeeper", "target@example.com")
	roles := []string{"bookkeeper", "view_only", "client", "client_manager"}
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Go(func() {
			ad := e.api(admins[i%2].Token)
			switch i % 4 {
			case 0:
				if _, err := ad.UpdateMember(bg, a.OrgID, a.MemberID, client.UpdateMemberRequest{Role: client.Ptr("client")}); client.StatusOf(err) != 409 {
					t.Errorf("owner role change: got %v, want 409", err)
				}
			case 1:
				if _, err := ad.Revoke(bg, a.OrgID, a.MemberID); client.StatusOf(err) != 409 {
					t.Errorf("owner revoke: got %v, want 409", err)
				}
			default:
				_, _ = ad.UpdateMember(bg, a.OrgID, target.MemberID, client.UpdateMemberRequest{Role: &roles[i%len(roles)]})
			}
		})
	}
	wg.Wait()
	owner := getMember(t, e, a.Token, a.OrgID, a.MemberID)
	if !owner.IsOwner || owner.Status != "active" || owner.Role != "practice_admin" {
		t.Fatalf("owner after the storm: %+v", owner)
	}
	m := getMember(t, e, a.Token, a.OrgID, target.MemberID)
	d := check(t, e, a.OrgID, target.UserID, "users.manage", "")
	if d.Allowed != (m.Role == "client_manager") {
		t.Fatalf("index disagrees with the store: role %s, check %+v", m.Role, d)
	}
}
