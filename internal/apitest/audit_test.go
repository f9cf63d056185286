package apitest

import (
	"net/http"
	"testing"
)

type event struct {
	ID    string `json:"id"`
	Actor struct {
		UserID *string `json:"user_id"`
		Email  string  `json:"email"`
	} `json:"actor"`
	Action string `json:"action"`
	Target struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"target"`
	Before map[string]any `json:"before"`
	After  map[string]any `json:"after"`
}

func auditOf(t *testing.T, e *Env, token, orgID, query string) []event {
	t.Helper()
	var b struct{ Events []event }
	e.Must(http.StatusOK, "GET", org(orgID)+"/audit"+query, token, nil).JSON(t, &b)
	return b.Events
}

// R18: every change writes one audit event with before and after; a member's
// profile shows the events they made and the events about them.
func TestR18AuditEvents(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	e.Must(http.StatusOK, "PATCH", org(a.OrgID)+"/members/"+bk.MemberID, a.Token, map[string]any{"role": "view_only"})

	evs := auditOf(t, e, a.Token, a.OrgID, "?action=member.role_changed")
	if len(evs) != 1 {
		t.Fatalf("role change events: got %d, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Before["role"] != "bookkeeper" || ev.After["role"] != "view_only" || ev.Target.ID != bk.MemberID || ev.Actor.Email != "owner@example.com" {
		t.Fatalf("event: got %+v", ev)
	}
	// A refused change writes nothing.
	e.Do("PATCH", org(a.OrgID)+"/members/"+a.MemberID, bk.Token, map[string]any{"role": "client"})
	if n := len(auditOf(t, e, a.Token, a.OrgID, "?action=member.role_changed")); n != 1 {
		t.Fatalf("after a refused change: got %d events, want 1", n)
	}
	// Newest first.
	all := auditOf(t, e, a.Token, a.OrgID, "")
	if len(all) < 4 || all[0].Action != "member.role_changed" || all[len(all)-1].Action != "organization.created" {
		t.Fatalf("order: got %v ... %v", all[0].Action, all[len(all)-1].Action)
	}
	// The bookkeeper (no users.manage) sees only its own activity.
	own := auditOf(t, e, bk.Token, a.OrgID, "")
	for _, ev := range own {
		mine := ev.Target.ID == bk.MemberID || (ev.Actor.UserID != nil && *ev.Actor.UserID == bk.UserID)
		if !mine {
			t.Fatalf("bookkeeper sees another's event %+v", ev)
		}
	}
	if len(own) < 3 { // invited, joined, role changed
		t.Fatalf("bookkeeper's activity: got %d events, want at least 3", len(own))
	}
	// A manager reads one member's activity.
	if got := auditOf(t, e, a.Token, a.OrgID, "?member_id="+bk.MemberID); len(got) != len(own) {
		t.Fatalf("member activity for the manager: got %d, want %d", len(got), len(own))
	}
}
