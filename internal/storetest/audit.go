package storetest

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var auditCases = []testCase{
	{"AuditRoundTrip", testAuditRoundTrip},
	{"AuditFilters", testAuditFilters},
	{"AuditSubjectNamedInChange", testAuditSubjectNamedInChange},
	{"AuditPaging", testAuditPaging},
	{"AuditIsAppendOnly", testAuditAppendOnly},
}

// event is an audit event of org at when.
func event(org roster.OrgID, when time.Time, action string) roster.AuditEvent {
	return roster.AuditEvent{ID: roster.NewEventID(), OrgID: org, ActorUserID: "usr_actor", ActorEmail: "actor@example.com",
		Action: action, TargetType: "member", TargetID: "mem_target", Before: json.RawMessage(`{"role":"viewer"}`),
		After: json.RawMessage(`{"role":"admin"}`), IP: "192.0.2.1", RequestID: "req-1", Time: when}
}

func testAuditRoundTrip(t *testing.T, f *fixture) {
	o := f.org()
	e := roster.AuditEvent{ID: roster.NewEventID(), OrgID: o.ID, ActorUserID: "usr_a", ActorEmail: "a@example.com",
		Action: "member.access_changed", TargetType: "member", TargetID: "mem_b", MemberID: "mem_b",
		Before: json.RawMessage(`{"clients":["cli_1","cli_2"],"mode":"specific","agent":false}`),
		After:  json.RawMessage(`{"clients":[],"mode":"all","agent":true,"note":"ü \"quoted\""}`),
		IP:     "2001:db8::1", RequestID: "01HZX", Time: Base.In(time.FixedZone("UTC-7", -7*3600))}
	f.write(func(tx roster.Tx) error { return tx.AppendAudit(f.ctx, e) })
	got, err := f.s.ListAudit(f.ctx, o.ID, roster.AuditFilter{})
	noErr(t, "ListAudit", err)
	check(t, "ListAudit", got, []roster.AuditEvent{e})

	err = f.try(func(tx roster.Tx) error { return tx.AppendAudit(f.ctx, e) })
	wantErr(t, "AppendAudit with a taken id", err, roster.ErrConflict)
}

// auditSet is one organization's events for the filter tests.
type auditSet struct {
	org                roster.OrgID
	e1, e2, e3, e4, e5 roster.AuditEvent
	foreign            roster.AuditEvent
}

