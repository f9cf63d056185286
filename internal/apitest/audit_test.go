package apitest

import (
	"bytes"
	"testing"

	"github.com/roster-dev/roster/client"
)

// event is an audit event with its before and after decoded.
type event struct {
	client.Event
	Before, After map[string]any
}

func auditOf(t *testing.T, e *Env, token, orgID string, q client.AuditQuery) []event {
	t.Helper()
	var out []event
	for _, ev := range must(e.api(token).ListAudit(bg, orgID, q))(t).Events {
		x := event{Event: ev}
		for _, f := range []struct {
			raw  []byte
			into *map[string]any
		}{{ev.Before, &x.Before}, {ev.After, &x.After}} {
			if len(f.raw) > 0 {
				if err := jsonDecode(bytes.NewReader(f.raw), f.into); err != nil {
					t.Fatalf("event %s: %v", ev.ID, err)
				}
			}
		}
		out = append(out, x)
	}
	return out
}

// R18: every change writes one audit event with before and after; a member's
// profile shows the events they made and the events about them.
func TestR18AuditEvents(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	must(e.api(a.Token).UpdateMember(bg, a.OrgID, bk.MemberID, client.UpdateMemberRequest{Role: client.Ptr("view_only")}))(t)

	evs := auditOf(t, e, a.Token, a.OrgID, client.AuditQuery{Action: "member.role_changed"})
	if len(evs) != 1 {
		t.Fatalf("role change events: got %d, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Before["role"] != "bookkeeper" || ev.After["role"] != "view_only" || ev.Target.ID != bk.MemberID || ev.Actor.Email != "owner@example.com" {
		t.Fatalf("event: got %+v", ev)
	}
	// A refused change writes nothing.
	if _, err := e.api(bk.Token).UpdateMember(bg, a.OrgID, a.MemberID, client.UpdateMemberRequest{Role: client.Ptr("client")}); err == nil {
		t.Fatal("a bookkeeper changed the owner's role")
	}
	if n := len(auditOf(t, e, a.Token, a.OrgID, client.AuditQuery{Action: "member.role_changed"})); n != 1 {
		t.Fatalf("after a refused change: got %d events, want 1", n)
	}
	// Newest first.
	all := auditOf(t, e, a.Token, a.OrgID, client.AuditQuery{})
	if len(all) < 4 || all[0].Action != "member.role_changed" || all[len(all)-1].Action != "organization.created" {
		t.Fatalf("order: got %v ... %v", all[0].Action, all[len(all)-1].Action)
	}
	// The bookkeeper (no users.manage) sees only its own activity.
	own := auditOf(t, e, bk.Token, a.OrgID, client.AuditQuery{})
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
	if got := auditOf(t, e, a.Token, a.OrgID, client.AuditQuery{MemberID: bk.MemberID}); len(got) != len(own) {
		t.Fatalf("member activity for the manager: got %d, want %d", len(got), len(own))
	}
}
