package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/mail"
	"github.com/roster-dev/roster/internal/pgtest"
	"github.com/roster-dev/roster/internal/postgres"
	"github.com/roster-dev/roster/internal/roster"
)

// counting is a mail transport that counts deliveries per email id.
type counting struct {
	mu   sync.Mutex
	sent map[string]int
}

func (c *counting) Send(_ context.Context, e roster.Email) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent[e.ID]++
	return nil
}

// TestOutboxOneSenderPerEmail is rule R20 with several nodes: three nodes'
// senders run at once on one outbox; every email is delivered exactly once
// (FOR UPDATE SKIP LOCKED hands each row to one claimer). Then a node claims
// emails and dies before sending them: the others send them once the lease
// has passed (at least once, never lost).
func TestOutboxOneSenderPerEmail(t *testing.T) {
	const nodes, emails = 3, 300
	db := pgtest.NewDatabase(t)
	stores := make([]*postgres.Store, nodes)
	for i := range stores {
		stores[i] = open(t, db)
	}
	enqueue(t, stores[0], "a", emails)
	tr := &counting{sent: map[string]int{}}
	runSenders(t, stores, tr, time.Now)
	for i := range emails {
		if n := tr.sent[fmt.Sprintf("a%d", i)]; n != 1 {
			t.Errorf("email a%d delivered %d times, want 1", i, n)
		}
	}

	enqueue(t, stores[0], "b", 10)
	dead, err := stores[0].ClaimEmails(t.Context(), time.Now(), time.Hour, 10) // and never sends
	if err != nil || len(dead) != 10 {
		t.Fatalf("claim by the dying node: %d emails (%v), want 10", len(dead), err)
	}
	later := func() time.Time { return time.Now().Add(2 * time.Hour) } // past the lease
	runSenders(t, stores[1:], tr, later)
	for i := range 10 {
		if n := tr.sent[fmt.Sprintf("b%d", i)]; n != 1 {
			t.Errorf("email b%d, claimed by a node that died, delivered %d times, want 1", i, n)
		}
	}
}

func enqueue(t *testing.T, s *postgres.Store, prefix string, n int) {
	t.Helper()
	err := s.WithTx(t.Context(), func(tx roster.Tx) error {
		for i := range n {
			e := roster.Email{ID: fmt.Sprintf("%s%d", prefix, i), To: "x@example.com", Subject: "s", Body: "b", Kind: "test", CreatedAt: time.Now()}
			if err := tx.EnqueueEmail(t.Context(), e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runSenders runs one sender per store until the outbox is empty.
func runSenders(t *testing.T, stores []*postgres.Store, tr mail.Transport, now func() time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for _, s := range stores {
		snd := mail.NewSender(s, tr, mail.Options{Now: now, Batch: 7, PollInterval: 5 * time.Millisecond})
		wg.Go(func() { _ = snd.Run(ctx) })
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := stores[0].PendingEmails(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emails still pending after 20 s", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
}
