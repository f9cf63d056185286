package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

const auditColumns = `id, org_id, actor_user_id, actor_email, action, target_type, target_id, member_id, before, after, ip, request_id, time`

func (d *queries) AppendAudit(ctx context.Context, e roster.AuditEvent) error {
	return d.insert(ctx, "audit event", `INSERT INTO audit_events (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.ID, e.OrgID, e.ActorUserID, e.ActorEmail, e.Action, e.TargetType, e.TargetID, e.MemberID,
		string(jsonOrEmpty(e.Before)), string(jsonOrEmpty(e.After)), e.IP, e.RequestID, ts(e.Time))
}

func jsonOrEmpty(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

// ListAudit lists newest first: by time, and among events of the same time
// (one transaction's, stamped with one clock reading) the last appended
// first, by the seq column. A Before cursor's ID locates its event inside
// such a tie; an unknown ID cuts at the cursor's time.
func (d *queries) ListAudit(ctx context.Context, org roster.OrgID, f roster.AuditFilter) ([]roster.AuditEvent, error) {
	var a args
	where := []string{"org_id = " + a.add(org)}
	if f.Actor != "" {
		where = append(where, "actor_user_id = "+a.add(f.Actor))
	}
	if f.Action != "" {
		where = append(where, "action = "+a.add(f.Action))
	}
	if f.Subject != nil {
		u, m := a.add(string(f.Subject.User)), a.add(string(f.Subject.Member))
		quoted := a.add(`"` + string(f.Subject.Member) + `"`) // the member named in before/after (R18)
		where = append(where, "(("+u+" <> '' AND actor_user_id = "+u+") OR ("+m+" <> '' AND (member_id = "+m+
			" OR strpos(before, "+quoted+") > 0 OR strpos(after, "+quoted+") > 0)))")
	}
	if f.Before != nil {
		t, id := a.add(ts(f.Before.Time)), a.add(f.Before.ID)
		where = append(where, "(time < "+t+" OR (time = "+t+" AND seq < (SELECT seq FROM audit_events WHERE id = "+id+")))")
	}
	query := `SELECT ` + auditColumns + ` FROM audit_events WHERE ` + strings.Join(where, " AND ") + ` ORDER BY time DESC, seq DESC`
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return collect(ctx, d.q, "audit", scanEvent, query, a...)
}

func scanEvent(row scanner) (roster.AuditEvent, error) {
	var e roster.AuditEvent
	var before, after string
	var t int64
	err := row.Scan(&e.ID, &e.OrgID, &e.ActorUserID, &e.ActorEmail, &e.Action, &e.TargetType, &e.TargetID, &e.MemberID,
		&before, &after, &e.IP, &e.RequestID, &t)
	e.Before, e.After, e.Time = []byte(before), []byte(after), fromTS(t)
	return e, err
}
