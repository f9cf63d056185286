package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roster-dev/roster/internal/roster"
)

// FeedChannel is the LISTEN/NOTIFY channel of the change feed for Roster's
// tables in the public schema: every transaction that bumps an
// organization's revision notifies it, and PostgreSQL delivers the
// notification to every listening node on commit.
const FeedChannel = "roster_changes"

// feedChannel is the channel of the Roster whose tables are in schema:
// notifications are per database, and Roster instances in separate schemas
// of one database (the tests' isolation) must not hear each other.
// PostgreSQL identifiers, channel names included, are at most 63 bytes
// (pg_notify refuses longer ones): a long schema name is hashed.
func feedChannel(schema string) string {
	if schema == "public" {
		return FeedChannel
	}
	if ch := FeedChannel + "." + schema; len(ch) <= 63 {
		return ch
	}
	sum := sha256.Sum256([]byte(schema))
	return FeedChannel + "_" + hex.EncodeToString(sum[:8])
}

// Channel is the store's change feed channel.
func (s *Store) Channel() string { return s.channel }

// FeedApplicationName is the application_name of the change feed's
// connection, to find it in pg_stat_activity.
const FeedApplicationName = "roster-feed"

// feedPayload is a notification's text: "<org id> <revision>".
func feedPayload(org roster.OrgID, rev int64) string {
	return string(org) + " " + strconv.FormatInt(rev, 10)
}

// parseFeedPayload reads feedPayload's text.
func parseFeedPayload(s string) (roster.OrgID, int64, error) {
	org, rev, ok := strings.Cut(s, " ")
	n, err := strconv.ParseInt(rev, 10, 64)
	if !ok || err != nil || org == "" {
		return "", 0, fmt.Errorf("change feed: bad payload %q", s)
	}
	return roster.OrgID(org), n, nil
}

// FeedTarget is what the change feed keeps up to date: the node's
// authorization index, through the domain service.
type FeedTarget struct {
	// Refresh reloads one organization into the index (Service.RefreshOrg).
	Refresh func(ctx context.Context, org roster.OrgID) error
	// Revision is the revision the index holds for org (Index.Revision).
	Revision func(org roster.OrgID) (int64, bool)
}

// FeedOptions tune the change feed; zero values take the defaults.
type FeedOptions struct {
	// Poll is how often the catch-up poll runs while no notification
	// arrives (default 500 ms). It also bounds how late a node notices a
	// dead connection.
	Poll time.Duration
	// StaleAfter is how long the feed may be down before Fresh reports the
	// node stale (default 3 s, SPEC R7's "a few seconds").
	StaleAfter time.Duration
	// Lookback is how far behind the newest change the catch-up poll reads
	// (default 10 s): a transaction takes its change number before it
	// commits, so a number lower than one already seen can still appear.
	Lookback time.Duration
	Logger   *slog.Logger
}

// Feed keeps a node's index in step with changes committed by other nodes.
// A dedicated connection LISTENs for the notifications BumpRevision sends
// on commit (the fast path, a few milliseconds), and a catch-up poll reads
// the organizations whose change number moved (change_seq), so that a
// notification lost with a dropped connection delays a change by one poll
// at most. While the feed cannot confirm it is caught up for StaleAfter,
// Fresh returns an error and the node refuses to decide (503).
type Feed struct {
	store  *Store
	target FeedTarget
	opt    FeedOptions
	log    *slog.Logger
	// caughtUp is when the feed last confirmed the index holds every
	// change committed before, as nanoseconds since base: a monotonic
	// reading, so a wall-clock step (NTP) neither hides a dead feed nor
	// fakes a stale one.
	caughtUp atomic.Int64
	base     time.Time
}

// since is the monotonic time elapsed since the feed was made.
func (f *Feed) since() int64 { return int64(time.Since(f.base)) }

