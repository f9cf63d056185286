package sqlcore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

const customRoleColumns = `org_id, key, name, description, icon, permissions, client_access, position, created_at`

func scanCustomRole(row Scanner) (roster.CustomRole, error) {
	var r roster.CustomRole
	var perms string
	var created int64
	if err := row.Scan(&r.OrgID, &r.Key, &r.Name, &r.Description, &r.Icon, &perms, &r.ClientAccess, &r.Position, &created); err != nil {
		return roster.CustomRole{}, err
	}
	r.CreatedAt = FromTS(created)
	if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
		return roster.CustomRole{}, fmt.Errorf("role %s permissions: %w", r.Key, err)
	}
	if r.Permissions == nil {
		r.Permissions = []string{}
	}
	return r, nil
}

func (q *Queries) ListCustomRoles(ctx context.Context, org roster.OrgID) ([]roster.CustomRole, error) {
	return Collect(ctx, q, "custom roles", scanCustomRole, `SELECT `+customRoleColumns+` FROM custom_roles WHERE org_id = ? ORDER BY position, created_at, key`, org)
}

func (q *Queries) GetCustomRole(ctx context.Context, org roster.OrgID, key string) (roster.CustomRole, error) {
	r, err := scanCustomRole(q.QueryRow(ctx, `SELECT `+customRoleColumns+` FROM custom_roles WHERE org_id = ? AND key = ?`, org, key))
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

func (q *Queries) CreateCustomRole(ctx context.Context, r roster.CustomRole) error {
	return q.insert(ctx, "role", `INSERT INTO custom_roles (`+customRoleColumns+`, name_norm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.OrgID, r.Key, r.Name, r.Description, r.Icon, permissionsJSON(r.Permissions), r.ClientAccess, r.Position, TS(r.CreatedAt), roster.NormalizeName(r.Name))
}

func (q *Queries) UpdateCustomRole(ctx context.Context, r roster.CustomRole) error {
	return q.guarded(ctx, func() error {
		res, err := q.Exec(ctx, `UPDATE custom_roles SET name = ?, name_norm = ?, description = ?, icon = ?, permissions = ?, client_access = ?, position = ?
			WHERE org_id = ? AND key = ?`,
			r.Name, roster.NormalizeName(r.Name), r.Description, r.Icon, permissionsJSON(r.Permissions), r.ClientAccess, r.Position, r.OrgID, r.Key)
		return q.exactlyOne(res, err, "role", r.Key)
	})
}

func (q *Queries) DeleteCustomRole(ctx context.Context, org roster.OrgID, key string) error {
	res, err := q.Exec(ctx, `DELETE FROM custom_roles WHERE org_id = ? AND key = ?`, org, key)
	return q.exactlyOne(res, err, "role", key)
}
