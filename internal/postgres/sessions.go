package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

func (d *queries) GetSessionByTokenHash(ctx context.Context, hash []byte) (roster.Session, error) {
	var s roster.Session
	var created, seen, expires int64
	err := d.q.QueryRow(ctx, `SELECT id, token_hash, user_id, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1`, hash).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &created, &seen, &expires)
	if noRows(err) {
		return roster.Session{}, notFound("session", "")
	}
	if err != nil {
		return roster.Session{}, fmt.Errorf("get session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromTS(created), fromTS(seen), fromTS(expires)
	return s, nil
}

func (d *queries) CreateSession(ctx context.Context, s roster.Session) error {
	return d.insert(ctx, "session", `INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		s.ID, s.TokenHash, s.UserID, ts(s.CreatedAt), ts(s.LastSeenAt), ts(s.ExpiresAt))
}

func (d *queries) TouchSession(ctx context.Context, id string, at time.Time) error {
	tag, err := d.q.Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2`, ts(at), id)
	return exactlyOne(tag, err, "session", id)
}

func (d *queries) DeleteSession(ctx context.Context, id string) error {
	tag, err := d.q.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id)
	return exactlyOne(tag, err, "session", id)
}

func (d *queries) DeleteUserSessions(ctx context.Context, user roster.UserID, except string) (int, error) {
	tag, err := d.q.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, user, except)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of %s: %w", user, err)
	}
	return int(tag.RowsAffected()), nil
}

func (d *queries) GetVerificationToken(ctx context.Context, hash []byte) (roster.VerificationToken, error) {
	var v roster.VerificationToken
	var expires int64
	err := d.q.QueryRow(ctx, `SELECT token_hash, user_id, expires_at, used FROM verification_tokens WHERE token_hash = $1`, hash).
		Scan(&v.TokenHash, &v.UserID, &expires, &v.Used)
	if noRows(err) {
		return roster.VerificationToken{}, notFound("verification token", "")
	}
	if err != nil {
		return roster.VerificationToken{}, fmt.Errorf("get verification token: %w", err)
	}
	v.ExpiresAt = fromTS(expires)
	return v, nil
}

func (d *queries) CreateVerificationToken(ctx context.Context, v roster.VerificationToken) error {
	return d.insert(ctx, "verification token", `INSERT INTO verification_tokens (token_hash, user_id, expires_at, used) VALUES ($1, $2, $3, $4)`,
		v.TokenHash, v.UserID, ts(v.ExpiresAt), v.Used)
}

func (d *queries) UseVerificationToken(ctx context.Context, hash []byte) (bool, error) {
	ok, err := changed(d.q.Exec(ctx, `UPDATE verification_tokens SET used = true WHERE token_hash = $1 AND NOT used`, hash))
	if err != nil {
		return false, fmt.Errorf("use verification token: %w", err)
	}
	return ok, nil
}
