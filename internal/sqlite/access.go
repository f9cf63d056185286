package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

// LoadOrgAccess reads one organization's authorization data in one read
// transaction, so the snapshot is consistent with its revision.
func (s *Store) LoadOrgAccess(ctx context.Context, org roster.OrgID) (roster.OrgAccess, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access %s: %w", org, err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return (&queries{q: tx}).LoadOrgAccess(ctx, org)
}

func (d *queries) LoadOrgAccess(ctx context.Context, org roster.OrgID) (roster.OrgAccess, error) {
	o, err := d.GetOrganization(ctx, org)
	if err != nil {
		return roster.OrgAccess{}, err
	}
	a := roster.OrgAccess{OrgID: org, Revision: o.Revision, Members: []roster.MemberAccess{}, Clients: []roster.ClientID{}, CustomRoles: []roster.RoleDef{}}
	rows, err := d.q.QueryContext(ctx, `SELECT id, COALESCE(user_id, ''), role, status, client_mode FROM members WHERE org_id = ? ORDER BY created_at, id`, org)
	if err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access members %s: %w", org, err)
	}
	index := map[roster.MemberID]int{}
	for rows.Next() {
		m := roster.MemberAccess{Clients: []roster.ClientID{}}
		if err := rows.Scan(&m.MemberID, &m.UserID, &m.Role, &m.Status, &m.ClientMode); err != nil {
			_ = rows.Close()
			return roster.OrgAccess{}, fmt.Errorf("load access members %s: %w", org, err)
		}
		index[m.MemberID] = len(a.Members)
		a.Members = append(a.Members, m)
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access members %s: %w", org, err)
	}
	err = d.each(ctx, `SELECT mc.member_id, mc.client_id FROM member_clients mc JOIN members m ON m.id = mc.member_id WHERE m.org_id = ? ORDER BY mc.member_id, mc.position`,
		[]any{org}, func(member, client string) {
			if i, ok := index[roster.MemberID(member)]; ok {
				a.Members[i].Clients = append(a.Members[i].Clients, roster.ClientID(client))
			}
		})
	if err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access clients %s: %w", org, err)
	}
	err = d.each(ctx, `SELECT id, status FROM clients WHERE org_id = ? ORDER BY created_at, id`, []any{org}, func(id, _ string) {
		a.Clients = append(a.Clients, roster.ClientID(id))
	})
	if err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access clients %s: %w", org, err)
	}
	if a.CustomRoles, err = d.customRoleDefs(ctx, org); err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access roles %s: %w", org, err)
	}
	return a, nil
}
