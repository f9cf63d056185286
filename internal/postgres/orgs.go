package postgres

import (
	"context"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

const orgColumns = `id, name, plan, owner_member_id, billing_contact_id, enforced_auth, revision, created_at`

func (d *queries) getOrganization(ctx context.Context, query string, id roster.OrgID) (roster.Organization, error) {
	var o roster.Organization
	var created int64
	err := d.q.QueryRow(ctx, query, id).
		Scan(&o.ID, &o.Name, &o.Plan, &o.OwnerMemberID, &o.BillingContact, &o.EnforcedAuth, &o.Revision, &created)
	if noRows(err) {
		return roster.Organization{}, notFound("organization", id)
	}
	if err != nil {
		return roster.Organization{}, fmt.Errorf("get organization %s: %w", id, err)
	}
	o.CreatedAt = fromTS(created)
	return o, nil
}

func (d *queries) GetOrganization(ctx context.Context, id roster.OrgID) (roster.Organization, error) {
	return d.getOrganization(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = $1`, id)
}

// LockOrganization takes the organization's row lock for the rest of the
// transaction: writers of one organization run one after the other, and
// each reads what the previous one committed (READ COMMITTED takes a new
// snapshot per statement, after the lock is granted).
func (d *queries) LockOrganization(ctx context.Context, id roster.OrgID) (roster.Organization, error) {
	return d.getOrganization(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = $1 FOR UPDATE`, id)
}

// BumpRevision also takes the next change sequence number and queues a
// notification on the change feed; PostgreSQL delivers it on commit only,
// so other nodes never hear of a change they cannot read yet.
func (d *queries) BumpRevision(ctx context.Context, id roster.OrgID) (int64, error) {
	var rev int64
	err := d.q.QueryRow(ctx, `UPDATE organizations SET revision = revision + 1, change_seq = nextval('organization_changes')
		WHERE id = $1 RETURNING revision`, id).Scan(&rev)
	if noRows(err) {
		return 0, notFound("organization", id)
	}
	if err != nil {
		return 0, fmt.Errorf("bump revision %s: %w", id, err)
	}
	if _, err := d.q.Exec(ctx, `SELECT pg_notify($1, $2)`, d.channel, feedPayload(id, rev)); err != nil {
		return 0, fmt.Errorf("notify change of %s: %w", id, err)
	}
	return rev, nil
}

func (d *queries) CreateOrganization(ctx context.Context, o roster.Organization) error {
	return d.insert(ctx, "organization", `INSERT INTO organizations (`+orgColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		o.ID, o.Name, o.Plan, o.OwnerMemberID, o.BillingContact, o.EnforcedAuth, o.Revision, ts(o.CreatedAt))
}

// UpdateOrganization writes the settable fields; the revision is BumpRevision's.
func (d *queries) UpdateOrganization(ctx context.Context, o roster.Organization) error {
	tag, err := d.q.Exec(ctx, `UPDATE organizations SET name = $1, plan = $2, owner_member_id = $3, billing_contact_id = $4, enforced_auth = $5 WHERE id = $6`,
		o.Name, o.Plan, o.OwnerMemberID, o.BillingContact, o.EnforcedAuth, o.ID)
	return exactlyOne(tag, err, "organization", o.ID)
}
