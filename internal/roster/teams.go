package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// TeamList is one page of teams.
type TeamList struct {
	Teams      []Team
	NextCursor string
}

// ListTeams shows the organization's teams, with their members, to every
// active member (docs/rules.md, "Who may read and change what"). A model without teams
// has no such list (404).
func (s *Service) ListTeams(ctx context.Context, actor Actor, orgID OrgID, p Page) (TeamList, error) {
	if !s.model.Teams {
		return TeamList{}, notFound("teams")
	}
	cl, err := s.readCaller(ctx, actor, orgID)
	if err != nil {
		return TeamList{}, err
	}
	limit, after, err := p.window()
	if err != nil {
		return TeamList{}, err
	}
	teams, err := s.store.ListTeams(ctx, orgID, TeamFilter{After: after, Limit: limit + 1})
	if err != nil {
		return TeamList{}, fmt.Errorf("list teams: %w", err)
	}
	var out TeamList
	out.Teams, out.NextCursor = cut(teams, limit, func(t Team) Cursor { return Cursor{Time: t.CreatedAt, ID: string(t.ID)} })
	for i := range out.Teams {
		out.Teams[i].Members = s.visibleTeamMembers(cl, out.Teams[i].Members)
	}
	return out, nil
}

// visibleTeamMembers hides other members from a caller who may not see them.
func (s *Service) visibleTeamMembers(cl caller, ids []MemberID) []MemberID {
	if s.canSeeMembers(cl) {
		return ids
	}
	if slices.Contains(ids, cl.member.ID) {
		return []MemberID{cl.member.ID}
	}
	return []MemberID{}
}

// CreateTeam adds a team; teams are managed with users.manage. Names are
// unique in the organization, compared case-insensitively (409 name_taken).
func (s *Service) CreateTeam(ctx context.Context, actor Actor, orgID OrgID, name string) (Team, error) {
	if !s.model.Teams {
		return Team{}, notFound("teams")
	}
	var team Team
	err := s.update(ctx, func(c *change) error {
		cl, err := s.lockManager(c, actor, orgID)
		if err != nil {
			return err
		}
		if err := validateName("name", name, true); err != nil {
			return err
		}
		team = Team{ID: NewTeamID(), OrgID: orgID, Name: strings.TrimSpace(name), CreatedAt: s.now(), Members: []MemberID{}}
		if err := c.tx.CreateTeam(c.ctx, team); errors.Is(err, ErrConflict) {
			return NewError(CodeNameTaken, fmt.Sprintf("a team named %q exists already", team.Name))
		} else if err != nil {
			return fmt.Errorf("create team: %w", err)
		}
		if err := c.touch(orgID); err != nil {
			return err
		}
		return c.audit(cl.Actor, orgID, "team.created", "team", string(team.ID), "", nil, map[string]any{"name": team.Name})
	})
	return team, err
}

// DeleteTeam removes a team and takes its members out of it.
func (s *Service) DeleteTeam(ctx context.Context, actor Actor, orgID OrgID, id TeamID) error {
	if !s.model.Teams {
		return notFound("teams")
	}
	return s.update(ctx, func(c *change) error {
		cl, err := s.lockCaller(c, actor, orgID)
		if err != nil {
			return err
		}
		team, err := c.tx.GetTeam(c.ctx, orgID, id)
		if errors.Is(err, ErrNotFound) {
			return notFound("team")
		} else if err != nil {
			return fmt.Errorf("get team: %w", err)
		}
		if err := s.requireManager(cl); err != nil {
			return err
		}
		if err := c.tx.DeleteTeam(c.ctx, orgID, id); err != nil {
			return fmt.Errorf("delete team: %w", err)
		}
		if err := c.touch(orgID); err != nil {
			return err
		}
		return c.audit(cl.Actor, orgID, "team.deleted", "team", string(id), "", map[string]any{"name": team.Name, "members": team.Members}, nil)
	})
}

// resolveTeams validates a member's requested teams: the model must have
// teams and each must be one of the organization's. Duplicates are dropped.
func (s *Service) resolveTeams(ctx context.Context, q Queries, org OrgID, ids []TeamID) ([]TeamID, error) {
	if len(ids) == 0 {
		return []TeamID{}, nil
	}
	if !s.model.Teams {
		return nil, Invalid("teams", "this model has no teams")
	}
	out := make([]TeamID, 0, len(ids))
	for _, id := range ids {
		if slices.Contains(out, id) {
			continue
		}
		if _, err := q.GetTeam(ctx, org, id); errors.Is(err, ErrNotFound) {
			return nil, Invalid("teams", "unknown team "+string(id))
		} else if err != nil {
			return nil, fmt.Errorf("get team: %w", err)
		}
		out = append(out, id)
	}
	return out, nil
}

// changeTeams replaces the member's teams.
func (s *Service) changeTeams(c *change, cl caller, m *Member, ids []TeamID) error {
	teams, err := s.resolveTeams(c.ctx, c.tx, cl.org.ID, ids)
	if err != nil {
		return err
	}
	if slices.Equal(slices.Sorted(slices.Values(teams)), slices.Sorted(slices.Values(m.Teams))) {
		return nil
	}
	before := m.Teams
	m.Teams = teams
	if err := c.tx.UpdateMember(c.ctx, *m); err != nil {
		return fmt.Errorf("update member: %w", err)
	}
	return c.audit(cl.Actor, cl.org.ID, "member.teams_changed", "member", string(m.ID), m.ID,
		map[string]any{"teams": nonNil(before)}, map[string]any{"teams": teams})
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
