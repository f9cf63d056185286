package mail

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// countingOutbox counts the claims made on a fakeOutbox.
type countingOutbox struct {
	*fakeOutbox
	claims atomic.Int32
}

func (o *countingOutbox) ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]roster.Email, error) {
	o.claims.Add(1)
	return o.fakeOutbox.ClaimEmails(ctx, now, lease, limit)
}

// R20: a sender that claimed emails and then died (here: the claim is made
// on the outbox and its result dropped) leaves them hidden for the lease;
// a new Sender delivers them once the lease has passed, and not before.
func TestAbandonedClaimDeliveredAfterLease(t *testing.T) {
	ctx := context.Background()
	c := newClock()
	box := newOutbox(email("a", 0), email("b", 0), email("c", 0))
	const lease = 45 * time.Second

	dead, err := box.ClaimEmails(ctx, c.Now(), lease, 2) // the dying sender's claim
	if err != nil || len(dead) != 2 {
		t.Fatalf("claim: got %d emails, %v; want 2", len(dead), err)
	}

	tr := &recorder{}
	s := NewSender(box, tr, Options{Now: c.Now, Lease: lease})
	if n, err := s.Flush(ctx); n != 1 || err != nil {
		t.Fatalf("during the lease: got %d, %v; want 1 (only the unclaimed email), nil", n, err)
	}
	c.Advance(lease - time.Nanosecond)
	if n, _ := s.Flush(ctx); n != 0 {
		t.Fatalf("just before the lease ends: sent %d, want 0", n)
	}
	c.Advance(time.Nanosecond)
	if n, err := s.Flush(ctx); n != 2 || err != nil {
		t.Fatalf("once the lease has passed: got %d, %v; want 2, nil", n, err)
	}
	if got, want := slices.Sorted(slices.Values(tr.ids())), []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Fatalf("sent: got %v, want %v", got, want)
	}
	for _, e := range dead {
		if q := box.get(e.ID); q.sentAt.IsZero() || q.email.Attempts != 2 {
			t.Errorf("%s: got sent at %v after %d attempts, want sent on attempt 2", e.ID, q.sentAt, q.email.Attempts)
		}
	}
}

// A failed send is marked failed with retryAt = now + 1s·2^(attempts-1),
// capped at MaxBackoff, where attempts counts the claim just made.
func TestFailedSendRetryAt(t *testing.T) {
	tests := []struct {
		attempts int // the email's attempts before this claim
		max      time.Duration
		want     time.Duration
	}{
		{0, time.Hour, time.Second},
		{1, time.Hour, 2 * time.Second},
		{4, time.Hour, 16 * time.Second},
		{11, time.Hour, 2048 * time.Second},
		{12, time.Hour, time.Hour}, // 4096s capped
		{5, 20 * time.Second, 20 * time.Second},
		{99, 0, time.Hour}, // zero MaxBackoff takes the 1h default
	}
	for _, tt := range tests {
		c := newClock()
		e := email("em1", 0)
		e.Attempts = tt.attempts
		box := newOutbox(e)
		s := NewSender(box, &recorder{err: errors.New("421 try later")}, Options{Now: c.Now, MaxBackoff: tt.max})
		if n, err := s.Flush(context.Background()); n != 0 || err != nil {
			t.Fatalf("flush: got %d, %v; want 0, nil", n, err)
		}
		q := box.get("em1")
		if got := q.dueAt.Sub(c.Now()); got != tt.want {
			t.Errorf("attempt %d, max %v: got retry at now+%v, want now+%v", tt.attempts+1, tt.max, got, tt.want)
		}
		if q.lastErr != "421 try later" || !q.sentAt.IsZero() {
			t.Errorf("attempt %d: got %+v, want failed with the transport's error", tt.attempts+1, q)
		}
	}
}

// Flush goes on while batches come back full, and stops at the first one
// that is not: 5 emails in batches of 2 take 3 claims, 4 take 3 (the last
// one empty), 1 takes 1.
func TestFlushBatches(t *testing.T) {
	for _, tt := range []struct{ emails, claims int }{{5, 3}, {4, 3}, {1, 1}, {0, 1}} {
		c := newClock()
		box := &countingOutbox{fakeOutbox: newOutbox()}
		for i := range tt.emails {
			box.enqueue(email(string(rune('a'+i)), time.Duration(i)))
		}
		c.Advance(time.Second)
		tr := &recorder{}
		n, err := NewSender(box, tr, Options{Now: c.Now, Batch: 2}).Flush(context.Background())
		if n != tt.emails || err != nil {
			t.Errorf("%d emails: got %d, %v; want %d, nil", tt.emails, n, err, tt.emails)
		}
		if got := int(box.claims.Load()); got != tt.claims {
			t.Errorf("%d emails: got %d claims, want %d", tt.emails, got, tt.claims)
		}
		if pending, _ := box.PendingEmails(context.Background()); pending != 0 {
			t.Errorf("%d emails: %d left unsent", tt.emails, pending)
		}
	}
}

// Notify makes Run deliver at once, long before its poll interval; Run
// returns nil when its context is cancelled.
func TestRunNotifyIsPrompt(t *testing.T) {
	c := newClock()
	box := newOutbox()
	box.claimed = make(chan struct{}, 1)
	tr := &recorder{told: make(chan roster.Email, 1)}
	const poll = time.Minute
	s := NewSender(box, tr, Options{Now: c.Now, PollInterval: poll})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := make(chan error, 1)
	go func() { result <- s.Run(ctx) }()
	waitFor(t, box.claimed, "Run's first read of the outbox")

	box.enqueue(email("em1", 0))
	start := time.Now()
	s.Notify()
	select {
	case <-tr.told:
		if d := time.Since(start); d > poll/10 {
			t.Errorf("delivered after %v, want well before the %v poll interval", d, poll)
		}
	case <-time.After(poll / 10):
		t.Fatal("Notify did not wake Run")
	}
	for deadline := time.Now().Add(5 * time.Second); box.get("em1").sentAt.IsZero(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) { // MarkEmailSent follows Send
			t.Fatal("delivered but not marked sent")
		}
	}

	cancel()
	select {
	case err := <-result:
		if err != nil {
			t.Fatalf("Run: got %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}
