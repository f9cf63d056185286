package mail

import (
	"context"
	"log/slog"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// Options tune a Sender; zero values take the defaults.
type Options struct {
	From         string
	Logger       *slog.Logger
	Now          func() time.Time
	Lease        time.Duration // how long a claimed email is hidden from other senders (1m)
	Batch        int           // emails claimed at once (20)
	PollInterval time.Duration // how often the outbox is read without a nudge (2s)
	MaxBackoff   time.Duration // cap of the retry delay (1h)
}

// Sender moves emails from the outbox to a transport.
type Sender struct {
	outbox roster.Outbox
	t      Transport
	o      Options
	nudge  chan struct{}
}

// NewSender builds a Sender.
func NewSender(outbox roster.Outbox, t Transport, o Options) *Sender {
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
	if d, ok := t.(*DirTransport); ok {
		d.WithFrom(o.From)
		d.now = o.Now
	}
	return &Sender{outbox: outbox, t: t, o: o, nudge: make(chan struct{}, 1)}
}

// Notify wakes Run at once, e.g. after a commit that queued email. It never blocks.
func (s *Sender) Notify() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then returns nil.
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

// Flush delivers every email due now, batch by batch, and returns how many
// were sent. A failed email is rescheduled with a growing delay.
func (s *Sender) Flush(ctx context.Context) (int, error) {
	sent := 0
	for {
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
			return sent, nil
		}
	}
}

func (s *Sender) deliver(ctx context.Context, e roster.Email) bool {
	if err := s.t.Send(ctx, e); err != nil {
		retry := s.o.Now().Add(backoff(e.Attempts, s.o.MaxBackoff))
		s.o.Logger.WarnContext(ctx, "email not sent", "email_id", e.ID, "kind", e.Kind, "attempt", e.Attempts, "retry_at", retry, "error", err)
		if err := s.outbox.MarkEmailFailed(ctx, e.ID, retry, err.Error()); err != nil {
			s.o.Logger.ErrorContext(ctx, "outbox update failed", "email_id", e.ID, "error", err)
		}
		return false
	}
	if err := s.outbox.MarkEmailSent(ctx, e.ID, s.o.Now()); err != nil {
		// Sent but not marked: it will be sent again after the lease (at least once).
		s.o.Logger.ErrorContext(ctx, "outbox update failed", "email_id", e.ID, "error", err)
	}
	return true
}

// backoff is 1s·2^(attempts-1), capped.
func backoff(attempts int, limit time.Duration) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	if attempts > 30 {
		return limit
	}
	return min(time.Second<<(attempts-1), limit)
}
