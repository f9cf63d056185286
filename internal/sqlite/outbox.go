package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

func (d *queries) EnqueueEmail(ctx context.Context, e roster.Email) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO outbox (id, recipient, subject, body, kind, created_at, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)`,
		e.ID, e.To, e.Subject, e.Body, e.Kind, ts(e.CreatedAt), ts(e.CreatedAt))
	return createErr("email", err)
}

// ClaimEmails takes due emails in one immediate transaction and hides them
// for the lease.
func (s *Store) ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]roster.Email, error) {
	out := []roster.Email{}
	if limit <= 0 {
		return out, nil
	}
	err := s.WithTx(ctx, func(tx roster.Tx) error {
		q := tx.(*queries)
		rows, err := q.q.QueryContext(ctx, `SELECT id, recipient, subject, body, kind, created_at, attempts FROM outbox
			WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY created_at, id LIMIT ?`, ts(now), limit)
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
			e.CreatedAt, e.Attempts = fromTS(created), e.Attempts+1
			out = append(out, e)
		}
		_ = rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, e := range out {
			if _, err := q.q.ExecContext(ctx, `UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?`, e.Attempts, ts(now.Add(lease)), e.ID); err != nil {
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

// MarkEmailSent also empties the body: the links it carried (invitation
// and verification tokens) stay in the database only until delivery.
func (s *Store) MarkEmailSent(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET sent_at = ?, body = '', last_error = '' WHERE id = ?`, ts(at), id)
	return exactlyOne(res, err, "email", id)
}

func (s *Store) MarkEmailFailed(ctx context.Context, id string, retryAt time.Time, errText string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND sent_at IS NULL`, ts(retryAt), errText, id)
	return exactlyOne(res, err, "email", id)
}

func (s *Store) PendingEmails(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("pending emails: %w", err)
	}
	return n, nil
}
