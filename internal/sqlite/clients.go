package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

const clientColumns = `id, org_id, name, external_id, status, created_at`

func scanClient(row scanner) (roster.Client, error) {
	var c roster.Client
	var created int64
	err := row.Scan(&c.ID, &c.OrgID, &c.Name, &c.ExternalID, &c.Status, &created)
	c.CreatedAt = fromTS(created)
	return c, err
}

func (d *queries) GetClient(ctx context.Context, org roster.OrgID, id roster.ClientID) (roster.Client, error) {
	c, err := scanClient(d.q.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM clients WHERE org_id = ? AND id = ?`, org, id))
	if errors.Is(err, sql.ErrNoRows) {
		return roster.Client{}, notFound("client", id)
	}
	if err != nil {
		return roster.Client{}, fmt.Errorf("get client %s: %w", id, err)
	}
	return c, nil
}

func (d *queries) ListClients(ctx context.Context, org roster.OrgID, f roster.ClientFilter) ([]roster.Client, error) {
	where := []string{"org_id = ?"}
	args := []any{org}
	if f.Status != "" {
		where = append(where, "status = ?")
		args = append(args, f.Status)
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return []roster.Client{}, nil
		}
		where = append(where, "id"+inList)
		args = append(args, jsonList(f.IDs))
	}
	if f.After != nil {
		where = append(where, "(created_at > ? OR (created_at = ? AND id > ?))")
		args = append(args, ts(f.After.Time), ts(f.After.Time), f.After.ID)
	}
	query := `SELECT ` + clientColumns + ` FROM clients WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_at, id`
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return collect(ctx, d.q, "clients", scanClient, query, args...)
}

func (d *queries) CreateClient(ctx context.Context, c roster.Client) error {
	_, err := d.q.ExecContext(ctx, `INSERT INTO clients (`+clientColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.OrgID, c.Name, c.ExternalID, c.Status, ts(c.CreatedAt))
	return createErr("client", err)
}

func (d *queries) UpdateClient(ctx context.Context, c roster.Client) error {
	res, err := d.q.ExecContext(ctx, `UPDATE clients SET name = ?, external_id = ?, status = ? WHERE org_id = ? AND id = ?`,
		c.Name, c.ExternalID, c.Status, c.OrgID, c.ID)
	return exactlyOne(res, err, "client", c.ID)
}
