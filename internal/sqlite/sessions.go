package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

func (d *queries) GetSessionByTokenHash(ctx context.Context, hash []byte) (roster.Session, error) {
	var s roster.Session
	var created, seen, expires int64
	err := d.q.QueryRowContext(ctx, `SELECT id, token_hash, user_id, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = ?`, hash).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return roster.Session{}, notFound("session", "")
	}
	if err != nil {
		return roster.Session{}, fmt.Errorf("get session: %w", err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromTS(created), fromTS(seen), fromTS(expires)
	return s, nil
}

func (d *queries) CreateSession(ctx context.Context, s roster.Session) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		s.ID, s.TokenHash, s.UserID, ts(s.CreatedAt), ts(s.LastSeenAt), ts(s.ExpiresAt))
	return createErr("session", err)
}

func (d *queries) TouchSession(ctx context.Context, id string, at time.Time) error {
	res, err := d.q.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, ts(at), id)
	return exactlyOne(res, err, "session", id)
}

func (d *queries) DeleteSession(ctx context.Context, id string) error {
	res, err := d.q.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return exactlyOne(res, err, "session", id)
}

func (d *queries) DeleteUserSessions(ctx context.Context, user roster.UserID, except string) (int, error) {
	res, err := d.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, user, except)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of %s: %w", user, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("delete sessions of %s: %w", user, err)
	}
	return int(n), nil
}

func (d *queries) GetVerificationToken(ctx context.Context, hash []byte) (roster.VerificationToken, error) {
	var v roster.VerificationToken
	var expires int64
	err := d.q.QueryRowContext(ctx, `SELECT token_hash, user_id, expires_at, used FROM verification_tokens WHERE token_hash = ?`, hash).
		Scan(&v.TokenHash, &v.UserID, &expires, &v.Used)
	if errors.Is(err, sql.ErrNoRows) {
		return roster.VerificationToken{}, notFound("verification token", "")
	}
	if err != nil {
		return roster.VerificationToken{}, fmt.Errorf("get verification token: %w", err)
	}
	v.ExpiresAt = fromTS(expires)
	return v, nil
}

func (d *queries) CreateVerificationToken(ctx context.Context, v roster.VerificationToken) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO verification_tokens (token_hash, user_id, expires_at, used) VALUES (?, ?, ?, ?)`,
		v.TokenHash, v.UserID, ts(v.ExpiresAt), v.Used)
	return createErr("verification token", err)
}

func (d *queries) UseVerificationToken(ctx context.Context, hash []byte) (bool, error) {
	ok, err := changed(d.q.ExecContext(ctx, `UPDATE verification_tokens SET used = 1 WHERE token_hash = ? AND used = 0`, hash))
	if err != nil {
		return false, fmt.Errorf("use verification token: %w", err)
	}
	return ok, nil
}
