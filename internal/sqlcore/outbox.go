package sqlcore

import (
	"context"
	"fmt"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// The outbox's claiming differs (SQLite: a BEGIN IMMEDIATE transaction;
// PostgreSQL: one statement with FOR UPDATE SKIP LOCKED) and stays in the
// stores; the rest is here.

func (q *Queries) EnqueueEmail(ctx context.Context, e roster.Email) error {
	return q.insert(ctx, "email", `INSERT INTO outbox (id, recipient, subject, body, kind, created_at, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)`,
		e.ID, e.To, e.Subject, e.Body, e.Kind, TS(e.CreatedAt), TS(e.CreatedAt))
}

// MarkEmailSent also empties the body: the links it carried (invitation
// and verification tokens) stay in the database only until delivery.
func (q *Queries) MarkEmailSent(ctx context.Context, id string, at time.Time) error {
	res, err := q.Exec(ctx, `UPDATE outbox SET sent_at = ?, body = '', last_error = '' WHERE id = ?`, TS(at), id)
	return q.exactlyOne(res, err, "email", id)
}

func (q *Queries) MarkEmailFailed(ctx context.Context, id string, retryAt time.Time, errText string) error {
	res, err := q.Exec(ctx, `UPDATE outbox SET next_attempt_at = ?, last_error = ? WHERE id = ? AND sent_at IS NULL`, TS(retryAt), errText, id)
	return q.exactlyOne(res, err, "email", id)
}

func (q *Queries) PendingEmails(ctx context.Context) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&n); err != nil {
		return 0, fmt.Errorf("pending emails: %w", err)
	}
	return n, nil
}
