package sqlcore

import (
	"context"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

const orgColumns = `id, name, plan, owner_member_id, billing_contact_id, enforced_auth, revision, created_at`

func (q *Queries) getOrganization(ctx context.Context, query string, id roster.OrgID) (roster.Organization, error) {
	var o roster.Organization
	var created int64
	err := q.QueryRow(ctx, query, id).
		Scan(&o.ID, &o.Name, &o.Plan, &o.OwnerMemberID, &o.BillingContact, &o.EnforcedAuth, &o.Revision, &created)
	if noRows(err) {
		return roster.Organization{}, notFound("organization", id)
	}
	if err != nil {
		return roster.Organization{}, fmt.Errorf("get organization %s: %w", id, err)
	}
	o.CreatedAt = FromTS(created)
	return o, nil
}

func (q *Queries) GetOrganization(ctx context.Context, id roster.OrgID) (roster.Organization, error) {
	return q.getOrganization(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = ?`, id)
}

// LockOrganization takes the organization's row lock for the rest of the
// transaction (LockRows: SELECT ... FOR UPDATE): writers of one
// organization run one after the other, and each reads what the previous
// one committed (READ COMMITTED takes a new snapshot per statement, after
// the lock is granted). On SQLite it reads the row: BEGIN IMMEDIATE
// already holds the write lock.
func (q *Queries) LockOrganization(ctx context.Context, id roster.OrgID) (roster.Organization, error) {
	query := `SELECT ` + orgColumns + ` FROM organizations WHERE id = ?`
	if q.d.LockRows {
		query += ` FOR UPDATE`
	}
	return q.getOrganization(ctx, query, id)
}

// BumpRevision increments the revision; set adds assignments to the
// UPDATE (the PostgreSQL store's change_seq).
func (q *Queries) BumpRevision(ctx context.Context, id roster.OrgID) (int64, error) {
	return q.BumpRevisionSetting(ctx, id, "")
}

// BumpRevisionSetting is BumpRevision whose UPDATE also runs the
// assignments in set (", column = expression ...").
func (q *Queries) BumpRevisionSetting(ctx context.Context, id roster.OrgID, set string) (int64, error) {
	var rev int64
	err := q.QueryRow(ctx, `UPDATE organizations SET revision = revision + 1`+set+` WHERE id = ? RETURNING revision`, id).Scan(&rev)
	if noRows(err) {
		return 0, notFound("organization", id)
	}
	if err != nil {
		return 0, fmt.Errorf("bump revision %s: %w", id, err)
	}
	return rev, nil
}

func (q *Queries) CreateOrganization(ctx context.Context, o roster.Organization) error {
	return q.insert(ctx, "organization", `INSERT INTO organizations (`+orgColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Name, o.Plan, o.OwnerMemberID, o.BillingContact, o.EnforcedAuth, o.Revision, TS(o.CreatedAt))
}

// UpdateOrganization writes the settable fields; the revision is BumpRevision's.
func (q *Queries) UpdateOrganization(ctx context.Context, o roster.Organization) error {
	res, err := q.Exec(ctx, `UPDATE organizations SET name = ?, plan = ?, owner_member_id = ?, billing_contact_id = ?, enforced_auth = ? WHERE id = ?`,
		o.Name, o.Plan, o.OwnerMemberID, o.BillingContact, o.EnforcedAuth, o.ID)
	return q.exactlyOne(res, err, "organization", o.ID)
}
