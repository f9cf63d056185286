package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/roster-dev/roster/internal/roster"
)

func (d *queries) ListTeams(ctx context.Context, org roster.OrgID, f roster.TeamFilter) ([]roster.Team, error) {
	var a args
	where := []string{"org_id = " + a.add(org)}
	if f.After != nil {
		t, id := a.add(ts(f.After.Time)), a.add(f.After.ID)
		where = append(where, "(created_at > "+t+" OR (created_at = "+t+" AND id > "+id+"))")
	}
	query := `SELECT ` + teamColumns + ` FROM teams WHERE ` + strings.Join(where, " AND ") + ` ORDER BY created_at, id`
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	out, err := collect(ctx, d.q, "teams", scanTeam, query, a...)
	if err != nil {
		return nil, err
	}
	return out, d.fillTeams(ctx, out)
}

const teamColumns = `id, org_id, name, created_at`

// scanTeam reads a team without its members (fillTeams adds them).
func scanTeam(row scanner) (roster.Team, error) {
	var t roster.Team
	var created int64
	err := row.Scan(&t.ID, &t.OrgID, &t.Name, &created)
	t.CreatedAt, t.Members = fromTS(created), []roster.MemberID{}
	return t, err
}

// fillTeams loads the members of a page of teams in one query.
func (d *queries) fillTeams(ctx context.Context, teams []roster.Team) error {
	if len(teams) == 0 {
		return nil
	}
	index := make(map[roster.TeamID]int, len(teams))
	ids := make([]string, len(teams))
	for i, t := range teams {
		index[t.ID], ids[i] = i, string(t.ID)
	}
	err := d.each(ctx, `SELECT mt.team_id, mt.member_id FROM member_teams mt JOIN members m ON m.id = mt.member_id
		WHERE mt.team_id = ANY($1) ORDER BY m.created_at, m.id`, []any{ids}, func(team, member string) {
		i := index[roster.TeamID(team)]
		teams[i].Members = append(teams[i].Members, roster.MemberID(member))
	})
	if err != nil {
		return fmt.Errorf("team members: %w", err)
	}
	return nil
}

func (d *queries) GetTeam(ctx context.Context, org roster.OrgID, id roster.TeamID) (roster.Team, error) {
	t, err := scanTeam(d.q.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE org_id = $1 AND id = $2`, org, id))
	if noRows(err) {
		return roster.Team{}, notFound("team", id)
	}
	if err != nil {
		return roster.Team{}, fmt.Errorf("get team %s: %w", id, err)
	}
	teams := []roster.Team{t}
	if err := d.fillTeams(ctx, teams); err != nil {
		return roster.Team{}, err
	}
	return teams[0], nil
}

func (d *queries) CreateTeam(ctx context.Context, t roster.Team) error {
	return d.insert(ctx, "team", `INSERT INTO teams (id, org_id, name, name_norm, created_at) VALUES ($1, $2, $3, $4, $5)`,
		t.ID, t.OrgID, t.Name, roster.NormalizeName(t.Name), ts(t.CreatedAt))
}

func (d *queries) DeleteTeam(ctx context.Context, org roster.OrgID, id roster.TeamID) error {
	tag, err := d.q.Exec(ctx, `DELETE FROM teams WHERE org_id = $1 AND id = $2`, org, id)
	return exactlyOne(tag, err, "team", id)
}
