package sqlcore

import (
	"context"
	"database/sql"
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
	COALESCE(u.totp_enabled, FALSE),
	(SELECT max(i.expires_at) FROM invitations i WHERE i.member_id = m.id AND i.state = 'pending')
FROM members m LEFT JOIN users u ON u.id = m.user_id`

func scanMember(row Scanner) (roster.Member, error) {
	var m roster.Member
	var created int64
	var lastActive, expires sql.NullInt64
	err := row.Scan(&m.ID, &m.OrgID, &m.UserID, &m.Email, &m.FirstName, &m.LastName, &m.Role, &m.Status, &m.ClientMode,
		&m.AgentAccess, &m.Accepted, &m.InvitedBy, &created, &lastActive, &m.TwoFactor, &expires)
	m.CreatedAt, m.LastActiveAt, m.InvitationExpiresAt = FromTS(created), fromNullTS(lastActive), fromNullTS(expires)
	m.Clients, m.Teams = []roster.ClientID{}, []roster.TeamID{}
	return m, err
}

func (q *Queries) getMember(ctx context.Context, org roster.OrgID, where string, arg any) (roster.Member, error) {
	m, err := scanMember(q.QueryRow(ctx, memberSelect+` WHERE m.org_id = ? AND `+where, org, arg))
	if noRows(err) {
		return roster.Member{}, notFound("member", arg)
	}
	if err != nil {
		return roster.Member{}, fmt.Errorf("get member %v: %w", arg, err)
	}
	ms := []roster.Member{m}
	if err := q.fillMembers(ctx, ms); err != nil {
		return roster.Member{}, err
	}
	return ms[0], nil
}

func (q *Queries) GetMember(ctx context.Context, org roster.OrgID, id roster.MemberID) (roster.Member, error) {
	return q.getMember(ctx, org, "m.id = ?", id)
}

func (q *Queries) GetMemberByUser(ctx context.Context, org roster.OrgID, user roster.UserID) (roster.Member, error) {
	return q.getMember(ctx, org, "m.user_id = ?", user)
}

// GetMemberByEmail matches the invited address or the joined user's address.
func (q *Queries) GetMemberByEmail(ctx context.Context, org roster.OrgID, email string) (roster.Member, error) {
	norm := roster.NormalizeEmail(email)
	m, err := q.getMember(ctx, org, "m.email_norm = ?", norm)
	if errors.Is(err, roster.ErrNotFound) {
		return q.getMember(ctx, org, "u.email_norm = ?", norm)
	}
	return m, err
}

func (q *Queries) ListMembers(ctx context.Context, org roster.OrgID, f roster.MemberFilter) ([]roster.Member, error) {
	where := []string{"m.org_id = ?"}
	args := []any{org}
	if len(f.Roles) > 0 {
		cond, arg := in(q.d, "m.role", f.Roles)
		where, args = append(where, cond), append(args, arg)
	}
	if len(f.Statuses) > 0 {
		cond, arg := in(q.d, "m.status", f.Statuses)
		where, args = append(where, cond), append(args, arg)
	}
	if f.Query != "" {
		like := "%" + escapeLike(strings.ToLower(f.Query)) + "%"
		lower := q.d.Lower
		where = append(where, `(`+lower+`(COALESCE(u.email, m.email)) LIKE ? ESCAPE '\'
			OR `+lower+`(CASE WHEN u.id IS NULL THEN m.first_name || ' ' || m.last_name ELSE u.first_name || ' ' || u.last_name END) LIKE ? ESCAPE '\')`)
		args = append(args, like, like)
	}
	if f.OnlyID != "" {
		where = append(where, "m.id = ?")
		args = append(args, f.OnlyID)
	}
	if f.After != nil {
		where = append(where, "(m.created_at > ? OR (m.created_at = ? AND m.id > ?))")
		args = append(args, TS(f.After.Time), TS(f.After.Time), f.After.ID)
	}
	query := memberSelect + " WHERE " + strings.Join(where, " AND ") + " ORDER BY m.created_at, m.id" + limit(f.Limit)
	return q.listMembers(ctx, query, args...)
}

// escapeLike quotes LIKE's wildcards so a search is a plain substring.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (q *Queries) listMembers(ctx context.Context, query string, args ...any) ([]roster.Member, error) {
	ms, err := Collect(ctx, q, "members", scanMember, query, args...)
	if err != nil {
		return nil, err
	}
	return ms, q.fillMembers(ctx, ms)
}

func (q *Queries) ListMembershipsOfUser(ctx context.Context, user roster.UserID) ([]roster.Member, error) {
	return q.listMembers(ctx, memberSelect+" WHERE m.user_id = ? ORDER BY m.created_at, m.id", user)
}

