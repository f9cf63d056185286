package apitest

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/roster-dev/roster/client"
)

// R13: only the owner transfers ownership, to an active member, who gets the
// owner role; the previous owner keeps the role and stops being owner.
func TestR13OwnershipTransfer(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	ro := addMember(t, e, a, "read_only", "ro@example.com")
	pending := invite(t, e, a.Token, a.OrgID, "read_only", "pending@example.com")
	owner := e.api(a.Token)

	if _, err := e.api(ro.Token).TransferOwnership(bg, a.OrgID, a.MemberID); client.StatusOf(err) != 403 {
		t.Fatalf("a non-owner transferring: got %v, want 403", err)
	}
	if _, err := owner.TransferOwnership(bg, a.OrgID, pending[0].MemberID); !isErr(err, 409, "not_active") {
		t.Fatalf("to an invited member: got %v, want 409 not_active", err)
	}
	if _, err := owner.TransferOwnership(bg, a.OrgID, "mem_nothere"); client.StatusOf(err) != 404 {
		t.Fatalf("to an unknown member: got %v, want 404", err)
	}
	o := must(owner.TransferOwnership(bg, a.OrgID, ro.MemberID))(t)
	if _, err := owner.TransferOwnership(bg, a.OrgID, ro.MemberID); client.StatusOf(err) != 403 {
		t.Fatalf("the previous owner transferring again: got %v, want 403", err)
	}
	if o.OwnerMemberID != ro.MemberID {
		t.Fatalf("owner: got %v, want %s", o.OwnerMemberID, ro.MemberID)
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
	if _, err := owner.Revoke(bg, a.OrgID, ro.MemberID); !isErr(err, 409, "owner_protected") {
		t.Fatalf("revoking the new owner: got %v", err)
	}
	must(e.api(ro.Token).Revoke(bg, a.OrgID, a.MemberID))(t)

	acc := New(t, "accounts")
	p := acc.Signup("primary@example.com", "Org")
	if _, err := acc.api(p.Token).TransferOwnership(bg, p.OrgID, p.MemberID); client.StatusOf(err) != 404 {
		t.Fatalf("accounts preset: got %v, want 404 (the primary user is fixed)", err)
	}
}

// R14: one billing contact of any role, moved by the owner, or by the
// billing contact when its role is admin-level.
func TestR14BillingContact(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	ro := addMember(t, e, a, "read_only", "ro@example.com")
	ad := addMember(t, e, a, "admin", "ad@example.com")
	move := func(token, member string) (string, error) {
		o, err := e.api(token).SetBillingContact(bg, a.OrgID, member)
		if err != nil || o.BillingContactMemberID == nil {
			return "", err
		}
		return *o.BillingContactMemberID, nil
	}
	if _, err := move(ad.Token, ad.MemberID); client.StatusOf(err) != 403 {
		t.Fatalf("an admin who is not the contact: got %v, want 403", err)
	}
	if got, err := move(a.Token, ro.MemberID); err != nil || got != ro.MemberID {
		t.Fatalf("owner moves it to a read-only member: got %v, %v", got, err)
	}
	if _, err := move(ro.Token, ad.MemberID); client.StatusOf(err) != 403 {
		t.Fatalf("a read-only billing contact moving it: got %v, want 403", err)
	}
	if _, err := move(a.Token, ad.MemberID); err != nil {
		t.Fatal(err)
	}
	if got, err := move(ad.Token, a.MemberID); err != nil || got != a.MemberID {
		t.Fatalf("an admin-level billing contact moves it: got %v, %v", got, err)
	}
	if m := getMember(t, e, a.Token, a.OrgID, a.MemberID); !m.IsOwner {
		t.Fatalf("owner flag: %+v", m)
	}
	must(e.api(a.Token).Revoke(bg, a.OrgID, ro.MemberID))(t)
	if _, err := move(a.Token, ro.MemberID); !isErr(err, 409, "not_active") {
		t.Fatalf("to a revoked member: got %v, want 409 not_active", err)
	}
	pr := New(t, "practice")
	p := pr.Signup("p@example.com", "Org")
	if _, err := pr.api(p.Token).SetBillingContact(bg, p.OrgID, p.MemberID); client.StatusOf(err) != 404 {
		t.Fatalf("practice has no billing contact: got %v, want 404", err)
	}
}

// docs/security.md reliability R1: concurrent transfers, revokes and role changes
// aimed at the owner and the targets always leave exactly one active owner
// with the owner role, and one active billing contact.
func TestOneOwnerUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := New(t, "marketing")
	a := e.Signup("owner@example.com", "Acme")
	b := addMember(t, e, a, "admin", "b@example.com")
	c := addMember(t, e, a, "read_only", "c@example.com")
	people := []struct{ token, member string }{{a.Token, a.MemberID}, {b.Token, b.MemberID}, {c.Token, c.MemberID}}
	op := e.api(OperatorToken)
	rounds := 10
	if os.Getenv("ROSTER_SOAK") != "" {
		rounds = 300 // docs/security.md reliability test R1: 300 trials
	}
	for round := 0; round < rounds; round++ {
		var wg sync.WaitGroup
		errs := make([]error, 12)
		for i := range errs {
			wg.Go(func() {
				actor, target := people[i%3], people[(i+1+round)%3]
				as := e.api(actor.token)
				switch i % 4 {
				case 0:
					_, errs[i] = as.TransferOwnership(bg, a.OrgID, target.member)
				case 1:
					_, errs[i] = as.SetBillingContact(bg, a.OrgID, target.member)
				case 2:
					_, errs[i] = as.Revoke(bg, a.OrgID, target.member)
				default:
					_, errs[i] = as.UpdateMember(bg, a.OrgID, target.member, client.UpdateMemberRequest{Role: client.Ptr("read_only")})
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			// Refusals are the rules' own (403, 404 once revoked, 409, 422 for
			// a transfer to oneself), never a failure of the guard.
			if s := client.StatusOf(err); err != nil && s != 403 && s != 404 && s != 409 && s != 422 {
				t.Fatalf("round %d, call %d: %v", round, i, err)
			}
		}
		list := must(op.ListMembers(bg, a.OrgID, client.MemberQuery{}))(t)
		o := must(op.GetOrganization(bg, a.OrgID))(t)
		owners := 0
		for _, m := range list.Members {
			if m.IsOwner {
				owners++
				if m.Status != "active" || m.Role != "admin" {
					t.Fatalf("round %d: the owner is %s with role %s", round, m.Status, m.Role)
				}
			}
			if o.BillingContactMemberID != nil && m.ID == *o.BillingContactMemberID && m.Status != "active" {
				t.Fatalf("round %d: the billing contact is %s", round, m.Status)
			}
		}
		if owners != 1 {
			t.Fatalf("round %d: %d owners", round, owners)
		}
		// Bring everyone back for the next round.
		back := e.api(o2(t, e, a.OrgID))
		for _, p := range people {
			_, _ = back.Reactivate(bg, a.OrgID, p.member)
		}
	}
}

// o2 returns a token of the current owner, for the clean-up between rounds.
func o2(t *testing.T, e *Env, orgID string) string {
	t.Helper()
	op := e.api(OperatorToken)
	o := must(op.GetOrganization(bg, orgID))(t)
	return e.Login(must(op.GetMember(bg, orgID, o.OwnerMemberID))(t).Email)
}
