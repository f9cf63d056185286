package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// memberSelect shows a joined member with its user's current email and
// names (R15: the names are the person's), 2FA state, and the expiry of its
// pending invitation.
const memberSelect = `SELECT m.id, m.org_id, COALESCE(m.user_id, ''),
	COALESCE(u.email, m.email),
	CASE WHEN u.id IS NULL THEN m.first_name ELSE u.first_name END,
	CASE WHEN u.id IS NULL THEN m.last_name ELSE u.last_name END,
	m.role, m.status, m.client_mode, m.agent_access, m.accepted, m.invited_by, m.created_at, m.last_active_at,
	COALESCE(u.totp_enabled, false),
	(SELECT max(i.expires_at) FROM invitations i WHERE i.member_id = m.id AND i.state = 'pending')
FROM members m LEFT JOIN users u ON u.id = m.user_id`

func scanMember(row scanner) (roster.Member, error) {
	var m roster.Member
	var created int64
	var lastActive, expires *int64
	err := row.Scan(&m.ID, &m.OrgID, &m.UserID, &m.Email, &m.FirstName, &m.LastName, &m.Role, &m.Status, &m.ClientMode,
		&m.AgentAccess, &m.Accepted, &m.InvitedBy, &created, &lastActive, &m.TwoFactor, &expires)
	m.CreatedAt, m.LastActiveAt, m.InvitationExpiresAt = fromTS(created), fromNullTS(lastActive), fromNullTS(expires)
	m.Clients, m.Teams = []roster.ClientID{}, []roster.TeamID{}
	return m, err
}

func (d *queries) getMember(ctx context.Context, org roster.OrgID, where string, arg any) (roster.Member, error) {
	m, err := scanMember(d.q.QueryRow(ctx, memberSelect+` WHERE m.org_id = $1 AND `+where, org, arg))
	if noRows(err) {
		return roster.Member{}, notFound("member", arg)
	}
	if err != nil {
		return roster.Member{}, fmt.Errorf("get member %v: %w", arg, err)
	}
	ms := []roster.Member{m}
	if err := d.fillMembers(ctx, ms); err != nil {
		return roster.Member{}, err
	}
	return ms[0], nil
}

func (d *queries) GetMember(ctx context.Context, org roster.OrgID, id roster.MemberID) (roster.Member, error) {
	return d.getMember(ctx, org, "m.id = $2", id)
}

func (d *queries) GetMemberByUser(ctx context.Context, org roster.OrgID, user roster.UserID) (roster.Member, error) {
	return d.getMember(ctx, org, "m.user_id = $2", user)
}

// GetMemberByEmail matches the invited address or the joined user's address.
func (d *queries) GetMemberByEmail(ctx context.Context, org roster.OrgID, email string) (roster.Member, error) {
	norm := roster.NormalizeEmail(email)
	m, err := d.getMember(ctx, org, "m.email_norm = $2", norm)
	if errors.Is(err, roster.ErrNotFound) {
		return d.getMember(ctx, org, "u.email_norm = $2", norm)
	}
	return m, err
}

func (d *queries) ListMembers(ctx context.Context, org roster.OrgID, f roster.MemberFilter) ([]roster.Member, error) {
	var a args
	where := []string{"m.org_id = " + a.add(org)}
	if len(f.Roles) > 0 {
		where = append(where, "m.role = ANY("+a.add(f.Roles)+")")
	}
	if len(f.Statuses) > 0 {
		where = append(where, "m.status = ANY("+a.add(strs(f.Statuses))+")")
	}
	if f.Query != "" {
		like := a.add("%" + escapeLike(strings.ToLower(f.Query)) + "%")
		where = append(where, `(lower(COALESCE(u.email, m.email)) LIKE `+like+`
			OR lower(CASE WHEN u.id IS NULL THEN m.first_name || ' ' || m.last_name ELSE u.first_name || ' ' || u.last_name END) LIKE `+like+`)`)
	}
	if f.OnlyID != "" {
		where = append(where, "m.id = "+a.add(f.OnlyID))
	}
	if f.After != nil {
		t, id := a.add(ts(f.After.Time)), a.add(f.After.ID)
		where = append(where, "(m.created_at > "+t+" OR (m.created_at = "+t+" AND m.id > "+id+"))")
	}
	query := memberSelect + " WHERE " + strings.Join(where, " AND ") + " ORDER BY m.created_at, m.id"
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return d.listMembers(ctx, query, a...)
}

// escapeLike quotes LIKE's wildcards (backslash is PostgreSQL's default
// LIKE escape) so a search is a plain substring.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (d *queries) listMembers(ctx context.Context, query string, args ...any) ([]roster.Member, error) {
	ms, err := collect(ctx, d.q, "members", scanMember, query, args...)
	if err != nil {
		return nil, err
	}
	return ms, d.fillMembers(ctx, ms)
}

func (d *queries) ListMembershipsOfUser(ctx context.Context, user roster.UserID) ([]roster.Member, error) {
	return d.listMembers(ctx, memberSelect+" WHERE m.user_id = $1 ORDER BY m.created_at, m.id", user)
}

