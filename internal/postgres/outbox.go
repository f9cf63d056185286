package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

func (d *queries) EnqueueEmail(ctx context.Context, e roster.Email) error {
	return d.insert(ctx, "email", `INSERT INTO outbox (id, recipient, subject, body, kind, created_at, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, 0, $7)`,
		e.ID, e.To, e.Subject, e.Body, e.Kind, ts(e.CreatedAt), ts(e.CreatedAt))
}

// ClaimEmails takes due emails and hides them for the lease in one
// statement. FOR UPDATE SKIP LOCKED makes concurrent claimers (several
// nodes' senders) pass over the rows another claimer is taking instead of
// waiting for them and then claiming them a second time.
func (s *Store) ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]roster.Email, error) {
	out := []roster.Email{}
	if limit <= 0 {
		return out, nil
	}
	rows, err := s.q.Query(ctx, `WITH due AS (
			SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1
			ORDER BY created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
		UPDATE outbox o SET attempts = o.attempts + 1, next_attempt_at = $3 FROM due WHERE o.id = due.id
		RETURNING o.id, o.recipient, o.subject, o.body, o.kind, o.created_at, o.attempts`, ts(now), limit, ts(now.Add(lease)))
	if err != nil {
		return nil, fmt.Errorf("claim emails: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e roster.Email
		var created int64
		if err := rows.Scan(&e.ID, &e.To, &e.Subject, &e.Body, &e.Kind, &created, &e.Attempts); err != nil {
			return nil, fmt.Errorf("claim emails: %w", err)
		}
		e.CreatedAt = fromTS(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim emails: %w", err)
	}
	// RETURNING has no order; the contract's is the queue's.
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// MarkEmailSent also empties the body: the links it carried (invitation
// and verification tokens) stay in the database only until delivery.
func (s *Store) MarkEmailSent(ctx context.Context, id string, at time.Time) error {
	tag, err := s.q.Exec(ctx, `UPDATE outbox SET sent_at = $1, body = '', last_error = '' WHERE id = $2`, ts(at), id)
	return exactlyOne(tag, err, "email", id)
}

func (s *Store) MarkEmailFailed(ctx context.Context, id string, retryAt time.Time, errText string) error {
	tag, err := s.q.Exec(ctx, `UPDATE outbox SET next_attempt_at = $1, last_error = $2 WHERE id = $3 AND sent_at IS NULL`, ts(retryAt), errText, id)
	return exactlyOne(tag, err, "email", id)
}

func (s *Store) PendingEmails(ctx context.Context) (int, error) {
	var n int
	if err := s.q.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("pending emails: %w", err)
	}
	return n, nil
}
