package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

const userColumns = `id, email, email_verified, first_name, last_name, password_hash, totp_secret, totp_enabled, totp_last_step, created_at`

func scanUser(row scanner) (roster.User, error) {
	var u roster.User
	var created int64
	err := row.Scan(&u.ID, &u.Email, &u.EmailVerified, &u.FirstName, &u.LastName, &u.PasswordHash, &u.TOTPSecret, &u.TOTPEnabled, &u.TOTPLastStep, &created)
	u.CreatedAt = fromTS(created)
	return u, err
}

func (d *queries) getUser(ctx context.Context, where string, arg any) (roster.User, error) {
	u, err := scanUser(d.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return roster.User{}, notFound("user", arg)
	}
	if err != nil {
		return roster.User{}, fmt.Errorf("get user %v: %w", arg, err)
	}
	return u, nil
}

func (d *queries) GetUser(ctx context.Context, id roster.UserID) (roster.User, error) {
	return d.getUser(ctx, "id = ?", id)
}

func (d *queries) GetUserByEmail(ctx context.Context, email string) (roster.User, error) {
	return d.getUser(ctx, "email_norm = ?", roster.NormalizeEmail(email))
}

func (d *queries) CreateUser(ctx context.Context, u roster.User) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO users (`+userColumns+`, email_norm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.EmailVerified, u.FirstName, u.LastName, u.PasswordHash, u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, ts(u.CreatedAt), roster.NormalizeEmail(u.Email))
	return createErr("user", err)
}

func (d *queries) UpdateUser(ctx context.Context, u roster.User) error {
	res, err := d.q.ExecContext(ctx, `UPDATE users SET email = ?, email_norm = ?, email_verified = ?, first_name = ?, last_name = ?,
		password_hash = ?, totp_secret = ?, totp_enabled = ?, totp_last_step = ? WHERE id = ?`,
		u.Email, roster.NormalizeEmail(u.Email), u.EmailVerified, u.FirstName, u.LastName, u.PasswordHash, u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.ID)
	return exactlyOne(res, err, "user", u.ID)
}

func (d *queries) SetTOTPLastStep(ctx context.Context, user roster.UserID, from, step int64) (bool, error) {
	ok, err := changed(d.q.ExecContext(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step = ?`, step, user, from))
	if err != nil {
		return false, fmt.Errorf("set totp step %s: %w", user, err)
	}
	return ok, nil
}

func (d *queries) ReplaceRecoveryCodes(ctx context.Context, user roster.UserID, hashes [][]byte) error {
	if _, err := d.q.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, user); err != nil {
		return fmt.Errorf("clear recovery codes %s: %w", user, err)
	}
	for _, h := range hashes {
		if _, err := d.q.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, user, h); err != nil {
			return createErr("recovery code", err)
		}
	}
	return nil
}

func (d *queries) UseRecoveryCode(ctx context.Context, user roster.UserID, hash []byte) (bool, error) {
	ok, err := changed(d.q.ExecContext(ctx, `UPDATE recovery_codes SET used = 1 WHERE user_id = ? AND code_hash = ? AND used = 0`, user, hash))
	if err != nil {
		return false, fmt.Errorf("use recovery code %s: %w", user, err)
	}
	return ok, nil
}
