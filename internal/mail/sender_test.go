package mail

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

func TestFlushSendsAllDueEmails(t *testing.T) {
	c := newClock()
	box := newOutbox(email("a", 0), email("b", time.Second), email("c", 2*time.Second),
		email("d", 3*time.Second), email("e", 4*time.Second), email("later", time.Hour))
	c.Advance(time.Minute)
	tr := &recorder{}
	s := NewSender(box, tr, Options{Now: c.Now, Batch: 2})

	n, err := s.Flush(context.Background())
	if err != nil || n != 5 {
		t.Fatalf("flush: got %d, %v; want 5, nil", n, err)
	}
	if got, want := tr.ids(), []string{"a", "b", "c", "d", "e"}; !slices.Equal(got, want) {
		t.Fatalf("sent: got %v, want %v (oldest first)", got, want)
	}
	for _, id := range tr.ids() {
		if q := box.get(id); !q.sentAt.Equal(c.Now()) {
			t.Errorf("%s: sent at %v, want %v", id, q.sentAt, c.Now())
		}
	}
	if q := box.get("later"); !q.sentAt.IsZero() || q.email.Attempts != 0 {
		t.Errorf("an email not yet due was touched: %+v", q)
	}
	if n, err := s.Flush(context.Background()); n != 0 || err != nil {
		t.Fatalf("second flush: got %d, %v; want 0, nil", n, err)
	}
}

