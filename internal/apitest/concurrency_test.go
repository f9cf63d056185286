package apitest

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// R3/R5, docs/security.md reliability R3: one invitation redeemed by 20 clients
// at once gives exactly one membership.
func TestConcurrentAcceptSameToken(t *testing.T) {
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
				r := e.Do("POST", "/api/v1/invitations/accept", "", map[string]any{"token": tok, "password": Password, "first_name": "R", "last_name": "Ace"})
				statuses[i] = r.Status
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
	var page struct{ Members []member }
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?status=active&limit=200", a.Token, nil).JSON(t, &page)
	if len(page.Members) != 6 {
		t.Fatalf("active members: got %d, want 6", len(page.Members))
	}
}

// R3 under concurrency: many goroutines inviting overlapping addresses
// create each address once.
func TestConcurrentInvitesSameAddresses(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	var wg sync.WaitGroup
	var mu sync.Mutex
	invited := map[string]int{}
	for i := 0; i < 16; i++ {
		wg.Go(func() {
			emails := []string{"shared1@example.com", "SHARED2@example.com", fmt.Sprintf("own%d@example.com", i)}
			r := e.Do("POST", org(a.OrgID)+"/invitations", a.Token, map[string]any{"emails": emails})
			if r.Status != 200 {
				t.Errorf("invite: got %d %s", r.Status, r.Body)
				return
			}
			var b struct{ Results []inviteResult }
			r.JSON(t, &b)
			mu.Lock()
			defer mu.Unlock()
			for _, res := range b.Results {
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
	var page struct{ Members []member }
	e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members?status=invited&limit=200", a.Token, nil).JSON(t, &page)
	if len(page.Members) != 18 {
		t.Fatalf("invited members: got %d, want 18", len(page.Members))
	}
}

// R8/R12 under concurrency: role changes and revocations aimed at the owner
// and at one member from several admins never lose the owner, and the last
// committed role is what checks answer (no lost update between the store
// and the index).
func TestConcurrentRoleChangesAndRevokes(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	admins := []joined{addMember(t, e, a, "practice_admin", "ad1@example.com"), addMember(t, e, a, "practice_admin", "ad2@example.com")}
	target := addMember(t, e, a, "bookkeeper", "target@example.com")
	roles := []string{"bookkeeper", "view_only", "client", "client_manager"}
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Go(func() {
			ad := admins[i%2]
			switch i % 4 {
			case 0:
				if r := e.Do("PATCH", org(a.OrgID)+"/members/"+a.MemberID, ad.Token, map[string]any{"role": "client"}); r.Status != 409 {
					t.Errorf("owner role change: got %d, want 409", r.Status)
				}
			case 1:
				if r := e.Do("POST", org(a.OrgID)+"/members/"+a.MemberID+"/revoke", ad.Token, nil); r.Status != 409 {
					t.Errorf("owner revoke: got %d, want 409", r.Status)
				}
			default:
				e.Do("PATCH", org(a.OrgID)+"/members/"+target.MemberID, ad.Token, map[string]any{"role": roles[i%len(roles)]})
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
