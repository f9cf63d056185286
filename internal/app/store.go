package app

import (
	"context"
	"fmt"
	"net/url"

	"github.com/roster-dev/roster/internal/authz"
	"github.com/roster-dev/roster/internal/postgres"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlite"
)

// openStore opens the store db names: a PostgreSQL URL or a SQLite path.
// Both apply their pending migrations.
func openStore(ctx context.Context, db string) (roster.Store, error) {
	if postgres.IsURL(db) {
		s, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, fmt.Errorf("open PostgreSQL database %s: %w", redactURL(db), err)
		}
		return s, nil
	}
	s, err := sqlite.Open(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", db, err)
	}
	return s, nil
}

// redactURL hides a database URL's password in messages and logs.
func redactURL(db string) string {
	u, err := url.Parse(db)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// cluster is what a node on PostgreSQL adds to a single node: the change
// feed that keeps its index in step with the other nodes' commits. It is
// also the roster.Index the service uses: authz.Index, plus Fresh, with
// which the service refuses to answer checks from a stale index (rule R7).
type cluster struct {
	*authz.Index
	feed *postgres.Feed // nil on SQLite: one node, nothing to follow
	stop context.CancelFunc
	done chan struct{}
}

func newCluster(index *authz.Index) *cluster { return &cluster{Index: index} }

// Fresh reports whether the index may answer (roster's freshness hook).
func (c *cluster) Fresh() error {
	if c.feed == nil {
		return nil
	}
	return c.feed.Fresh()
}

// start runs the change feed when the store is PostgreSQL, until close.
func (c *cluster) start(store roster.Store, svc *roster.Service, o Options) {
	pg, ok := store.(*postgres.Store)
	if !ok {
		return
	}
	c.feed = postgres.NewFeed(pg, postgres.FeedTarget{Refresh: svc.RefreshOrg, Revision: c.Index.Revision},
		postgres.FeedOptions{Logger: o.Logger, Poll: o.FeedPoll, StaleAfter: o.FeedStaleAfter})
	ctx, stop := context.WithCancel(context.Background())
	c.stop, c.done = stop, make(chan struct{})
	go func() {
		defer close(c.done)
		_ = c.feed.Run(ctx) // it logs its interruptions and returns when ctx ends
	}()
}

// ready is /readyz: the database answers and the index is not stale, so a
// load balancer takes a node that lost its feed out of rotation.
func (c *cluster) ready(store roster.Store) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := store.Ping(ctx); err != nil {
			return err
		}
		return c.Fresh()
	}
}

// close stops the feed and waits for it.
func (c *cluster) close() {
	if c.stop != nil {
		c.stop()
		<-c.done
	}
}
