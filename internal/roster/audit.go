package roster

import (
	"context"
	"errors"
	"fmt"
)

// AuditQuery filters the audit log.
type AuditQuery struct {
	MemberID MemberID // events made by or about this member
	Actor    UserID
	Action   string
	Page
}

// AuditList is one page of events, newest first.
type AuditList struct {
	Events     []AuditEvent
	NextCursor string
}

// ListAudit is R18: members with users.manage see every event; everyone
// else sees the events they made and the events about them.
func (s *Service) ListAudit(ctx context.Context, actor Actor, orgID OrgID, q AuditQuery) (AuditList, error) {
	cl, err := s.readCaller(ctx, actor, orgID)
	if err != nil {
		return AuditList{}, err
	}
	limit, before, err := q.window()
	if err != nil {
		return AuditList{}, err
	}
	f := AuditFilter{Actor: q.Actor, Action: q.Action, Before: before, Limit: limit + 1}
	subject, err := s.auditSubject(ctx, cl, q.MemberID)
	if err != nil {
		return AuditList{}, err
	}
	if subject == nil && q.MemberID != "" {
		return AuditList{Events: []AuditEvent{}}, nil
	}
	f.Subject = subject
	evs, err := s.store.ListAudit(ctx, orgID, f)
	if err != nil {
		return AuditList{}, fmt.Errorf("list audit: %w", err)
	}
	var out AuditList
	out.Events, out.NextCursor = cut(evs, limit, func(e AuditEvent) Cursor { return Cursor{Time: e.Time, ID: string(e.ID)} })
	return out, nil
}

// auditSubject decides whose events the caller sees: a manager sees the
// requested member's (or all, nil); others only their own.
func (s *Service) auditSubject(ctx context.Context, cl caller, member MemberID) (*AuditSubject, error) {
	if !s.has(cl, permUsersManage) {
		if member != "" && member != cl.member.ID {
			return nil, nil
		}
		return &AuditSubject{User: cl.UserID, Member: cl.member.ID}, nil
	}
	if member == "" {
		return nil, nil
	}
	m, err := s.store.GetMember(ctx, cl.org.ID, member)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get member: %w", err)
	}
	return &AuditSubject{User: m.UserID, Member: m.ID}, nil
}
