package apitest

import (
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// R13: only the owner transfers ownership, to an active member, who gets the
// owner role; the previous owner keeps the role and stops being owner.
func TestR13OwnershipTransfer(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	ro := addMember(t, e, a, "read_only", "ro@example.com")
	pending := invite(t, e, a.Token, a.OrgID, "read_only", "pending@example.com")

	transfer := func(token, member string) *Resp {
		return e.Do("POST", org(a.OrgID)+"/transfer-ownership", token, map[string]any{"member_id": member})
	}
	if r := transfer(ro.Token, a.MemberID); r.Status != 403 {
		t.Fatalf("a non-owner transferring: got %d, want 403", r.Status)
	}
	if r := transfer(a.Token, pending[0].MemberID); r.Status != 409 || r.ErrorCode() != "not_active" {
		t.Fatalf("to an invited member: got %d %s, want 409 not_active", r.Status, r.Body)
	}
	if r := transfer(a.Token, "mem_nothere"); r.Status != 404 {
		t.Fatalf("to an unknown member: got %d, want 404", r.Status)
	}
	o := transfer(a.Token, ro.MemberID).M(t)
	if r := transfer(a.Token, ro.MemberID); r.Status != 403 {
		t.Fatalf("the previous owner transferring again: got %d, want 403", r.Status)
	}
	if o["owner_member_id"] != ro.MemberID {
		t.Fatalf("owner: got %v, want %s", o["owner_member_id"], ro.MemberID)
	}
	newOwner := getMember(t, e, a.Token, a.OrgID, ro.MemberID)
	oldOwner := getMember(t, e, a.Token, a.OrgID, a.MemberID)
	if !newOwner.IsOwner || newOwner.Role != "admin" || oldOwner.IsOwner || oldOwner.Role != "admin" {
		t.Fatalf("after transfer: new %+v, old %+v", newOwner, oldOwner)
	}
	var told bool
	for _, em := range e.Emails() {
		told = told || (strings.Contains(em.To, "ro@example.com") && strings.Contains(em.Subject, "owner"))
	}
	if !told {
		t.Fatal("the new owner got no email")
	}
	// The new owner is protected; the old one no longer is.
	if r := e.Do("POST", org(a.OrgID)+"/members/"+ro.MemberID+"/revoke", a.Token, nil); r.Status != 409 || r.ErrorCode() != "owner_protected" {
		t.Fatalf("revoking the new owner: got %d %s", r.Status, r.Body)
	}
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+a.MemberID+"/revoke", ro.Token, nil)

	acc := New(t, "accounts")
	p := acc.Signup("primary@example.com", "Org")
	if r := acc.Do("POST", org(p.OrgID)+"/transfer-ownership", p.Token, map[string]any{"member_id": p.MemberID}); r.Status != 404 {
		t.Fatalf("accounts preset: got %d, want 404 (the primary user is fixed)", r.Status)
	}
}

// R14: one billing contact of any role, moved by the owner, or by the
// billing contact when its role is admin-level.
func TestR14BillingContact(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	ro := addMember(t, e, a, "read_only", "ro@example.com")
	ad := addMember(t, e, a, "admin", "ad@example.com")
	move := func(token, member string) *Resp {
		return e.Do("POST", org(a.OrgID)+"/billing-contact", token, map[string]any{"member_id": member})
	}
	if r := move(ad.Token, ad.MemberID); r.Status != 403 {
		t.Fatalf("an admin who is not the contact: got %d, want 403", r.Status)
	}
	if o := move(a.Token, ro.MemberID).M(t); o["billing_contact_member_id"] != ro.MemberID {
		t.Fatalf("owner moves it to a read-only member: got %v", o["billing_contact_member_id"])
	}
	if r := move(ro.Token, ad.MemberID); r.Status != 403 {
		t.Fatalf("a read-only billing contact moving it: got %d, want 403", r.Status)
	}
	move(a.Token, ad.MemberID)
	if o := move(ad.Token, a.MemberID).M(t); o["billing_contact_member_id"] != a.MemberID {
		t.Fatalf("an admin-level billing contact moves it: got %v", o["billing_contact_member_id"])
	}
	if m := getMember(t, e, a.Token, a.OrgID, a.MemberID); !m.IsOwner {
		t.Fatalf("owner flag: %+v", m)
	}
	e.Must(http.StatusOK, "POST", org(a.OrgID)+"/members/"+ro.MemberID+"/revoke", a.Token, nil)
	if r := move(a.Token, ro.MemberID); r.Status != 409 || r.ErrorCode() != "not_active" {
		t.Fatalf("to a revoked member: got %d %s, want 409 not_active", r.Status, r.Body)
	}
	pr := New(t, "practice")
	p := pr.Signup("p@example.com", "Org")
	if r := pr.Do("POST", org(p.OrgID)+"/billing-contact", p.Token, map[string]any{"member_id": p.MemberID}); r.Status != 404 {
		t.Fatalf("practice has no billing contact: got %d, want 404", r.Status)
	}
}