func newAuditSet(f *fixture) auditSet {
	o, other := f.org(), f.org()
	mk := func(org roster.OrgID, sec int, actor roster.UserID, action string, member roster.MemberID) roster.AuditEvent {
		e := event(org, at(time.Duration(sec)*time.Second), action)
		e.ActorUserID, e.MemberID = actor, member
		return e
	}
	s := auditSet{org: o.ID,
		e1:      mk(o.ID, 1, "usr_1", "member.invited", "mem_2"),
		e2:      mk(o.ID, 2, "usr_2", "member.role_changed", "mem_1"),
		e3:      mk(o.ID, 3, "usr_1", "member.role_changed", "mem_3"),
		e4:      mk(o.ID, 3, "usr_3", "client.created", ""), // same time as e3
		e5:      mk(o.ID, 4, "usr_2", "member.revoked", "mem_2"),
		foreign: mk(other.ID, 5, "usr_1", "member.invited", "mem_2"),
	}
	f.write(func(tx roster.Tx) error {
		for _, e := range []roster.AuditEvent{s.e1, s.e2, s.e3, s.foreign, s.e4, s.e5} {
			if err := tx.AppendAudit(f.ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	return s
}

// checkEvents fails unless got holds exactly want's events, newest first.
// Events of equal time may come in either order.
func checkEvents(t *testing.T, what string, got []roster.AuditEvent, want ...roster.AuditEvent) {
	t.Helper()
	check(t, what, sorted(eventIDs(got)), sorted(eventIDs(want)))
	for i := 1; i < len(got); i++ {
		if got[i].Time.After(got[i-1].Time) {
			t.Errorf("%s: event %s (%v) comes after the older %s (%v), want newest first", what, got[i].ID, got[i].Time, got[i-1].ID, got[i-1].Time)
		}
	}
}

func testAuditFilters(t *testing.T, f *fixture) {
	s := newAuditSet(f)
	subject := func(u roster.UserID, m roster.MemberID) *roster.AuditSubject {
		return &roster.AuditSubject{User: u, Member: m}
	}
	before := func(e roster.AuditEvent) *roster.Cursor { return &roster.Cursor{Time: e.Time, ID: string(e.ID)} }
	tests := []struct {
		name   string
		filter roster.AuditFilter
		want   []roster.AuditEvent
	}{
		{"no filter", roster.AuditFilter{}, []roster.AuditEvent{s.e5, s.e4, s.e3, s.e2, s.e1}},
		{"actor", roster.AuditFilter{Actor: "usr_1"}, []roster.AuditEvent{s.e3, s.e1}},
		{"action", roster.AuditFilter{Action: "member.role_changed"}, []roster.AuditEvent{s.e3, s.e2}},
		{"actor and action", roster.AuditFilter{Actor: "usr_2", Action: "member.revoked"}, []roster.AuditEvent{s.e5}},
		{"subject: only a user", roster.AuditFilter{Subject: subject("usr_1", "")}, []roster.AuditEvent{s.e3, s.e1}},
		{"subject: only a member", roster.AuditFilter{Subject: subject("", "mem_2")}, []roster.AuditEvent{s.e5, s.e1}},
		{"subject: made by or about", roster.AuditFilter{Subject: subject("usr_3", "mem_1")}, []roster.AuditEvent{s.e4, s.e2}},
		{"subject: overlapping", roster.AuditFilter{Subject: subject("usr_1", "mem_2")}, []roster.AuditEvent{s.e5, s.e3, s.e1}},
		{"subject and action", roster.AuditFilter{Subject: subject("usr_1", "mem_2"), Action: "member.invited"}, []roster.AuditEvent{s.e1}},
		{"unknown actor", roster.AuditFilter{Actor: "usr_nobody"}, nil},
		{"limit", roster.AuditFilter{Limit: 1}, []roster.AuditEvent{s.e5}},
		{"before", roster.AuditFilter{Before: before(s.e2)}, []roster.AuditEvent{s.e1}},
		{"before the newest", roster.AuditFilter{Before: before(s.e5)}, []roster.AuditEvent{s.e4, s.e3, s.e2, s.e1}},
		{"before a time between events", roster.AuditFilter{Before: &roster.Cursor{Time: at(3500 * time.Millisecond)}},
			[]roster.AuditEvent{s.e4, s.e3, s.e2, s.e1}},
		{"before, with an actor and a limit", roster.AuditFilter{Before: before(s.e5), Actor: "usr_1", Limit: 1}, []roster.AuditEvent{s.e3}},
	}
	for _, tc := range tests {
		got, err := f.s.ListAudit(f.ctx, s.org, tc.filter)
		if err != nil {
			t.Errorf("ListAudit %s: %v", tc.name, err)
			continue
		}
		checkEvents(t, "ListAudit "+tc.name, got, tc.want...)
	}
}

func testAuditPaging(t *testing.T, f *fixture) {
	s := newAuditSet(f)
	all, err := f.s.ListAudit(f.ctx, s.org, roster.AuditFilter{})
	noErr(t, "ListAudit", err)
	// Ties broken the same way every time: a cursor inside a tie neither
	// repeats nor skips an event.
	for limit := 1; limit <= len(all); limit++ {
		var pages []roster.EventID
		var before *roster.Cursor
		for range len(all) + 1 {
			page, err := f.s.ListAudit(f.ctx, s.org, roster.AuditFilter{Before: before, Limit: limit})
			noErr(t, "ListAudit", err)
			if len(page) == 0 {
				break
			}
			pages = append(pages, eventIDs(page)...)
			last := page[len(page)-1]
			before = &roster.Cursor{Time: last.Time, ID: string(last.ID)}
		}
		check(t, "pages of ListAudit", pages, eventIDs(all))
	}
}

// testAuditAppendOnly is docs/security.md item 30: the database itself refuses
// to change or delete an audit event.
func testAuditAppendOnly(t *testing.T, f *fixture) {
	raw, ok := f.s.(RawExecer)
	if !ok {
		t.Skip("the store does not implement RawExecer")
	}
	o := f.org()
	e := event(o.ID, Base, "member.revoked")
	f.write(func(tx roster.Tx) error { return tx.AppendAudit(f.ctx, e) })
	for _, stmt := range []string{
		`UPDATE audit_events SET action = 'tampered'`,
		`UPDATE audit_events SET time = 0 WHERE action = 'member.revoked'`,
		`DELETE FROM audit_events`,
		`DELETE FROM audit_events WHERE action = 'member.revoked'`,
	} {
		if err := raw.RawExec(f.ctx, stmt); err == nil {
			t.Errorf("RawExec(%q): got nil error, want the database to refuse", stmt)
		}
	}
	got, err := f.s.ListAudit(f.ctx, o.ID, roster.AuditFilter{})
	noErr(t, "ListAudit", err)
	check(t, "audit log after tampering attempts", got, []roster.AuditEvent{e})
	e2 := event(o.ID, at(time.Second), "member.restored") // appending still works
	f.write(func(tx roster.Tx) error { return tx.AppendAudit(f.ctx, e2) })
	got, err = f.s.ListAudit(f.ctx, o.ID, roster.AuditFilter{})
	noErr(t, "ListAudit", err)
	if !slices.Equal(eventIDs(got), []roster.EventID{e2.ID, e.ID}) {
		t.Errorf("ListAudit after another append: got %v, want [%s %s]", eventIDs(got), e2.ID, e.ID)
	}
}

// A member's activity holds the events whose before or after names it (an
// ownership transfer to or from it), and not those naming a longer id that
// starts with its own.
func testAuditSubjectNamedInChange(t *testing.T, f *fixture) {
	o := f.org()
	transfer := event(o.ID, at(time.Second), "organization.ownership_transferred")
	transfer.TargetType, transfer.TargetID = "organization", string(o.ID)
	transfer.Before, transfer.After = []byte(`{"owner_member_id":"mem_1"}`), []byte(`{"owner_member_id":"mem_2"}`)
	longer := event(o.ID, at(2*time.Second), "organization.billing_contact_changed")
	longer.Before, longer.After = []byte(`{"billing_contact_member_id":"mem_10"}`), []byte(`{"billing_contact_member_id":"mem_20"}`)
	f.write(func(tx roster.Tx) error {
		if err := tx.AppendAudit(f.ctx, transfer); err != nil {
			return err
		}
		return tx.AppendAudit(f.ctx, longer)
	})
	for _, tc := range []struct {
		member roster.MemberID
		want   []roster.AuditEvent
	}{{"mem_1", []roster.AuditEvent{transfer}}, {"mem_2", []roster.AuditEvent{transfer}}, {"mem_20", []roster.AuditEvent{longer}}, {"mem_3", nil}} {
		got, err := f.s.ListAudit(f.ctx, o.ID, roster.AuditFilter{Subject: &roster.AuditSubject{Member: tc.member}})
		noErr(t, "ListAudit", err)
		checkEvents(t, "activity of "+string(tc.member), got, tc.want...)
	}
}
