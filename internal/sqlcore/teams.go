package sqlcore

import (
	"context"
	"fmt"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

func (q *Queries) ListTeams(ctx context.Context, org roster.OrgID, f roster.TeamFilter) ([]roster.Team, error) {
	where := []string{"org_id = ?"}
	args := []any{org}
	if f.After != nil {
		where = append(where, "(created_at > ? OR (created_at = ? AND id > ?))")
		args = append(args, TS(f.After.Time), TS(f.After.Time), f.After.ID)
	}
	query := `SELECT ` + teamColumns + ` FROM teams WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_at, id` + limit(f.Limit)
	out, err := Collect(ctx, q, "teams", scanTeam, query, args...)
	if err != nil {
		return nil, err
	}
	return out, q.fillTeams(ctx, out)
}

const teamColumns = `id, org_id, name, created_at`

// scanTeam reads a team without its members (fillTeams adds them).
func scanTeam(row Scanner) (roster.Team, error) {
	var t roster.Team
	var created int64
	err := row.Scan(&t.ID, &t.OrgID, &t.Name, &created)
	t.CreatedAt, t.Members = FromTS(created), []roster.MemberID{}
	return t, err
}

// fillTeams loads the members of a page of teams in one query.
func (q *Queries) fillTeams(ctx context.Context, teams []roster.Team) error {
	if len(teams) == 0 {
		return nil
	}
	index := make(map[roster.TeamID]int, len(teams))
	ids := make([]roster.TeamID, len(teams))
	for i, t := range teams {
		index[t.ID], ids[i] = i, t.ID
	}
	cond, arg := in(q.d, "mt.team_id", ids)
	err := q.each(ctx, `SELECT mt.team_id, mt.member_id FROM member_teams mt JOIN members m ON m.id = mt.member_id
		WHERE `+cond+` ORDER BY m.created_at, m.id`, []any{arg}, func(team, member string) {
		i := index[roster.TeamID(team)]
		teams[i].Members = append(teams[i].Members, roster.MemberID(member))
	})
	if err != nil {
		return fmt.Errorf("team members: %w", err)
	}
	return nil
}

func (q *Queries) GetTeam(ctx context.Context, org roster.OrgID, id roster.TeamID) (roster.Team, error) {
	t, err := scanTeam(q.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE org_id = ? AND id = ?`, org, id))
	if noRows(err) {
		return roster.Team{}, notFound("team", id)
	}
	if err != nil {
		return roster.Team{}, fmt.Errorf("get team %s: %w", id, err)
	}
	teams := []roster.Team{t}
	if err := q.fillTeams(ctx, teams); err != nil {
		return roster.Team{}, err
	}
	return teams[0], nil
}

func (q *Queries) CreateTeam(ctx context.Context, t roster.Team) error {
	return q.insert(ctx, "team", `INSERT INTO teams (id, org_id, name, name_norm, created_at) VALUES (?, ?, ?, ?, ?)`,
		t.ID, t.OrgID, t.Name, roster.NormalizeName(t.Name), TS(t.CreatedAt))
}

func (q *Queries) DeleteTeam(ctx context.Context, org roster.OrgID, id roster.TeamID) error {
	res, err := q.Exec(ctx, `DELETE FROM teams WHERE org_id = ? AND id = ?`, org, id)
	return q.exactlyOne(res, err, "team", id)
}