// docs/security.md reliability R1: concurrent transfers, revokes and role changes
// aimed at the owner and the targets always leave exactly one active owner
// with the owner role, and one active billing contact.
func TestOneOwnerUnderConcurrency(t *testing.T) {
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	b := addMember(t, e, a, "admin", "b@example.com")
	c := addMember(t, e, a, "read_only", "c@example.com")
	people := []struct{ token, member string }{{a.Token, a.MemberID}, {b.Token, b.MemberID}, {c.Token, c.MemberID}}
	rounds := 10
	if os.Getenv("ROSTER_SOAK") != "" {
		rounds = 300 // docs/security.md reliability test R1: 300 trials
	}
	for round := 0; round < rounds; round++ {
		var wg sync.WaitGroup
		statuses := make([]int, 12)
		for i := range statuses {
			wg.Go(func() {
				actor, target := people[i%3], people[(i+1+round)%3]
				var r *Resp
				switch i % 4 {
				case 0:
					r = e.Do("POST", org(a.OrgID)+"/transfer-ownership", actor.token, map[string]any{"member_id": target.member})
				case 1:
					r = e.Do("POST", org(a.OrgID)+"/billing-contact", actor.token, map[string]any{"member_id": target.member})
				case 2:
					r = e.Do("POST", org(a.OrgID)+"/members/"+target.member+"/revoke", actor.token, nil)
				default:
					r = e.Do("PATCH", org(a.OrgID)+"/members/"+target.member, actor.token, map[string]any{"role": "read_only"})
				}
				statuses[i] = r.Status
			})
		}
		wg.Wait()
		for i, s := range statuses {
			// Refusals are the rules' own (403, 404 once revoked, 409, 422 for
			// a transfer to oneself), never a failure of the guard.
			if s != 200 && s != 403 && s != 404 && s != 409 && s != 422 {
				t.Fatalf("round %d, call %d: status %d", round, i, s)
			}
		}
		var list struct{ Members []member }
		e.Must(http.StatusOK, "GET", org(a.OrgID)+"/members", OperatorToken, nil).JSON(t, &list)
		o := e.Must(http.StatusOK, "GET", org(a.OrgID), OperatorToken, nil).M(t)
		owners := 0
		for _, m := range list.Members {
			if m.IsOwner {
				owners++
				if m.Status != "active" || m.Role != "admin" {
					t.Fatalf("round %d: the owner is %s with role %s", round, m.Status, m.Role)
				}
			}
			if m.ID == o["billing_contact_member_id"] && m.Status != "active" {
				t.Fatalf("round %d: the billing contact is %s", round, m.Status)
			}
		}
		if owners != 1 {
			t.Fatalf("round %d: %d owners", round, owners)
		}
		// Bring everyone back for the next round.
		for _, p := range people {
			e.Do("POST", org(a.OrgID)+"/members/"+p.member+"/reactivate", o2(t, e, a.OrgID), nil)
		}
	}
}

// o2 returns a token of the current owner, for the clean-up between rounds.
func o2(t *testing.T, e *Env, orgID string) string {
	t.Helper()
	o := e.Must(http.StatusOK, "GET", org(orgID), OperatorToken, nil).M(t)
	var m member
	e.Must(http.StatusOK, "GET", org(orgID)+"/members/"+o["owner_member_id"].(string), OperatorToken, nil).JSON(t, &m)
	return e.Login(m.Email)
}