// fillMembers loads the clients and teams of a page of members, one query each.
func (d *queries) fillMembers(ctx context.Context, ms []roster.Member) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[roster.MemberID]*roster.Member, len(ms))
	ids := make([]string, len(ms))
	for i := range ms {
		byID[ms[i].ID] = &ms[i]
		ids[i] = string(ms[i].ID)
	}
	err := d.each(ctx, `SELECT member_id, client_id FROM member_clients WHERE member_id = ANY($1) ORDER BY member_id, position`, []any{ids}, func(id, v string) {
		byID[roster.MemberID(id)].Clients = append(byID[roster.MemberID(id)].Clients, roster.ClientID(v))
	})
	if err != nil {
		return fmt.Errorf("member clients: %w", err)
	}
	err = d.each(ctx, `SELECT mt.member_id, mt.team_id FROM member_teams mt JOIN teams t ON t.id = mt.team_id WHERE mt.member_id = ANY($1) ORDER BY mt.member_id, t.created_at, t.id`, []any{ids}, func(id, v string) {
		byID[roster.MemberID(id)].Teams = append(byID[roster.MemberID(id)].Teams, roster.TeamID(v))
	})
	if err != nil {
		return fmt.Errorf("member teams: %w", err)
	}
	return nil
}

// each runs a two-column query and calls fn per row.
func (d *queries) each(ctx context.Context, query string, args []any, fn func(a, b string)) error {
	rows, err := d.q.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		fn(a, b)
	}
	return rows.Err()
}

func (d *queries) CountSeats(ctx context.Context, org roster.OrgID, now time.Time) (int, int, error) {
	var seats, agents int
	err := d.q.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE m.agent_access) FROM members m
		WHERE m.org_id = $1 AND (m.status = 'active' OR (m.status = 'invited' AND EXISTS (
			SELECT 1 FROM invitations i WHERE i.member_id = m.id AND i.state = 'pending' AND i.expires_at > $2)))`,
		org, ts(now)).Scan(&seats, &agents)
	if err != nil {
		return 0, 0, fmt.Errorf("count seats %s: %w", org, err)
	}
	return seats, agents, nil
}

func (d *queries) CreateMember(ctx context.Context, m roster.Member) error {
	err := d.insert(ctx, "member", `INSERT INTO members (id, org_id, user_id, email, email_norm, first_name, last_name, role, status,
		client_mode, agent_access, accepted, invited_by, created_at, last_active_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		m.ID, m.OrgID, nullString(string(m.UserID)), m.Email, roster.NormalizeEmail(m.Email), m.FirstName, m.LastName, m.Role, m.Status,
		modeOrAll(m.ClientMode), m.AgentAccess, m.Accepted, m.InvitedBy, ts(m.CreatedAt), nullTS(m.LastActiveAt))
	if err != nil {
		return err
	}
	return d.writeMemberLinks(ctx, m)
}

func modeOrAll(m roster.ClientAccessRule) string {
	if m == "" {
		return string(roster.AccessAll)
	}
	return string(m)
}

func (d *queries) UpdateMember(ctx context.Context, m roster.Member) error {
	err := d.guarded(ctx, func(q querier) error {
		tag, err := q.Exec(ctx, `UPDATE members SET user_id = $1, email = $2, email_norm = $3, first_name = $4, last_name = $5, role = $6,
			status = $7, client_mode = $8, agent_access = $9, accepted = $10 WHERE org_id = $11 AND id = $12`,
			nullString(string(m.UserID)), m.Email, roster.NormalizeEmail(m.Email), m.FirstName, m.LastName, m.Role, m.Status,
			modeOrAll(m.ClientMode), m.AgentAccess, m.Accepted, m.OrgID, m.ID)
		return exactlyOne(tag, err, "member", m.ID)
	})
	if err != nil {
		return err
	}
	if _, err := d.q.Exec(ctx, `DELETE FROM member_clients WHERE member_id = $1`, m.ID); err != nil {
		return fmt.Errorf("update member clients %s: %w", m.ID, err)
	}
	if _, err := d.q.Exec(ctx, `DELETE FROM member_teams WHERE member_id = $1`, m.ID); err != nil {
		return fmt.Errorf("update member teams %s: %w", m.ID, err)
	}
	return d.writeMemberLinks(ctx, m)
}

// writeMemberLinks stores the member's clients and teams, which must belong
// to the member's organization: one statement each, whose row count tells
// whether every listed client (team) was found there.
func (d *queries) writeMemberLinks(ctx context.Context, m roster.Member) error {
	for i, c := range m.Clients {
		tag, err := d.q.Exec(ctx, `INSERT INTO member_clients (member_id, client_id, position)
			SELECT $1, id, $2 FROM clients WHERE id = $3 AND org_id = $4`, m.ID, i, c, m.OrgID)
		if err := exactlyOne(tag, err, "client", c); err != nil {
			return fmt.Errorf("assign client to %s: %w", m.ID, err)
		}
	}
	for _, t := range m.Teams {
		tag, err := d.q.Exec(ctx, `INSERT INTO member_teams (member_id, team_id) SELECT $1, id FROM teams WHERE id = $2 AND org_id = $3`, m.ID, t, m.OrgID)
		if err := exactlyOne(tag, err, "team", t); err != nil {
			return fmt.Errorf("add %s to team: %w", m.ID, err)
		}
	}
	return nil
}

func (d *queries) DeleteMember(ctx context.Context, org roster.OrgID, id roster.MemberID) error {
	tag, err := d.q.Exec(ctx, `DELETE FROM members WHERE org_id = $1 AND id = $2`, org, id)
	return exactlyOne(tag, err, "member", id)
}

func (d *queries) TouchMember(ctx context.Context, org roster.OrgID, id roster.MemberID, at time.Time) error {
	tag, err := d.q.Exec(ctx, `UPDATE members SET last_active_at = $1 WHERE org_id = $2 AND id = $3`, ts(at), org, id)
	return exactlyOne(tag, err, "member", id)
}
