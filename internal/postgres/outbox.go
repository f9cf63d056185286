package postgres

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlcore"
)

// ClaimEmails takes due emails and hides them for the lease in one
// statement. (Enqueuing, marking and counting are internal/sqlcore's.) FOR UPDATE SKIP LOCKED makes concurrent claimers (several
// nodes' senders) pass over the rows another claimer is taking instead of
// waiting for them and then claiming them a second time.
func (s *Store) ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]roster.Email, error) {
	out := []roster.Email{}
	if limit <= 0 {
		return out, nil
	}
	rows, err := s.Query(ctx, `WITH due AS (
			SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= ?
			ORDER BY created_at, id LIMIT ? FOR UPDATE SKIP LOCKED)
		UPDATE outbox o SET attempts = o.attempts + 1, next_attempt_at = ? FROM due WHERE o.id = due.id
		RETURNING o.id, o.recipient, o.subject, o.body, o.kind, o.created_at, o.attempts`, sqlcore.TS(now), limit, sqlcore.TS(now.Add(lease)))
	if err != nil {
		return nil, fmt.Errorf("claim emails: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e roster.Email
		var created int64
		if err := rows.Scan(&e.ID, &e.To, &e.Subject, &e.Body, &e.Kind, &created, &e.Attempts); err != nil {
			return nil, fmt.Errorf("claim emails: %w", classify(err))
		}
		e.CreatedAt = sqlcore.FromTS(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim emails: %w", classify(err))
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
