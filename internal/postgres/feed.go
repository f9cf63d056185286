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
	// Poll is how often the catch-up poll runs while the listening
	// connection is up (default 500 ms); while it is down, the poll runs
	// twice as often. It is lowered to StaleAfter/2 when set higher, so a
	// healthy node confirms it is caught up well within StaleAfter.
	Poll time.Duration
	// StaleAfter is how long after the start of its last successful
	// catch-up poll a node still answers from its index (default 1 s,
	// rule R7's bound): past it, Fresh reports the node stale (503).
	StaleAfter time.Duration
	// Lookback is how far behind the newest change the catch-up poll reads
	// (default 10 s): a transaction takes its change number before it
	// commits, so a number lower than one already seen can still appear.
	Lookback time.Duration
	Logger   *slog.Logger
}

// Feed keeps a node's index in step with changes committed by other nodes,
// through two independent loops:
//
//   - the listener: a dedicated connection LISTENs for the notifications
//     BumpRevision sends on commit and refreshes the organization at once
//     (the fast path, a few milliseconds). It reconnects with a backoff
//     after any failure.
//   - the catch-up poll: through the pool, every Poll (twice as often while
//     the listener is down), it reads the organizations whose change number
//     moved (change_seq) and refreshes those the index holds at an older
//     revision. A poll that succeeds proves the index holds every change
//     committed before the poll started.
//
// Freshness comes from the poll alone: the listener may be cut, silently
// dead or reconnecting, and none of that tells what it missed. Fresh
// returns an error (the node answers 503) once StaleAfter has passed since
// the start of the last successful poll, so a node never answers from data
// older than StaleAfter (rule R7), however the connections flap.
type Feed struct {
	store  *Store
	target FeedTarget
	opt    FeedOptions
	log    *slog.Logger
	// caughtUp is when the last successful poll started (the index then
	// held every change committed before), as nanoseconds since base: a
	// monotonic reading, so a wall-clock step (NTP) neither hides a dead
	// feed nor fakes a stale one.
	caughtUp atomic.Int64
	base     time.Time
	// listening is whether the listener's connection is up and LISTENing;
	// while it is not, the poll runs more often.
	listening atomic.Bool
	// nudge asks the poll to run now (the listener lost its connection, or
	// got it back: notifications may have been missed in between).
	nudge chan struct{}
}

// since is the monotonic time elapsed since the feed was made.
func (f *Feed) since() int64 { return int64(time.Since(f.base)) }

// NewFeed makes the change feed of a node on s; Run runs it.
func NewFeed(s *Store, target FeedTarget, opt FeedOptions) *Feed {
	setDefault(&opt.StaleAfter, time.Second)
	setDefault(&opt.Poll, 500*time.Millisecond)
	opt.Poll = min(opt.Poll, opt.StaleAfter/2)
	setDefault(&opt.Lookback, 10*time.Second)
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	f := &Feed{store: s, target: target, opt: opt, log: opt.Logger, base: time.Now(), nudge: make(chan struct{}, 1)}
	f.caughtUp.Store(f.since()) // the node loaded its index just before
	return f
}

func setDefault(d *time.Duration, v time.Duration) {
	if *d <= 0 {
		*d = v
	}
}

// ErrStale is Fresh's answer while the change feed cannot confirm the
// index is caught up: the node's index may miss changes made on other
// nodes (rule R7).
var ErrStale = roster.NewError(roster.CodeUnavailable, "this node has lost contact with the database's change feed; retry shortly")

// Fresh reports whether the index may be trusted: nil when a catch-up poll
// that started within StaleAfter succeeded.
func (f *Feed) Fresh() error {
	if time.Duration(f.since()-f.caughtUp.Load()) > f.opt.StaleAfter {
		return ErrStale
	}
	return nil
}

// Run follows the feed until ctx ends: the catch-up poll, and the listener,
// which reconnects after any failure with a backoff of up to 2 s.
func (f *Feed) Run(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.listenLoop(ctx)
	}()
	f.pollLoop(ctx)
	<-done
	return nil
}

// pollRetry is how soon a failed poll is tried again (a connection of the
// pool may have been cut: the next one is likely to work); the delay
// doubles while polls keep failing, up to the poll's interval.
const pollRetry = 50 * time.Millisecond

// pollLoop runs the catch-up poll until ctx ends: every Poll while the
// listener is up, every Poll/2 while it is down, soon again after a
// failure, and at once when nudged. Intervals run from a poll's start, so
// a poll's own time does not add to the age of what it confirmed.
func (f *Feed) pollLoop(ctx context.Context) {
	cur := &cursor{} // floor 0: the first polls compare every organization
	failing, retry := false, pollRetry
	for ctx.Err() == nil {
		started := time.Now()
		err := f.poll(ctx, cur)
		if ctx.Err() != nil {
			return
		}
		interval := f.opt.Poll
		if !f.listening.Load() {
			interval /= 2
		}
		switch {
		case err != nil:
			if !failing {
				f.log.WarnContext(ctx, "change feed: catch-up poll failed; checks answer 503 if it does not succeed again within the staleness bound",
					"error", err, "stale_after", f.opt.StaleAfter)
			}
			failing, interval, retry = true, min(interval, retry), min(2*retry, f.opt.Poll)
		case failing:
			f.log.InfoContext(ctx, "change feed: catch-up poll succeeded again")
			failing, retry = false, pollRetry
		}
		select {
		case <-ctx.Done():
		case <-f.nudge:
		case <-time.After(time.Until(started.Add(interval))):
		}
	}
}

