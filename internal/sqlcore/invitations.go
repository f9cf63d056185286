package sqlcore

import (
	"context"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

const invitationColumns = `id, org_id, member_id, token_hash, state, expires_at, invited_by, created_at`

func (q *Queries) getInvitation(ctx context.Context, where string, args ...any) (roster.Invitation, error) {
	var inv roster.Invitation
	var expires, created int64
	err := q.QueryRow(ctx, `SELECT `+invitationColumns+` FROM invitations WHERE `+where, args...).
		Scan(&inv.ID, &inv.OrgID, &inv.MemberID, &inv.TokenHash, &inv.State, &expires, &inv.InvitedBy, &created)
	if noRows(err) {
		return roster.Invitation{}, notFound("invitation", "")
	}
	if err != nil {
		return roster.Invitation{}, fmt.Errorf("get invitation: %w", err)
	}
	inv.ExpiresAt, inv.CreatedAt = FromTS(expires), FromTS(created)
	return inv, nil
}

func (q *Queries) GetInvitationByTokenHash(ctx context.Context, hash []byte) (roster.Invitation, error) {
	return q.getInvitation(ctx, "token_hash = ?", hash)
}

func (q *Queries) GetPendingInvitation(ctx context.Context, org roster.OrgID, member roster.MemberID) (roster.Invitation, error) {
	return q.getInvitation(ctx, "org_id = ? AND member_id = ? AND state = 'pending' ORDER BY created_at DESC LIMIT 1", org, member)
}

func (q *Queries) CreateInvitation(ctx context.Context, inv roster.Invitation) error {
	return q.insert(ctx, "invitation", `INSERT INTO invitations (`+invitationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		inv.ID, inv.OrgID, inv.MemberID, inv.TokenHash, inv.State, TS(inv.ExpiresAt), inv.InvitedBy, TS(inv.CreatedAt))
}

// SetInvitationState is a conditional UPDATE: of racing acceptances exactly
// one sees its row change (docs/security.md item 17). Under READ COMMITTED
// (PostgreSQL) a racer blocked on the row re-checks "state = from" on the
// committed version once the winner commits, and updates nothing.
func (q *Queries) SetInvitationState(ctx context.Context, id string, from, to roster.InvitationState) (bool, error) {
	ok, err := changed(q.Exec(ctx, `UPDATE invitations SET state = ? WHERE id = ? AND state = ?`, to, id, from))
	if err != nil {
		return false, fmt.Errorf("set invitation %s state: %w", id, err)
	}
	return ok, nil
}
