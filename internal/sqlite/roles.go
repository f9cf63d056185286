package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

const customRoleColumns = `org_id, key, name, description, icon, permissions, client_access, position, created_at`

func scanCustomRole(row scanner) (roster.CustomRole, error) {
	var r roster.CustomRole
	var perms string
	var created int64
	if err := row.Scan(&r.OrgID, &r.Key, &r.Name, &r.Description, &r.Icon, &perms, &r.ClientAccess, &r.Position, &created); err != nil {
		return roster.CustomRole{}, err
	}
	r.CreatedAt = fromTS(created)
	if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
		return roster.CustomRole{}, fmt.Errorf("role %s permissions: %w", r.Key, err)
	}
	if r.Permissions == nil {
		r.Permissions = []string{}
	}
	return r, nil
}

func (d *queries) ListCustomRoles(ctx context.Context, org roster.OrgID) ([]roster.CustomRole, error) {
	return collect(ctx, d.q, "custom roles", scanCustomRole, `SELECT `+customRoleColumns+` FROM custom_roles WHERE org_id = ? ORDER BY position, created_at, key`, org)
}

func (d *queries) GetCustomRole(ctx context.Context, org roster.OrgID, key string) (roster.CustomRole, error) {
	r, err := scanCustomRole(d.q.QueryRowContext(ctx, `SELECT `+customRoleColumns+` FROM custom_roles WHERE org_id = ? AND key = ?`, org, key))
	if errors.Is(err, sql.ErrNoRows) {
		return roster.CustomRole{}, notFound("role", key)
	}
	if err != nil {
		return roster.CustomRole{}, fmt.Errorf("get role %s: %w", key, err)
	}
	return r, nil
}

func (d *queries) CreateCustomRole(ctx context.Context, r roster.CustomRole) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO custom_roles (`+customRoleColumns+`, name_norm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.OrgID, r.Key, r.Name, r.Description, r.Icon, jsonList(r.Permissions), r.ClientAccess, r.Position, ts(r.CreatedAt), roster.NormalizeName(r.Name))
	return createErr("role", err)
}

func (d *queries) UpdateCustomRole(ctx context.Context, r roster.CustomRole) error {
	res, err := d.q.ExecContext(ctx, `UPDATE custom_roles SET name = ?, name_norm = ?, description = ?, icon = ?, permissions = ?, client_access = ?, position = ?
		WHERE org_id = ? AND key = ?`,
		r.Name, roster.NormalizeName(r.Name), r.Description, r.Icon, jsonList(r.Permissions), r.ClientAccess, r.Position, r.OrgID, r.Key)
	return exactlyOne(res, err, "role", r.Key)
}

func (d *queries) DeleteCustomRole(ctx context.Context, org roster.OrgID, key string) error {
	res, err := d.q.ExecContext(ctx, `DELETE FROM custom_roles WHERE org_id = ? AND key = ?`, org, key)
	return exactlyOne(res, err, "role", key)
}
