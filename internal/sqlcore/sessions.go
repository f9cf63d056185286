package sqlcore

import (
	"context"
	"fmt"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

func (q *Queries) GetSessionByTokenHash(ctx context.Context, hash []byte) (roster.Session, error) {
	var s roster.Session
	var created, seen, expires int64
	err := q.QueryRow(ctx, `SELECT id, token_hash, user_id, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = ?`, hash).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &created, &seen, &expires)
	if noRows(err) {
		return roster.Session{}, notFound("session", "")
	}
	if err != nil {
		return roster.Session{}, fmt.Errorf("get session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = FromTS(created), FromTS(seen), FromTS(expires)
	return s, nil
}

func (q *Queries) CreateSession(ctx context.Context, s roster.Session) error {
	return q.insert(ctx, "session", `INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		s.ID, s.TokenHash, s.UserID, TS(s.CreatedAt), TS(s.LastSeenAt), TS(s.ExpiresAt))
}

func (q *Queries) TouchSession(ctx context.Context, id string, at time.Time) error {
	res, err := q.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, TS(at), id)
	return q.exactlyOne(res, err, "session", id)
}

func (q *Queries) DeleteSession(ctx context.Context, id string) error {
	res, err := q.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return q.exactlyOne(res, err, "session", id)
}

func (q *Queries) DeleteUserSessions(ctx context.Context, user roster.UserID, except string) (int, error) {
	res, err := q.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, user, except)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of %s: %w", user, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete sessions of %s: %w", user, err)
	}
	return int(n), nil
}

func (q *Queries) GetVerificationToken(ctx context.Context, hash []byte) (roster.VerificationToken, error) {
	var v roster.VerificationToken
	var expires int64
	err := q.QueryRow(ctx, `SELECT token_hash, user_id, expires_at, used FROM verification_tokens WHERE token_hash = ?`, hash).
		Scan(&v.TokenHash, &v.UserID, &expires, &v.Used)
	if noRows(err) {
		return roster.VerificationToken{}, notFound("verification token", "")
	}
	if err != nil {
		return roster.VerificationToken{}, fmt.Errorf("get verification token: %w", err)
	}
	v.ExpiresAt = FromTS(expires)
	return v, nil
}

func (q *Queries) CreateVerificationToken(ctx context.Context, v roster.VerificationToken) error {
	return q.insert(ctx, "verification token", `INSERT INTO verification_tokens (token_hash, user_id, expires_at, used) VALUES (?, ?, ?, ?)`,
		v.TokenHash, v.UserID, TS(v.ExpiresAt), v.Used)
}

func (q *Queries) UseVerificationToken(ctx context.Context, hash []byte) (bool, error) {
	ok, err := changed(q.Exec(ctx, `UPDATE verification_tokens SET used = TRUE WHERE token_hash = ? AND used = FALSE`, hash))
	if err != nil {
		return false, fmt.Errorf("use verification token: %w", err)
	}
	return ok, nil
}
