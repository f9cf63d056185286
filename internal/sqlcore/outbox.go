package sqlcore

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

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

// ClaimEmails takes due emails and hides them for the lease. With LockRows
// (PostgreSQL) it is one statement whose FOR UPDATE SKIP LOCKED makes
// concurrent claimers (several nodes' senders) pass over the rows another
// claimer is taking instead of waiting for them and then claiming them a
// second time. Otherwise (SQLite) it reads and updates in one write
// transaction, BEGIN IMMEDIATE, which no other claimer can interleave.
func (q *Queries) ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]roster.Email, error) {
	out := []roster.Email{}
	if limit <= 0 {
		return out, nil
	}
	var err error
	if q.d.LockRows {
		out, err = q.claimSkippingLocked(ctx, now, lease, limit)
	} else {
		out, err = q.claimInTx(ctx, now, lease, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("claim emails: %w", err)
	}
	return out, nil
}

func (q *Queries) claimSkippingLocked(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]roster.Email, error) {
	out, err := Collect(ctx, q, "due emails", scanEmail, `WITH due AS (
			SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ?
			ORDER BY created_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
		UPDATE outbox o SET attempts = o.attempts + 1, next_attempt_at = ? FROM due WHERE o.id = due.id
		RETURNING o.id, o.recipient, o.subject, o.body, o.kind, o.created_at, o.attempts`, TS(now), limit, TS(now.Add(lease)))
	if err != nil {
		return nil, err
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

func (q *Queries) claimInTx(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]roster.Email, error) {
	if q.pool == nil {
		return nil, fmt.Errorf("the queries run inside a write transaction")
	}
	sqlTx, err := q.pool.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", q.d.classify(err))
	}
	defer sqlTx.Rollback() //nolint:errcheck // after Commit this is a no-op
	tx := NewTx(sqlTx, q.d)
	out, err := Collect(ctx, tx, "due emails", scanEmail, `SELECT id, recipient, subject, body, kind, created_at, attempts FROM outbox
		WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY created_at, id LIMIT ?`, TS(now), limit)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Attempts++
		if _, err := tx.Exec(ctx, `UPDATE outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?`, out[i].Attempts, TS(now.Add(lease)), out[i].ID); err != nil {
			return nil, err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", q.d.classify(err))
	}
	return out, nil
}

func scanEmail(row Scanner) (roster.Email, error) {
	var e roster.Email
	var created int64
	err := row.Scan(&e.ID, &e.To, &e.Subject, &e.Body, &e.Kind, &created, &e.Attempts)
	e.CreatedAt = FromTS(created)
	return e, err
}
