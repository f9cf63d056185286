package postgres

import (
	"context"
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
	c, err := scanClient(d.q.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE org_id = $1 AND id = $2`, org, id))
	if noRows(err) {
		return roster.Client{}, notFound("client", id)
	}
	if err != nil {
		return roster.Client{}, fmt.Errorf("get client %s: %w", id, err)
	}
	return c, nil
}

func (d *queries) ListClients(ctx context.Context, org roster.OrgID, f roster.ClientFilter) ([]roster.Client, error) {
	var a args
	where := []string{"org_id = " + a.add(org)}
	if f.Status != "" {
		where = append(where, "status = "+a.add(f.Status))
	}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return []roster.Client{}, nil
		}
		where = append(where, "id = ANY("+a.add(strs(f.IDs))+")")
	}
	if f.After != nil {
		t, id := a.add(ts(f.After.Time)), a.add(f.After.ID)
		where = append(where, "(created_at > "+t+" OR (created_at = "+t+" AND id > "+id+"))")
	}
	query := `SELECT ` + clientColumns + ` FROM clients WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_at, id`
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return collect(ctx, d.q, "clients", scanClient, query, a...)
}

func (d *queries) CreateClient(ctx context.Context, c roster.Client) error {
	return d.insert(ctx, "client", `INSERT INTO clients (`+clientColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.ID, c.OrgID, c.Name, c.ExternalID, c.Status, ts(c.CreatedAt))
}

func (d *queries) UpdateClient(ctx context.Context, c roster.Client) error {
	tag, err := d.q.Exec(ctx, `UPDATE clients SET name = $1, external_id = $2, status = $3 WHERE org_id = $4 AND id = $5`,
		c.Name, c.ExternalID, c.Status, c.OrgID, c.ID)
	return exactlyOne(tag, err, "client", c.ID)
}
