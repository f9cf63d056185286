package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/roster-dev/roster/internal/roster"
)

// LoadOrgAccess reads one organization's authorization data in one
// REPEATABLE READ read-only transaction: every query sees the same
// snapshot, so the data is consistent with the revision it carries.
func (s *Store) LoadOrgAccess(ctx context.Context, org roster.OrgID) (roster.OrgAccess, error) {
	var a roster.OrgAccess
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		a, err = (&queries{q: classifying{tx}, tx: tx, channel: s.channel}).LoadOrgAccess(ctx, org)
		return err
	})
	return a, classify(err)
}

func (d *queries) LoadOrgAccess(ctx context.Context, org roster.OrgID) (roster.OrgAccess, error) {
	o, err := d.GetOrganization(ctx, org)
	if err != nil {
		return roster.OrgAccess{}, err
	}
	a := roster.OrgAccess{OrgID: org, Revision: o.Revision, Members: []roster.MemberAccess{}, Clients: []roster.ClientID{}, CustomRoles: []roster.RoleDef{}}
	rows, err := d.q.Query(ctx, `SELECT id, COALESCE(user_id, ''), role, status, client_mode FROM members WHERE org_id = $1 ORDER BY created_at, id`, org)
	if err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access members %s: %w", org, err)
	}
	index := map[roster.MemberID]int{}
	for rows.Next() {
		m := roster.MemberAccess{Clients: []roster.ClientID{}}
		if err := rows.Scan(&m.MemberID, &m.UserID, &m.Role, &m.Status, &m.ClientMode); err != nil {
			rows.Close()
			return roster.OrgAccess{}, fmt.Errorf("load access members %s: %w", org, err)
		}
		index[m.MemberID] = len(a.Members)
		a.Members = append(a.Members, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access members %s: %w", org, err)
	}
	err = d.each(ctx, `SELECT mc.member_id, mc.client_id FROM member_clients mc JOIN members m ON m.id = mc.member_id WHERE m.org_id = $1 ORDER BY mc.member_id, mc.position`,
		[]any{org}, func(member, client string) {
			if i, ok := index[roster.MemberID(member)]; ok {
				a.Members[i].Clients = append(a.Members[i].Clients, roster.ClientID(client))
			}
		})
	if err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access clients %s: %w", org, err)
	}
	err = d.each(ctx, `SELECT id, status FROM clients WHERE org_id = $1 ORDER BY created_at, id`, []any{org}, func(id, _ string) {
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