// nudgePoll asks the poll to run now, unless it has been asked already.
func (f *Feed) nudgePoll() {
	select {
	case f.nudge <- struct{}{}:
	default:
	}
}

// listenLoop runs the listener until ctx ends, reconnecting after any
// failure with a backoff of up to 2 s. Its state never makes the node
// fresh: the poll runs more often while it is down.
func (f *Feed) listenLoop(ctx context.Context) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		start := time.Now()
		err := f.listen(ctx)
		f.listening.Store(false)
		if ctx.Err() != nil {
			break
		}
		f.nudgePoll()
		f.log.WarnContext(ctx, "change feed: listening connection interrupted; reconnecting (the catch-up poll goes on)", "error", err)
		if time.Since(start) > 10*time.Second {
			backoff = 100 * time.Millisecond // it had been working: retry soon
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 2*time.Second)
	}
}

// cursor is the catch-up poll's position: it reads changes numbered above
// floor, which is the newest number seen one to two Lookbacks ago (zero,
// so every organization, during the feed's first Lookback).
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

// failed is told that the poll which read above from failed: a full
// comparison that failed is made again at the next poll, not a minute on.
func (c *cursor) failed(from int64) {
	if from == 0 {
		c.comparedAt = time.Time{}
	}
}

// advance records the newest number seen and moves floor once per
// Lookback, to the newest number seen a Lookback ago.
func (c *cursor) advance(newest int64, now time.Time, lookback time.Duration) {
	c.newest = max(c.newest, newest)
	if now.Sub(c.movedAt) >= lookback {
		c.floor, c.next, c.movedAt = c.next, c.newest, now
	}
}

// listen is one connection's life: LISTEN, then handle notifications
// until an error. Every Poll without a notification it pings the
// connection, so that a dead one is noticed (and the poll sped up) within
// a Poll or two.
func (f *Feed) listen(ctx context.Context) error {
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
	f.listening.Store(true)
	f.nudgePoll() // for what was committed while the connection was down
	for {
		wait, cancel := context.WithTimeout(ctx, f.opt.Poll)
		n, err := conn.WaitForNotification(wait)
		cancel()
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed() {
				ping, cancel := context.WithTimeout(ctx, f.opt.Poll)
				err = conn.Ping(ping)
				cancel()
				if err == nil {
					continue
				}
				return fmt.Errorf("ping: %w", err)
			}
			return fmt.Errorf("wait for notification: %w", err)
		}
		org, rev, err := parseFeedPayload(n.Payload)
		if err != nil {
			f.log.WarnContext(ctx, "change feed", "error", err)
			continue
		}
		if err := f.apply(ctx, org, rev); err != nil {
			// The poll tries again: the index is behind the database.
			f.log.WarnContext(ctx, "change feed: refresh after a notification failed", "error", err)
		}
	}
}

// poll reads, through the pool, the organizations whose change number is
// above the cursor's floor and refreshes those the index holds at an older
// revision; on success the index is known to be caught up to the poll's
// start, which Fresh counts from. Its query is bounded by StaleAfter (a
// poll that took longer could not make the node fresh); each refresh by
// applyTimeout, so a large organization still gets loaded.
func (f *Feed) poll(ctx context.Context, cur *cursor) (err error) {
	started := time.Now()
	from := cur.from(started)
	defer func() {
		if err != nil {
			cur.failed(from)
		}
	}()
	qctx, cancel := context.WithTimeout(ctx, f.opt.StaleAfter)
	defer cancel()
	rows, err := f.store.pool.Query(qctx, `SELECT id, revision, change_seq FROM organizations WHERE change_seq > $1`, from)
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

// applyTimeout bounds one refresh: a hung connection must not stall the
// feed, and a large organization must still load (the node answers 503
// meanwhile, since the poll has not confirmed it is caught up).
const applyTimeout = 10 * time.Second

// apply refreshes org unless the index already holds rev or a later one
// (the node's own changes, refreshed by the service after its commit).
func (f *Feed) apply(ctx context.Context, org roster.OrgID, rev int64) error {
	if have, ok := f.target.Revision(org); ok && have >= rev {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, applyTimeout)
	defer cancel()
	if err := f.target.Refresh(ctx, org); err != nil {
		return fmt.Errorf("refresh %s: %w", org, err)
	}
	return nil
}
