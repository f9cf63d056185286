package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlcore"
)

// ClaimEmails takes due emails in one immediate transaction and hides them
// for the lease. (Enqueuing, marking and counting are internal/sqlcore's.)
func (s *Store) ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]roster.Email, error) {
	out := []roster.Email{}
	if limit <= 0 {
		return out, nil
	}
	err := s.withTx(ctx, func(q *sqlcore.Queries) error {
		rows, err := q.Query(ctx, `SELECT id, recipient, subject, body, kind, created_at, attempts FROM outbox
			WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY created_at, id LIMIT ?`, sqlcore.TS(now), limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e roster.Email
			var created int64
			if err := rows.Scan(&e.ID, &e.To, &e.Subject, &e.Body, &e.Kind, &created, &e.Attempts); err != nil {
				_ = rows.Close()
				return err
			}
			e.CreatedAt, e.Attempts = sqlcore.FromTS(created), e.Attempts+1
			out = append(out, e)
		}
		_ = rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range out {
			if _, err := q.Exec(ctx, `UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?`, e.Attempts, sqlcore.TS(now.Add(lease)), e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim emails: %w", err)
	}
	return out, nil
}
