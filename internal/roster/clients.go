package roster

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ClientQuery filters the clients list.
type ClientQuery struct {
	Status string // active (default), archived or all
	Page
}

// ClientList is one page of clients.
type ClientList struct {
	Clients    []Client
	NextCursor string
}

// ListClients lists the clients the caller may see (R10, R11; docs/security.md
// item 5: scopes apply to lists too).
func (s *Service) ListClients(ctx context.Context, actor Actor, orgID OrgID, q ClientQuery) (ClientList, error) {
	if !s.model.HasClients() {
		return ClientList{}, notFound("clients")
	}
	cl, err := s.readCaller(ctx, actor, orgID)
	if err != nil {
		return ClientList{}, err
	}
	limit, after, err := q.window()
	if err != nil {
		return ClientList{}, err
	}
	f := ClientFilter{After: after, Limit: limit + 1}
	switch q.Status {
	case "", "active":
		f.Status = ClientActive
	case "archived":
		f.Status = ClientArchived
	case "all":
	default:
		return ClientList{}, Invalid("status", "status must be active, archived or all")
	}
	if all, ids := s.visibleClients(cl); !all {
		f.IDs = ids
	}
	cs, err := s.store.ListClients(ctx, orgID, f)
	if err != nil {
		return ClientList{}, fmt.Errorf("list clients: %w", err)
	}
	var out ClientList
	out.Clients, out.NextCursor = cut(cs, limit, func(c Client) Cursor { return Cursor{Time: c.CreatedAt, ID: string(c.ID)} })
	return out, nil
}

// CreateClientInput is the new client's form.
type CreateClientInput struct {
	Name       string
	ExternalID string
}

// CreateClient adds a client; it is visible at once to members with all
// clients and to no restricted member until assigned (R11).
func (s *Service) CreateClient(ctx context.Context, actor Actor, orgID OrgID, in CreateClientInput) (Client, error) {
	if !s.model.HasClients() {
		return Client{}, notFound("clients")
	}
	var out Client
	err := s.update(ctx, func(c *change) error {
		cl, err := s.lockCaller(c, actor, orgID)
		if err != nil {
			return err
		}
		if err := s.requireClientsAdmin(cl); err != nil {
			return err
		}
		if err := validateClient(in.Name, in.ExternalID); err != nil {
			return err
		}
		out = Client{ID: NewClientID(), OrgID: orgID, Name: strings.TrimSpace(in.Name), ExternalID: strings.TrimSpace(in.ExternalID), Status: ClientActive, CreatedAt: s.now()}
		if err := c.tx.CreateClient(ctx, out); err != nil {
			return fmt.Errorf("create client: %w", err)
		}
		if err := c.touch(orgID); err != nil {
			return err
		}
		return c.audit(cl.Actor, orgID, "client.created", "client", string(out.ID), "", nil, map[string]any{"name": out.Name, "external_id": out.ExternalID})
	})
	return out, err
}

func validateClient(name, externalID string) error {
	if err := validateName("name", name, true); err != nil {
		return err
	}
	if len(externalID) > 200 || strings.ContainsAny(externalID, "\r\n\x00") {
		return Invalid("external_id", "external_id must be at most 200 characters on one line")
	}
	return nil
}

// UpdateClientInput renames, archives or restores a client; nil leaves a field.
type UpdateClientInput struct {
	Name   *string
	Status *string
}

// UpdateClient renames, archives or restores a client. Archived clients stay
// granted to those with access (R11).
func (s *Service) UpdateClient(ctx context.Context, actor Actor, orgID OrgID, id ClientID, in UpdateClientInput) (Client, error) {
	if !s.model.HasClients() {
		return Client{}, notFound("clients")
	}
	var out Client
	err := s.update(ctx, func(c *change) error {
		cl, err := s.lockCaller(c, actor, orgID)
		if err != nil {
			return err
		}
		cur, err := s.visibleClient(ctx, c.tx, cl, id)
		if err != nil {
			return err
		}
		if err := s.requireClientsAdmin(cl); err != nil {
			return err
		}
		out = cur
		before, after := map[string]any{}, map[string]any{}
		if in.Name != nil {
			if err := validateClient(*in.Name, ""); err != nil {
				return err
			}
			before["name"], after["name"] = out.Name, strings.TrimSpace(*in.Name)
			out.Name = strings.TrimSpace(*in.Name)
		}
		if in.Status != nil {
			st := ClientStatus(*in.Status)
			if st != ClientActive && st != ClientArchived {
				return Invalid("status", "status must be active or archived")
			}
			before["status"], after["status"] = out.Status, st
			out.Status = st
		}
		if err := c.tx.UpdateClient(ctx, out); err != nil {
			return fmt.Errorf("update client: %w", err)
		}
		if err := c.touch(orgID); err != nil {
			return err
		}
		return c.audit(cl.Actor, orgID, "client.updated", "client", string(id), "", before, after)
	})
	return out, err
}

// visibleClient loads a client the caller may see (404 otherwise).
func (s *Service) visibleClient(ctx context.Context, q Queries, cl caller, id ClientID) (Client, error) {
	all, ids := s.visibleClients(cl)
	if !all && !slices.Contains(ids, id) {
		return Client{}, notFound("client")
	}
	c, err := q.GetClient(ctx, cl.org.ID, id)
	if errors.Is(err, ErrNotFound) {
		return Client{}, notFound("client")
	}
	if err != nil {
		return Client{}, fmt.Errorf("get client: %w", err)
	}
	return c, nil
}
