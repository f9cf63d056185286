package postgres

import (
	"context"
	"encoding/json"
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
	return collect(ctx, d.q, "custom roles", scanCustomRole, `SELECT `+customRoleColumns+` FROM custom_roles WHERE org_id = $1 ORDER BY position, created_at, key`, org)
}

func (d *queries) GetCustomRole(ctx context.Context, org roster.OrgID, key string) (roster.CustomRole, error) {
	r, err := scanCustomRole(d.q.QueryRow(ctx, `SELECT `+customRoleColumns+` FROM custom_roles WHERE org_id = $1 AND key = $2`, org, key))
	if noRows(err) {
		return roster.CustomRole{}, notFound("role", key)
	}
	if err != nil {
		return roster.CustomRole{}, fmt.Errorf("get role %s: %w", key, err)
	}
	return r, nil
}

// permissionsJSON is the permissions column: a JSON array, never null.
func permissionsJSON(perms []string) string {
	if perms == nil {
		perms = []string{}
	}
	b, _ := json.Marshal(perms) // strings always encode
	return string(b)
}

func (d *queries) CreateCustomRole(ctx context.Context, r roster.CustomRole) error {
	return d.insert(ctx, "role", `INSERT INTO custom_roles (`+customRoleColumns+`, name_norm) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		r.OrgID, r.Key, r.Name, r.Description, r.Icon, permissionsJSON(r.Permissions), r.ClientAccess, r.Position, ts(r.CreatedAt), roster.NormalizeName(r.Name))
}

func (d *queries) UpdateCustomRole(ctx context.Context, r roster.CustomRole) error {
	return d.guarded(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE custom_roles SET name = $1, name_norm = $2, description = $3, icon = $4, permissions = $5, client_access = $6, position = $7
			WHERE org_id = $8 AND key = $9`,
			r.Name, roster.NormalizeName(r.Name), r.Description, r.Icon, permissionsJSON(r.Permissions), r.ClientAccess, r.Position, r.OrgID, r.Key)
		return exactlyOne(tag, err, "role", r.Key)
	})
}

func (d *queries) DeleteCustomRole(ctx context.Context, org roster.OrgID, key string) error {
	tag, err := d.q.Exec(ctx, `DELETE FROM custom_roles WHERE org_id = $1 AND key = $2`, org, key)
	return exactlyOne(tag, err, "role", key)
}