// fillMembers loads the clients and teams of a page of members, one query each.
func (q *Queries) fillMembers(ctx context.Context, ms []roster.Member) error {
	if len(ms) == 0 {
		return nil
	}
	byID := make(map[roster.MemberID]*roster.Member, len(ms))
	ids := make([]roster.MemberID, len(ms))
	for i := range ms {
		byID[ms[i].ID] = &ms[i]
		ids[i] = ms[i].ID
	}
	cond, arg := in(q.d, "member_id", ids)
	err := q.each(ctx, `SELECT member_id, client_id FROM member_clients WHERE `+cond+` ORDER BY member_id, position`, []any{arg}, func(id, v string) {
		byID[roster.MemberID(id)].Clients = append(byID[roster.MemberID(id)].Clients, roster.ClientID(v))
	})
	if err != nil {
		return fmt.Errorf("member clients: %w", err)
	}
	cond, arg = in(q.d, "mt.member_id", ids)
	err = q.each(ctx, `SELECT mt.member_id, mt.team_id FROM member_teams mt JOIN teams t ON t.id = mt.team_id WHERE `+cond+` ORDER BY mt.member_id, t.created_at, t.id`, []any{arg}, func(id, v string) {
		byID[roster.MemberID(id)].Teams = append(byID[roster.MemberID(id)].Teams, roster.TeamID(v))
	})
	if err != nil {
		return fmt.Errorf("member teams: %w", err)
	}
	return nil
}

func (q *Queries) CountSeats(ctx context.Context, org roster.OrgID, now time.Time) (int, int, error) {
	var seats, agents int
	err := q.QueryRow(ctx, `SELECT count(*), count(CASE WHEN m.agent_access THEN 1 END) FROM members m
		WHERE m.org_id = ? AND (m.status = 'active' OR (m.status = 'invited' AND EXISTS (
			SELECT 1 FROM invitations i WHERE i.member_id = m.id AND i.state = 'pending' AND i.expires_at > ?)))`,
		org, TS(now)).Scan(&seats, &agents)
	if err != nil {
		return 0, 0, fmt.Errorf("count seats %s: %w", org, err)
	}
	return seats, agents, nil
}

func (q *Queries) CreateMember(ctx context.Context, m roster.Member) error {
	err := q.insert(ctx, "member", `INSERT INTO members (id, org_id, user_id, email, email_norm, first_name, last_name, role, status,
		client_mode, agent_access, accepted, invited_by, created_at, last_active_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.OrgID, nullString(string(m.UserID)), m.Email, roster.NormalizeEmail(m.Email), m.FirstName, m.LastName, m.Role, m.Status,
		modeOrAll(m.ClientMode), m.AgentAccess, m.Accepted, m.InvitedBy, TS(m.CreatedAt), nullTS(m.LastActiveAt))
	if err != nil {
		return err
	}
	return q.writeMemberLinks(ctx, m)
}

func modeOrAll(m roster.ClientAccessRule) string {
	if m == "" {
		return string(roster.AccessAll)
	}
	return string(m)
}

func (q *Queries) UpdateMember(ctx context.Context, m roster.Member) error {
	err := q.guarded(ctx, func() error {
		res, err := q.Exec(ctx, `UPDATE members SET user_id = ?, email = ?, email_norm = ?, first_name = ?, last_name = ?, role = ?,
			status = ?, client_mode = ?, agent_access = ?, accepted = ? WHERE org_id = ? AND id = ?`,
			nullString(string(m.UserID)), m.Email, roster.NormalizeEmail(m.Email), m.FirstName, m.LastName, m.Role, m.Status,
			modeOrAll(m.ClientMode), m.AgentAccess, m.Accepted, m.OrgID, m.ID)
		return q.exactlyOne(res, err, "member", m.ID)
	})
	if err != nil {
		return err
	}
	if _, err := q.Exec(ctx, `DELETE FROM member_clients WHERE member_id = ?`, m.ID); err != nil {
		return fmt.Errorf("update member clients %s: %w", m.ID, err)
	}
	if _, err := q.Exec(ctx, `DELETE FROM member_teams WHERE member_id = ?`, m.ID); err != nil {
		return fmt.Errorf("update member teams %s: %w", m.ID, err)
	}
	return q.writeMemberLinks(ctx, m)
}

// writeMemberLinks stores the member's clients and teams, which must belong
// to the member's organization: one statement each, whose row count tells
// whether every listed client (team) was found there.
func (q *Queries) writeMemberLinks(ctx context.Context, m roster.Member) error {
	for i, c := range m.Clients {
		res, err := q.Exec(ctx, `INSERT INTO member_clients (member_id, client_id, position)
			SELECT ?, id, ? FROM clients WHERE id = ? AND org_id = ?`, m.ID, i, c, m.OrgID)
		if err := q.exactlyOne(res, err, "client", c); err != nil {
			return fmt.Errorf("assign client to %s: %w", m.ID, err)
		}
	}
	for _, t := range m.Teams {
		res, err := q.Exec(ctx, `INSERT INTO member_teams (member_id, team_id) SELECT ?, id FROM teams WHERE id = ? AND org_id = ?`, m.ID, t, m.OrgID)
		if err := q.exactlyOne(res, err, "team", t); err != nil {
			return fmt.Errorf("add %s to team: %w", m.ID, err)
		}
	}
	return nil
}

func (q *Queries) DeleteMember(ctx context.Context, org roster.OrgID, id roster.MemberID) error {
	res, err := q.Exec(ctx, `DELETE FROM members WHERE org_id = ? AND id = ?`, org, id)
	return q.exactlyOne(res, err, "member", id)
}

func (q *Queries) TouchMember(ctx context.Context, org roster.OrgID, id roster.MemberID, at time.Time) error {
	res, err := q.Exec(ctx, `UPDATE members SET last_active_at = ? WHERE org_id = ? AND id = ?`, TS(at), org, id)
	return q.exactlyOne(res, err, "member", id)
}
