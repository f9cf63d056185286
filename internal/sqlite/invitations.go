package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

const invitationColumns = `id, org_id, member_id, token_hash, state, expires_at, invited_by, created_at`

func (d *queries) getInvitation(ctx context.Context, where string, args ...any) (roster.Invitation, error) {
	var inv roster.Invitation
	var expires, created int64
	err := d.q.QueryRowContext(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE `+where, args...).
		Scan(&inv.ID, &inv.OrgID, &inv.MemberID, &inv.TokenHash, &inv.State, &expires, &inv.InvitedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return roster.Invitation{}, notFound("invitation", "")
	}
	if err != nil {
		return roster.Invitation{}, fmt.Errorf("get invitation: %w", err)
	}
	inv.ExpiresAt, inv.CreatedAt = fromTS(expires), fromTS(created)
	return inv, nil
}

func (d *queries) GetInvitationByTokenHash(ctx context.Context, hash []byte) (roster.Invitation, error) {
	return d.getInvitation(ctx, "token_hash = ?", hash)
}

func (d *queries) GetPendingInvitation(ctx context.Context, org roster.OrgID, member roster.MemberID) (roster.Invitation, error) {
	return d.getInvitation(ctx, "org_id = ? AND member_id = ? AND state = 'pending' ORDER BY created_at DESC LIMIT 1", org, member)
}

func (d *queries) CreateInvitation(ctx context.Context, inv roster.Invitation) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO invitations (`+invitationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		inv.ID, inv.OrgID, inv.MemberID, inv.TokenHash, inv.State, ts(inv.ExpiresAt), inv.InvitedBy, ts(inv.CreatedAt))
	return createErr("invitation", err)
}

// SetInvitationState is a conditional UPDATE: of racing acceptances exactly
// one sees its row change (docs/security.md item 17).
func (d *queries) SetInvitationState(ctx context.Context, id string, from, to roster.InvitationState) (bool, error) {
	ok, err := changed(d.q.ExecContext(ctx, `UPDATE invitations SET state = ? WHERE id = ? AND state = ?`, to, id, from))
	if err != nil {
		return false, fmt.Errorf("set invitation %s state: %w", id, err)
	}
	return ok, nil
}
