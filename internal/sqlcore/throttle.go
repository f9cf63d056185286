package sqlcore

import (
	"context"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

// GetThrottle returns the zero state, with Key set, for a key never stored.
// Inside a transaction of a LockRows dialect it locks the row (creating it
// first), because the caller reads, counts and writes it back: at READ
// COMMITTED two nodes counting failures at once would otherwise each write
// "one more" over the other and never reach the lock-out (R2).
func (q *Queries) GetThrottle(ctx context.Context, key string) (roster.ThrottleState, error) {
	t := roster.ThrottleState{Key: key}
	var window, locked int64
	query := `SELECT failures, window_start, locked_until, lockouts FROM login_throttle WHERE key = ?`
	if q.tx != nil && q.d.LockRows {
		if _, err := q.Exec(ctx, `INSERT INTO login_throttle (key, failures, window_start, locked_until, lockouts)
			VALUES (?, 0, 0, 0, 0) ON CONFLICT (key) DO NOTHING`, key); err != nil {
			return t, fmt.Errorf("get throttle: %w", err)
		}
		query += ` FOR UPDATE`
	}
	err := q.QueryRow(ctx, query, key).Scan(&t.Failures, &window, &locked, &t.Lockouts)
	if noRows(err) {
		return t, nil
	}
	if err != nil {
		return t, fmt.Errorf("get throttle: %w", err)
	}
	t.WindowStart, t.LockedUntil = FromTS(window), FromTS(locked)
	return t, nil
}

func (q *Queries) PutThrottle(ctx context.Context, t roster.ThrottleState) error {
	_, err := q.Exec(ctx, `INSERT INTO login_throttle (key, failures, window_start, locked_until, lockouts) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
		locked_until = excluded.locked_until, lockouts = excluded.lockouts`,
		t.Key, t.Failures, TS(t.WindowStart), TS(t.LockedUntil), t.Lockouts)
	if err != nil {
		return fmt.Errorf("put throttle: %w", err)
	}
	return nil
}
