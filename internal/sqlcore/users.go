package sqlcore

import (
	"context"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

const userColumns = `id, email, email_verified, first_name, last_name, password_hash, totp_secret, totp_enabled, totp_last_step, created_at`

func scanUser(row Scanner) (roster.User, error) {
	var u roster.User
	var created int64
	err := row.Scan(&u.ID, &u.Email, &u.EmailVerified, &u.FirstName, &u.LastName, &u.PasswordHash, &u.TOTPSecret, &u.TOTPEnabled, &u.TOTPLastStep, &created)
	u.CreatedAt = FromTS(created)
	return u, err
}

func (q *Queries) getUser(ctx context.Context, where string, arg any) (roster.User, error) {
	u, err := scanUser(q.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if noRows(err) {
		return roster.User{}, notFound("user", arg)
	}
	if err != nil {
		return roster.User{}, fmt.Errorf("get user %v: %w", arg, err)
	}
	return u, nil
}

// GetUser inside a transaction of a LockRows dialect locks the row:
// callers read the user, change a field and write every column back, so a
// concurrent writer (a TOTP step, 2FA turned on or off) would otherwise be
// undone. Transactions lock organizations before users
// (touchMembershipsOf comes first), so this adds no deadlock.
func (q *Queries) GetUser(ctx context.Context, id roster.UserID) (roster.User, error) {
	if q.tx != nil && q.d.LockRows {
		return q.getUser(ctx, "id = ? FOR NO KEY UPDATE", id)
	}
	return q.getUser(ctx, "id = ?", id)
}

func (q *Queries) GetUserByEmail(ctx context.Context, email string) (roster.User, error) {
	return q.getUser(ctx, "email_norm = ?", roster.NormalizeEmail(email))
}

func (q *Queries) CreateUser(ctx context.Context, u roster.User) error {
	return q.insert(ctx, "user", `INSERT INTO users (`+userColumns+`, email_norm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.EmailVerified, u.FirstName, u.LastName, u.PasswordHash, u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, TS(u.CreatedAt), roster.NormalizeEmail(u.Email))
}

func (q *Queries) UpdateUser(ctx context.Context, u roster.User) error {
	return q.guarded(ctx, func() error {
		res, err := q.Exec(ctx, `UPDATE users SET email = ?, email_norm = ?, email_verified = ?, first_name = ?, last_name = ?,
			password_hash = ?, totp_secret = ?, totp_enabled = ?, totp_last_step = ? WHERE id = ?`,
			u.Email, roster.NormalizeEmail(u.Email), u.EmailVerified, u.FirstName, u.LastName, u.PasswordHash, u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, u.ID)
		return q.exactlyOne(res, err, "user", u.ID)
	})
}

func (q *Queries) SetTOTPLastStep(ctx context.Context, user roster.UserID, from, step int64) (bool, error) {
	ok, err := changed(q.Exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step = ?`, step, user, from))
	if err != nil {
		return false, fmt.Errorf("set totp step %s: %w", user, err)
	}
	return ok, nil
}

func (q *Queries) ReplaceRecoveryCodes(ctx context.Context, user roster.UserID, hashes [][]byte) error {
	if _, err := q.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, user); err != nil {
		return fmt.Errorf("clear recovery codes %s: %w", user, err)
	}
	for _, h := range hashes {
		if _, err := q.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, user, h); err != nil {
			return q.createErr("recovery code", err)
		}
	}
	return nil
}

func (q *Queries) UseRecoveryCode(ctx context.Context, user roster.UserID, hash []byte) (bool, error) {
	ok, err := changed(q.Exec(ctx, `UPDATE recovery_codes SET used = TRUE WHERE user_id = ? AND code_hash = ? AND used = FALSE`, user, hash))
	if err != nil {
		return false, fmt.Errorf("use recovery code %s: %w", user, err)
	}
	return ok, nil
}
