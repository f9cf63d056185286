package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// markTimeout bounds the outbox update after a send; it runs even when the
// caller's context has ended, so a delivered email is still marked sent.
const markTimeout = 5 * time.Second

// Options tune a Sender; zero values take the defaults.
type Options struct {
	From         string           // From header of every email ("Roster <roster@localhost>")
	Logger       *slog.Logger     // discards when nil
	Now          func() time.Time // time.Now when nil
	Lease        time.Duration    // how long a claimed email is hidden from other senders (1m)
	Batch        int              // emails claimed at once (20)
	PollInterval time.Duration    // how often Run reads the outbox without a nudge (2s)
	MaxBackoff   time.Duration    // cap of the retry delay (1h)
	// Sealer opens the bodies the service sealed (roster.OpenEmail): the
	// service's Sealer, under the key every node shares. Without one, an
	// unsealed body (tests, rows older than sealing) is sent as stored and
	// a sealed one fails.
	Sealer roster.Sealer
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Lease <= 0 {
		o.Lease = time.Minute
	}
	if o.Batch <= 0 {
		o.Batch = 20
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = time.Hour
	}
	return o
}

// Sender moves emails from the outbox to a transport, at least once: an
// email is marked sent only after the transport took it, and an email whose
// sender died after claiming it is claimed again once its lease has passed.
type Sender struct {
	outbox roster.Outbox
	t      Transport
	o      Options
	nudge  chan struct{}
}

// NewSender builds a Sender. A *DirTransport given here writes the Sender's
// From address and takes its clock, so it should not be shared with another
// Sender configured differently.
func NewSender(outbox roster.Outbox, t Transport, opts Options) *Sender {
	opts = opts.withDefaults()
	if d, ok := t.(*DirTransport); ok {
		d.adopt(opts.From, opts.Now)
	}
	return &Sender{outbox: outbox, t: t, o: opts, nudge: make(chan struct{}, 1)}
}

// Notify wakes Run at once, e.g. after a commit that queued email. It never
// blocks: nudges that arrive while one is pending are merged.
func (s *Sender) Notify() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then returns nil. It reads the outbox at
// start, every PollInterval, and whenever Notify is called.
func (s *Sender) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-s.nudge:
		}
		if _, err := s.Flush(ctx); err != nil && ctx.Err() == nil {
			s.o.Logger.WarnContext(ctx, "outbox read failed", "error", err)
		}
		timer.Reset(s.o.PollInterval)
	}
}

// Flush claims and delivers every email due now, batch by batch, once, and
// returns how many were sent. A failed email is rescheduled with a growing
// delay and does not count; only an outbox read error is returned.
func (s *Sender) Flush(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		batch, err := s.outbox.ClaimEmails(ctx, s.o.Now(), s.o.Lease, s.o.Batch)
		if err != nil {
			return sent, err
		}
		for _, e := range batch {
			if s.deliver(ctx, e) {
				sent++
			}
		}
		if len(batch) < s.o.Batch {
			break
		}
	}
	return sent, nil
}

// deliver sends one claimed email and records the outcome; it reports
// whether the transport took it.
func (s *Sender) deliver(ctx context.Context, e roster.Email) bool {
	// A body that does not open (the secret key changed, or the row was
	// altered) fails like a refused send: it is retried with its backoff and
	// the log names it, so it goes out once the right key is back.
	opened, err := roster.OpenEmail(s.o.Sealer, e)
	if err == nil {
		err = s.t.Send(ctx, opened)
	}
	markCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	if err != nil {
		s.reschedule(markCtx, e, err)
		return false
	}
	if err := s.outbox.MarkEmailSent(markCtx, e.ID, s.o.Now()); err != nil {
		// Sent but not marked: it goes again after the lease (at least once).
		s.o.Logger.ErrorContext(ctx, "outbox update failed", "email_id", e.ID, "error", err)
	}
	return true
}

// reschedule makes a failed email due again after its backoff. The log
// names the email, never its body, which carries tokens.
func (s *Sender) reschedule(ctx context.Context, e roster.Email, sendErr error) {
	retry := s.o.Now().Add(backoff(e.Attempts, s.o.MaxBackoff))
	s.o.Logger.WarnContext(ctx, "email not sent", "email_id", e.ID, "kind", e.Kind,
		"attempt", e.Attempts, "retry_at", retry, "error", sendErr)
	if err := s.outbox.MarkEmailFailed(ctx, e.ID, retry, sendErr.Error()); err != nil {
		s.o.Logger.ErrorContext(ctx, "outbox update failed", "email_id", e.ID, "error", err)
	}
}

// backoff is 1s·2^(attempts-1), capped at limit; attempts counts this one.
func backoff(attempts int, limit time.Duration) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	if attempts > 33 { // 2^32 s is 136 years; one more doubling overflows soon after
		return limit
	}
	return min(time.Second<<(attempts-1), limit)
}
