package postgres

import (
	"context"
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
	u, err := scanUser(d.q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if noRows(err) {
		return roster.User{}, notFound("user", arg)
	}
	if err != nil {
		return roster.User{}, fmt.Errorf("get user %v: %w", arg, err)
	}
	return u, nil
}

// GetUser inside a transaction locks the row: callers read the user, change
// a field and write every column back, so a concurrent writer (a TOTP step,
// 2FA turned on or off) would otherwise be undone. Transactions lock
// organizations before users (touchMembershipsOf comes first), so this adds
// no deadlock.
func (d *queries) GetUser(ctx context.Context, id roster.UserID) (roster.User, error) {
	if d.tx != nil {
		return d.getUser(ctx, "id = $1 FOR NO KEY UPDATE", id)
	}
	return d.getUser(ctx, "id = $1", id)
}

func (d *queries) GetUserByEmail(ctx context.Context, email string) (roster.User, error) {
	return d.getUser(ctx, "email_norm = $1", roster.NormalizeEmail(email))
}

func (d *queries) CreateUser(ctx context.Context, u roster.User) error {
	return d.insert(ctx, "user", `INSERT INTO users (`+userColumns+`, email_norm) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		u.ID, u.Email, u.EmailVerified, u.FirstName, u.LastName, u.PasswordHash, u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, ts(u.CreatedAt), roster.NormalizeEmail(u.Email))
}

func (d *queries) UpdateUser(ctx context.Context, u roster.User) error {
	return d.guarded(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE users SET email = $1, email_norm = $2, email_verified = $3, first_name = $4, last_name = $5,
			password_hash = $6, totp_secret = $7, totp_enabled = $8, totp_last_step = $9 WHERE id = $10`,
			u.Email, roster.NormalizeEmail(u.Email), u.EmailVerified, u.FirstName, u.LastName, u.PasswordHash, u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.ID)
		return exactlyOne(tag, err, "user", u.ID)
	})
}

func (d *queries) SetTOTPLastStep(ctx context.Context, user roster.UserID, from, step int64) (bool, error) {
	ok, err := changed(d.q.Exec(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step = $3`, step, user, from))
	if err != nil {
		return false, fmt.Errorf("set totp step %s: %w", user, err)
	}
	return ok, nil
}

func (d *queries) ReplaceRecoveryCodes(ctx context.Context, user roster.UserID, hashes [][]byte) error {
	if _, err := d.q.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, user); err != nil {
		return fmt.Errorf("clear recovery codes %s: %w", user, err)
	}
	for _, h := range hashes {
		if _, err := d.q.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, user, h); err != nil {
			return createErr("recovery code", err)
		}
	}
	return nil
}

func (d *queries) UseRecoveryCode(ctx context.Context, user roster.UserID, hash []byte) (bool, error) {
	ok, err := changed(d.q.Exec(ctx, `UPDATE recovery_codes SET used = true WHERE user_id = $1 AND code_hash = $2 AND NOT used`, user, hash))
	if err != nil {
		return false, fmt.Errorf("use recovery code %s: %w", user, err)
	}
	return ok, nil
}