func TestFlushFailureBacksOff(t *testing.T) {
	c := newClock()
	box := newOutbox(email("em1", 0))
	var logs bytes.Buffer
	tr := &recorder{err: errors.New("connection refused")}
	s := NewSender(box, tr, Options{
		Now: c.Now, MaxBackoff: 10 * time.Second,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	// Each attempt waits twice as long as the one before, up to MaxBackoff.
	for i, wait := range []time.Duration{1, 2, 4, 8, 10, 10} {
		wait *= time.Second
		n, err := s.Flush(context.Background())
		if n != 0 || err != nil {
			t.Fatalf("attempt %d: flush got %d, %v; want 0, nil", i+1, n, err)
		}
		q := box.get("em1")
		if want := c.Now().Add(wait); !q.dueAt.Equal(want) {
			t.Fatalf("attempt %d: retry at %v, want now+%v", i+1, q.dueAt.Sub(c.Now()), wait)
		}
		if q.lastErr != "connection refused" || !q.sentAt.IsZero() {
			t.Fatalf("attempt %d: got %+v", i+1, q)
		}
		c.Advance(wait - time.Millisecond)
		if n, _ := s.Flush(context.Background()); n != 0 || box.get("em1").email.Attempts != i+1 {
			t.Fatalf("attempt %d: retried before its time", i+1)
		}
		c.Advance(time.Millisecond)
	}
	out := logs.String()
	if !strings.Contains(out, `"email_id":"em1"`) || !strings.Contains(out, "connection refused") {
		t.Errorf("log lacks the email id or the error:\n%s", out)
	}
	if strings.Contains(out, "invite/em1") {
		t.Errorf("log holds the body:\n%s", out)
	}

	tr.err = nil
	if n, _ := s.Flush(context.Background()); n != 1 {
		t.Fatalf("after the transport recovered: sent %d, want 1", n)
	}
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		attempts int
		want     time.Duration
	}{
		{0, time.Second}, {1, time.Second}, {2, 2 * time.Second}, {3, 4 * time.Second},
		{12, 2048 * time.Second}, {13, time.Hour}, {34, time.Hour}, {64, time.Hour}, {1 << 30, time.Hour},
	}
	for _, tt := range tests {
		if got := backoff(tt.attempts, time.Hour); got != tt.want {
			t.Errorf("backoff(%d): got %v, want %v", tt.attempts, got, tt.want)
		}
	}
}

// crashingTransport ends the sending goroutine inside Send, as a process
// dying between claim and send would: nothing after the claim runs.
type crashingTransport struct{}

func (crashingTransport) Send(context.Context, roster.Email) error {
	runtime.Goexit()
	return nil
}

// R20: an email claimed by a sender that dies before sending is delivered
// by another sender once the lease has passed.
func TestCrashBetweenClaimAndSend(t *testing.T) {
	c := newClock()
	box := newOutbox(email("em1", 0))
	lease := time.Minute

	var wg sync.WaitGroup
	wg.Go(func() {
		crashed := NewSender(box, crashingTransport{}, Options{Now: c.Now, Lease: lease})
		crashed.Flush(context.Background())
		t.Error("Flush returned after the crash")
	})
	wg.Wait()
	if q := box.get("em1"); q.email.Attempts != 1 || !q.sentAt.IsZero() {
		t.Fatalf("after the crash: got %+v, want claimed once and unsent", q)
	}

	tr := &recorder{}
	s := NewSender(box, tr, Options{Now: c.Now, Lease: lease})
	if n, _ := s.Flush(context.Background()); n != 0 {
		t.Fatalf("claimed again during the lease: sent %d", n)
	}
	c.Advance(lease)
	if n, err := s.Flush(context.Background()); n != 1 || err != nil {
		t.Fatalf("after the lease: got %d, %v; want 1, nil", n, err)
	}
	if q := box.get("em1"); q.sentAt.IsZero() || q.email.Attempts != 2 {
		t.Fatalf("after delivery: got %+v, want sent on attempt 2", q)
	}
}

// The same crash with the directory transport: the .eml file appears.
func TestCrashThenDirDelivery(t *testing.T) {
	c := newClock()
	box := newOutbox(email("em1", 0))
	var wg sync.WaitGroup
	wg.Go(func() {
		NewSender(box, crashingTransport{}, Options{Now: c.Now}).Flush(context.Background())
	})
	wg.Wait()
	c.Advance(time.Minute)
	d, dir := newDir(t, c)
	if n, _ := NewSender(box, d, Options{Now: c.Now}).Flush(context.Background()); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	data, err := os.ReadFile(dir + "/" + FileName(email("em1", 0)))
	if err != nil || !strings.Contains(string(data), "https://roster.example/invite/em1\r\n") {
		t.Fatalf("the email was lost: %v\n%s", err, data)
	}
}

func TestNotifyNeverBlocks(t *testing.T) {
	s := NewSender(newOutbox(), &recorder{}, Options{})
	for range 100 {
		s.Notify() // no Run is reading: must not block
	}
}

func TestRunWakesOnNotifyAndStopsOnCancel(t *testing.T) {
	c := newClock()
	box := newOutbox()
	box.claimed = make(chan struct{}, 1)
	tr := &recorder{told: make(chan roster.Email, 1)}
	s := NewSender(box, tr, Options{Now: c.Now, PollInterval: time.Hour})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := make(chan error, 1)
	go func() { result <- s.Run(ctx) }()
	waitFor(t, box.claimed, "the first read of the outbox")

	box.enqueue(email("em1", 0))
	s.Notify()
	select {
	case e := <-tr.told:
		if e.ID != "em1" {
			t.Fatalf("sent %s, want em1", e.ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Notify did not wake Run (the poll interval is an hour)")
	}

	cancel()
	select {
	case err := <-result:
		if err != nil {
			t.Fatalf("Run: got %v, want nil on cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestRunPolls(t *testing.T) {
	c := newClock()
	box := newOutbox()
	tr := &recorder{told: make(chan roster.Email, 1)}
	s := NewSender(box, tr, Options{Now: c.Now, PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	box.enqueue(email("em1", 0)) // no Notify
	select {
	case <-tr.told:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not poll the outbox")
	}
}

func TestRunReturnsWhenAlreadyCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tr := &recorder{}
	s := NewSender(newOutbox(email("em1", 0)), tr, Options{})
	if err := s.Run(ctx); err != nil {
		t.Fatalf("Run: got %v, want nil", err)
	}
}

// A delivered email is marked sent even when the context ends during the
// send, so shutdown does not cause a duplicate.
func TestMarkSurvivesCancel(t *testing.T) {
	c := newClock()
	box := newOutbox(email("em1", 0))
	ctx, cancel := context.WithCancel(context.Background())
	s := NewSender(box, cancelOnSend{cancel}, Options{Now: c.Now})
	if n, _ := s.Flush(ctx); n != 1 {
		t.Fatalf("sent %d, want 1", n)
	}
	if box.get("em1").sentAt.IsZero() {
		t.Fatal("the email was sent but not marked")
	}
}

type cancelOnSend struct{ cancel context.CancelFunc }

func (c cancelOnSend) Send(context.Context, roster.Email) error {
	c.cancel()
	return nil
}

func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
