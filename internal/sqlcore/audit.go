package sqlcore

import (
	"context"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

const auditColumns = `id, org_id, actor_user_id, actor_email, action, target_type, target_id, member_id, before, after, ip, request_id, time`

func (q *Queries) AppendAudit(ctx context.Context, e roster.AuditEvent) error {
	return q.insert(ctx, "audit event", `INSERT INTO audit_events (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.OrgID, e.ActorUserID, e.ActorEmail, e.Action, e.TargetType, e.TargetID, e.MemberID,
		string(jsonOrEmpty(e.Before)), string(jsonOrEmpty(e.After)), e.IP, e.RequestID, TS(e.Time))
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
func (q *Queries) ListAudit(ctx context.Context, org roster.OrgID, f roster.AuditFilter) ([]roster.AuditEvent, error) {
	where := []string{"org_id = ?"}
	args := []any{org}
	if f.Actor != "" {
		where = append(where, "actor_user_id = ?")
		args = append(args, f.Actor)
	}
	if f.Action != "" {
		where = append(where, "action = ?")
		args = append(args, f.Action)
	}
	if f.Subject != nil {
		// The member's own events, and those naming it in before/after (R18).
		pos := q.d.StrPos
		where = append(where, "((? <> '' AND actor_user_id = ?) OR (? <> '' AND (member_id = ? OR "+pos+"(before, ?) > 0 OR "+pos+"(after, ?) > 0)))")
		user, member := string(f.Subject.User), string(f.Subject.Member)
		quoted := `"` + member + `"`
		args = append(args, user, user, member, member, quoted, quoted)
	}
	if f.Before != nil {
		where = append(where, "(time < ? OR (time = ? AND seq < (SELECT seq FROM audit_events WHERE id = ?)))")
		args = append(args, TS(f.Before.Time), TS(f.Before.Time), f.Before.ID)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_events WHERE ` + strings.Join(where, " AND ") + ` ORDER BY time DESC, seq DESC` + limit(f.Limit)
	return Collect(ctx, q, "audit", scanEvent, query, args...)
}

func scanEvent(row Scanner) (roster.AuditEvent, error) {
	var e roster.AuditEvent
	var before, after string
	var t int64
	err := row.Scan(&e.ID, &e.OrgID, &e.ActorUserID, &e.ActorEmail, &e.Action, &e.TargetType, &e.TargetID, &e.MemberID,
		&before, &after, &e.IP, &e.RequestID, &t)
	e.Before, e.After, e.Time = []byte(before), []byte(after), FromTS(t)
	return e, err
}
