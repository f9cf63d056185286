package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

const auditColumns = `id, org_id, actor_user_id, actor_email, action, target_type, target_id, member_id, before, after, ip, request_id, time`

func (d *queries) AppendAudit(ctx context.Context, e roster.AuditEvent) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO audit_events (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.OrgID, e.ActorUserID, e.ActorEmail, e.Action, e.TargetType, e.TargetID, e.MemberID,
		string(jsonOrEmpty(e.Before)), string(jsonOrEmpty(e.After)), e.IP, e.RequestID, ts(e.Time))
	return createErr("audit event", err)
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
		where = append(where, "((? <> '' AND actor_user_id = ?) OR (? <> '' AND (member_id = ? OR instr(before, ?) > 0 OR instr(after, ?) > 0)))")
		quoted := `"` + string(f.Subject.Member) + `"`
		args = append(args, f.Subject.User, f.Subject.User, f.Subject.Member, f.Subject.Member, quoted, quoted)
	}
	if f.Before != nil {
		where = append(where, "(time < ? OR (time = ? AND seq < (SELECT seq FROM audit_events WHERE id = ?)))")
		args = append(args, ts(f.Before.Time), ts(f.Before.Time), f.Before.ID)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_events WHERE ` + strings.Join(where, " AND ") + ` ORDER BY time DESC, seq DESC`
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return collect(ctx, d.q, "audit", scanEvent, query, args...)
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
