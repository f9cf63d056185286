package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlcore"
)

// LoadOrgAccess reads one organization's authorization data in one read
// transaction, so the snapshot is consistent with its revision.
func (s *Store) LoadOrgAccess(ctx context.Context, org roster.OrgID) (roster.OrgAccess, error) {
	var a roster.OrgAccess
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		a, err = sqlcore.LoadOrgAccess(ctx, tx, dialect, org)
		return err
	})
	return a, err
}

// LoadAccessPage reads a page of organizations' authorization data in one
// read transaction (start-up).
func (s *Store) LoadAccessPage(ctx context.Context, after roster.OrgID, limit int) ([]roster.OrgAccess, error) {
	var page []roster.OrgAccess
	err := s.read(ctx, func(tx *sql.Tx) (err error) {
		page, err = sqlcore.LoadAccessPage(ctx, tx, dialect, after, limit)
		return err
	})
	return page, err
}

// read runs fn in a read-only transaction: one snapshot of the database.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // read-only
	return fn(tx)
}
