// Package sqlcore is the SQL both stores share, over database/sql: the
// SQLite store's own handle, and PostgreSQL's pool through pgx's stdlib
// adapter. Queries are written with ? markers; a Dialect rewrites them for
// the database.
//
// It holds the queries of roster.Queries and roster.Tx (Queries), the
// shared half of the outbox, the migrator, and the authorization loader:
// one organization after a change, and whole pages of organizations at
// start-up in a fixed number of queries per page, whatever the number of
// organizations.
package sqlcore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
)

// Querier is what *sql.DB and *sql.Tx share.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// LoadOrgAccess reads one organization's authorization data in one
// read-only transaction of the dialect's ReadTx options (PostgreSQL:
// REPEATABLE READ): every query sees the same snapshot, so the data is
// consistent with the revision it carries.
func (q *Queries) LoadOrgAccess(ctx context.Context, org roster.OrgID) (roster.OrgAccess, error) {
	var a roster.OrgAccess
	err := q.read(ctx, func(tx *sql.Tx) (err error) {
		a, err = LoadOrgAccess(ctx, tx, q.d, org)
		return err
	})
	return a, err
}

// LoadAccessPage reads a page of organizations' authorization data in one
// snapshot (start-up).
func (q *Queries) LoadAccessPage(ctx context.Context, after roster.OrgID, limit int) ([]roster.OrgAccess, error) {
	var page []roster.OrgAccess
	err := q.read(ctx, func(tx *sql.Tx) (err error) {
		page, err = LoadAccessPage(ctx, tx, q.d, after, limit)
		return err
	})
	return page, err
}

// read runs fn in a read-only transaction on the pool: one snapshot of the
// database.
func (q *Queries) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if q.pool == nil {
		return errors.New("read transaction: the queries run inside a write transaction")
	}
	opts := q.d.ReadTx
	opts.ReadOnly = true
	tx, err := q.pool.BeginTx(ctx, &opts)
	if err != nil {
		return q.d.classify(fmt.Errorf("begin read: %w", err))
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return q.d.classify(fn(tx))
}

// LoadOrgAccess reads one organization's authorization data. Run it in one
// read transaction so that the data is consistent with the revision.
func LoadOrgAccess(ctx context.Context, q Querier, d *Dialect, org roster.OrgID) (roster.OrgAccess, error) {
	page, err := loadAccess(ctx, q, d, `SELECT id, revision FROM organizations WHERE id = ?`, org)
	if err != nil {
		return roster.OrgAccess{}, fmt.Errorf("load access %s: %w", org, err)
	}
	if len(page) == 0 {
		return roster.OrgAccess{}, fmt.Errorf("organization %s: %w", org, roster.ErrNotFound)
	}
	return page[0], nil
}

// LoadAccessPage reads the authorization data of up to limit organizations
// whose ids sort after after, in id order, with five queries whatever the
// page holds. Run it in one read transaction.
func LoadAccessPage(ctx context.Context, q Querier, d *Dialect, after roster.OrgID, limit int) ([]roster.OrgAccess, error) {
	page, err := loadAccess(ctx, q, d, `SELECT id, revision FROM organizations WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("load access after %q: %w", after, err)
	}
	return page, nil
}

// loadAccess reads the organizations the first query selects (id,
// revision, in id order), then their members, assigned clients, clients and
// custom roles with one range query each.
func loadAccess(ctx context.Context, q Querier, d *Dialect, orgQuery string, args ...any) ([]roster.OrgAccess, error) {
	var page []roster.OrgAccess
	err := each(ctx, q, d.bind(orgQuery), args, func(rows *sql.Rows) error {
		a := roster.OrgAccess{Members: []roster.MemberAccess{}, Clients: []roster.ClientID{}, CustomRoles: []roster.RoleDef{}}
		page = append(page, a)
		return rows.Scan(&page[len(page)-1].OrgID, &page[len(page)-1].Revision)
	})
	if err != nil || len(page) == 0 {
		return page, err
	}
	l := &loader{page: page, org: make(map[roster.OrgID]int, len(page)), member: map[roster.MemberID][2]int{}}
	for i, a := range page {
		l.org[a.OrgID] = i
	}
	span := []any{page[0].OrgID, page[len(page)-1].OrgID}
	for _, step := range []struct {
		what, query string
		scan        func(*sql.Rows) error
	}{
		{"members", `SELECT org_id, id, COALESCE(user_id, ''), role, status, client_mode FROM members
			WHERE org_id >= ? AND org_id <= ? ORDER BY org_id, created_at, id`, l.scanMember},
		{"assigned clients", `SELECT m.org_id, mc.member_id, mc.client_id FROM members m JOIN member_clients mc ON mc.member_id = m.id
			WHERE m.org_id >= ? AND m.org_id <= ? ORDER BY m.org_id, mc.member_id, mc.position`, l.scanAssigned},
		{"clients", `SELECT org_id, id FROM clients WHERE org_id >= ? AND org_id <= ? ORDER BY org_id, created_at, id`, l.scanClient},
		{"custom roles", `SELECT org_id, key, name, description, permissions, client_access FROM custom_roles
			WHERE org_id >= ? AND org_id <= ? ORDER BY org_id, position, created_at, key`, l.scanRole},
	} {
		if err := each(ctx, q, d.bind(step.query), span, step.scan); err != nil {
			return nil, fmt.Errorf("%s: %w", step.what, err)
		}
	}
	return page, nil
}

// loader fills a page of organizations from range queries; rows of an
// organization outside the page (an id between two of the page's that the
// first query did not select, as when it selected one) are skipped.
type loader struct {
	page   []roster.OrgAccess
	org    map[roster.OrgID]int
	member map[roster.MemberID][2]int // organization and member positions
}

func (l *loader) scanMember(rows *sql.Rows) error {
	var org roster.OrgID
	m := roster.MemberAccess{Clients: []roster.ClientID{}}
	if err := rows.Scan(&org, &m.MemberID, &m.UserID, &m.Role, &m.Status, &m.ClientMode); err != nil {
		return err
	}
	if i, ok := l.org[org]; ok {
		l.member[m.MemberID] = [2]int{i, len(l.page[i].Members)}
		l.page[i].Members = append(l.page[i].Members, m)
	}
	return nil
}

func (l *loader) scanAssigned(rows *sql.Rows) error {
	var org, member, client string
	if err := rows.Scan(&org, &member, &client); err != nil {
		return err
	}
	if at, ok := l.member[roster.MemberID(member)]; ok {
		m := &l.page[at[0]].Members[at[1]]
		m.Clients = append(m.Clients, roster.ClientID(client))
	}
	return nil
}

func (l *loader) scanClient(rows *sql.Rows) error {
	var org roster.OrgID
	var id roster.ClientID
	if err := rows.Scan(&org, &id); err != nil {
		return err
	}
	if i, ok := l.org[org]; ok {
		l.page[i].Clients = append(l.page[i].Clients, id)
	}
	return nil
}

func (l *loader) scanRole(rows *sql.Rows) error {
	var r roster.CustomRole
	var perms string
	if err := rows.Scan(&r.OrgID, &r.Key, &r.Name, &r.Description, &perms, &r.ClientAccess); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
		return fmt.Errorf("role %s permissions: %w", r.Key, err)
	}
	if r.Permissions == nil {
		r.Permissions = []string{}
	}
	if i, ok := l.org[r.OrgID]; ok {
		l.page[i].CustomRoles = append(l.page[i].CustomRoles, r.RoleDef())
	}
	return nil
}

// each runs query and calls scan for every row.
func each(ctx context.Context, q Querier, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
