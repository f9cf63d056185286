package sqlcore

import (
	"context"
	"fmt"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

const clientColumns = `id, org_id, name, external_id, status, created_at`

func scanClient(row Scanner) (roster.Client, error) {
	var c roster.Client
	var created int64
	err := row.Scan(&c.ID, &c.OrgID, &c.Name, &c.ExternalID, &c.Status, &created)
	c.CreatedAt = FromTS(created)
	return c, err
}

func (q *Queries) GetClient(ctx context.Context, org roster.OrgID, id roster.ClientID) (roster.Client, error) {
	c, err := scanClient(q.QueryRow(ctx, `SELECT `+clientColumns+` FROM clients WHERE org_id = ? AND id = ?`, org, id))
	if noRows(err) {
		return roster.Client{}, notFound("client", id)
	}
	if err != nil {
		return roster.Client{}, fmt.Errorf("get client %s: %w", id, err)
	}
	return c, nil
}

func (q *Queries) ListClients(ctx context.Context, org roster.OrgID, f roster.ClientFilter) ([]roster.Client, error) {
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
		cond, arg := in(q.d, "id", f.IDs)
		where, args = append(where, cond), append(args, arg)
	}
	if f.After != nil {
		where = append(where, "(created_at > ? OR (created_at = ? AND id > ?))")
		args = append(args, TS(f.After.Time), TS(f.After.Time), f.After.ID)
	}
	query := `SELECT ` + clientColumns + ` FROM clients WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_at, id` + limit(f.Limit)
	return Collect(ctx, q, "clients", scanClient, query, args...)
}

func (q *Queries) CreateClient(ctx context.Context, c roster.Client) error {
	return q.insert(ctx, "client", `INSERT INTO clients (`+clientColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, c.OrgID, c.Name, c.ExternalID, c.Status, TS(c.CreatedAt))
}

func (q *Queries) UpdateClient(ctx context.Context, c roster.Client) error {
	res, err := q.Exec(ctx, `UPDATE clients SET name = ?, external_id = ?, status = ? WHERE org_id = ? AND id = ?`,
		c.Name, c.ExternalID, c.Status, c.OrgID, c.ID)
	return q.exactlyOne(res, err, "client", c.ID)
}