// NewFeed makes the change feed of a node on s; Run runs it.
func NewFeed(s *Store, target FeedTarget, opt FeedOptions) *Feed {
	setDefault(&opt.Poll, 500*time.Millisecond)
	setDefault(&opt.StaleAfter, 3*time.Second)
	setDefault(&opt.Lookback, 10*time.Second)
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	f := &Feed{store: s, target: target, opt: opt, log: opt.Logger, base: time.Now()}
	f.caughtUp.Store(f.since()) // the node loaded its index just before
	return f
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// ErrStale is Fresh's answer while the change feed is down: the node's
// index may miss changes made on other nodes (SPEC R7).
var ErrStale = roster.NewError(roster.CodeUnavailable, "this node has lost contact with the database's change feed; retry shortly")

// Fresh reports whether the index may be trusted: nil when the feed
// confirmed it was caught up within StaleAfter.
func (f *Feed) Fresh() error {
	if time.Duration(f.since()-f.caughtUp.Load()) > f.opt.StaleAfter {
		return ErrStale
	}
	return nil
}

// Run follows the feed until ctx ends, reconnecting after any failure with
// a backoff of up to 2 s. Every (re)connection starts with a full catch-up.
func (f *Feed) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := f.session(ctx)
		if ctx.Err() != nil {
			break
		}
		f.log.WarnContext(ctx, "change feed interrupted; reconnecting", "error", err)
		if time.Since(start) > 10*time.Second {
			backoff = 100 * time.Millisecond // it had been working: retry soon
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
	return nil
}

// cursor is the catch-up poll's position: it reads changes numbered above
// floor, which is the newest number seen one to two Lookbacks ago (zero,
// so every organization, during a connection's first Lookback).
type cursor struct {
	floor, next, newest int64
	movedAt             time.Time
	comparedAt          time.Time // the last full comparison
}

// fullCompareEvery is how often the poll compares every organization, not
// only those above the floor: a bound for a change whose transaction
// outlived the Lookback and whose notification was lost too.
const fullCompareEvery = time.Minute

// from is the change number the poll at now reads above.
func (c *cursor) from(now time.Time) int64 {
	if now.Sub(c.comparedAt) >= fullCompareEvery {
		c.comparedAt = now
		return 0
	}
	return c.floor
}

// advance records the newest number seen and moves floor once per
// Lookback, to the newest number seen a Lookback ago.
func (c *cursor) advance(newest int64, now time.Time, lookback time.Duration) {
	c.newest = max(c.newest, newest)
	if now.Sub(c.movedAt) >= lookback {
		c.floor, c.next, c.movedAt = c.next, c.newest, now
	}
}

// session is one connection's life: LISTEN, catch up fully, then handle
// notifications and poll until an error.
func (f *Feed) session(ctx context.Context) error {
	// The pool's parsed settings, not the URL again: pgx.ParseConfig would
	// send the pool's own parameters (pool_max_conns) to the server.
	cfg := f.store.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = FeedApplicationName
	dial, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.ConnectConfig(dial, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{f.store.channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	cur := &cursor{} // floor 0: the first polls compare every organization
	for {
		if err := f.poll(ctx, conn, cur); err != nil {
			return err
		}
		if err := f.listen(ctx, conn); err != nil {
			return err
		}
	}
}

// listen handles notifications until Poll passes without one.
func (f *Feed) listen(ctx context.Context, conn *pgx.Conn) error {
	deadline := time.Now().Add(f.opt.Poll)
	for {
		wait, cancel := context.WithDeadline(ctx, deadline)
		n, err := conn.WaitForNotification(wait)
		cancel()
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed() {
				return nil // time to poll
			}
			return fmt.Errorf("wait for notification: %w", err)
		}
		org, rev, err := parseFeedPayload(n.Payload)
		if err != nil {
			f.log.WarnContext(ctx, "change feed", "error", err)
			continue
		}
		if err := f.apply(ctx, org, rev); err != nil {
			return err
		}
	}
}

// poll reads the organizations whose change number is above the cursor's
// floor and refreshes those the index holds at an older revision; on
// success the index is known to be caught up to the poll's start.
func (f *Feed) poll(ctx context.Context, conn *pgx.Conn, cur *cursor) error {
	started := time.Now()
	qctx, cancel := context.WithTimeout(ctx, f.opt.StaleAfter)
	defer cancel()
	rows, err := conn.Query(qctx, `SELECT id, revision, change_seq FROM organizations WHERE change_seq > $1`, cur.from(started))
	if err != nil {
		return fmt.Errorf("catch-up poll: %w", err)
	}
	type change struct {
		org roster.OrgID
		rev int64
	}
	var changes []change
	var newest int64
	for rows.Next() {
		var c change
		var seq int64
		if err := rows.Scan(&c.org, &c.rev, &seq); err != nil {
			rows.Close()
			return fmt.Errorf("catch-up poll: %w", err)
		}
		changes, newest = append(changes, c), max(newest, seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("catch-up poll: %w", err)
	}
	for _, c := range changes {
		if err := f.apply(ctx, c.org, c.rev); err != nil {
			return err
		}
	}
	cur.advance(newest, started, f.opt.Lookback)
	f.caughtUp.Store(int64(started.Sub(f.base)))
	return nil
}

// apply refreshes org unless the index already holds rev or a later one
// (the node's own changes, refreshed by the service after its commit).
func (f *Feed) apply(ctx context.Context, org roster.OrgID, rev int64) error {
	if have, ok := f.target.Revision(org); ok && have >= rev {
		return nil
	}
	// Bounded: a hung connection must not stall the feed (the node would
	// answer 503 until TCP gave up).
	ctx, cancel := context.WithTimeout(ctx, f.opt.StaleAfter)
	defer cancel()
	if err := f.target.Refresh(ctx, org); err != nil {
		return fmt.Errorf("refresh %s: %w", org, err)
	}
	return nil
}
