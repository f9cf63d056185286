package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

const orgColumns = `id, name, plan, owner_member_id, billing_contact_id, enforced_auth, revision, created_at`

func (d *queries) GetOrganization(ctx context.Context, id roster.OrgID) (roster.Organization, error) {
	var o roster.Organization
	var created int64
	err := d.q.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = ?`, id).
		Scan(&o.ID, &o.Name, &o.Plan, &o.OwnerMemberID, &o.BillingContact, &o.EnforcedAuth, &o.Revision, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return roster.Organization{}, notFound("organization", id)
	}
	if err != nil {
		return roster.Organization{}, fmt.Errorf("get organization %s: %w", id, err)
	}
	o.CreatedAt = fromTS(created)
	return o, nil
}

// LockOrganization reads the row; BEGIN IMMEDIATE already holds the write lock.
func (d *queries) LockOrganization(ctx context.Context, id roster.OrgID) (roster.Organization, error) {
	return d.GetOrganization(ctx, id)
}

func (d *queries) BumpRevision(ctx context.Context, id roster.OrgID) (int64, error) {
	var rev int64
	err := d.q.QueryRowContext(ctx, `UPDATE organizations SET revision = revision + 1 WHERE id = ? RETURNING revision`, id).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("organization", id)
	}
	if err != nil {
		return 0, fmt.Errorf("bump revision %s: %w", id, err)
	}
	return rev, nil
}

func (d *queries) CreateOrganization(ctx context.Context, o roster.Organization) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO organizations (`+orgColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.Name, o.Plan, o.OwnerMemberID, o.BillingContact, o.EnforcedAuth, o.Revision, ts(o.CreatedAt))
	return createErr("organization", err)
}

// UpdateOrganization writes the settable fields; the revision is BumpRevision's.
func (d *queries) UpdateOrganization(ctx context.Context, o roster.Organization) error {
	res, err := d.q.ExecContext(ctx, `UPDATE organizations SET name = ?, plan = ?, owner_member_id = ?, billing_contact_id = ?, enforced_auth = ? WHERE id = ?`,
		o.Name, o.Plan, o.OwnerMemberID, o.BillingContact, o.EnforcedAuth, o.ID)
	return exactlyOne(res, err, "organization", o.ID)
}
