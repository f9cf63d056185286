package mail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// t0 is the fake clock's start.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// clock is a fake clock, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// queued is one email in the fake outbox.
type queued struct {
	email   roster.Email
	dueAt   time.Time // next_attempt_at: the lease end while claimed
	sentAt  time.Time // zero while unsent
	lastErr string
}

// fakeOutbox is an in-memory roster.Outbox with the store's lease
// semantics: a claim counts an attempt and hides the email until now+lease.
type fakeOutbox struct {
	mu      sync.Mutex
	emails  map[string]*queued
	claimed chan struct{} // when non-nil, told after every ClaimEmails
}

func newOutbox(emails ...roster.Email) *fakeOutbox {
	o := &fakeOutbox{emails: map[string]*queued{}}
	for _, e := range emails {
		o.enqueue(e)
	}
	return o
}

func (o *fakeOutbox) enqueue(e roster.Email) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.emails[e.ID] = &queued{email: e, dueAt: e.CreatedAt}
}

// get returns a copy of one email's state.
func (o *fakeOutbox) get(id string) queued {
	o.mu.Lock()
	defer o.mu.Unlock()
	return *o.emails[id]
}

func (o *fakeOutbox) ClaimEmails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]roster.Email, error) {
	defer o.tellClaimed()
	o.mu.Lock()
	defer o.mu.Unlock()
	var due []*queued
	for _, q := range o.emails {
		if q.sentAt.IsZero() && !q.dueAt.After(now) {
			due = append(due, q)
		}
	}
	slices.SortFunc(due, func(a, b *queued) int {
		return cmpEmails(a.email, b.email)
	})
	var out []roster.Email
	for _, q := range due[:min(limit, len(due))] {
		q.email.Attempts++
		q.dueAt = now.Add(lease)
		out = append(out, q.email)
	}
	return out, nil
}

func cmpEmails(a, b roster.Email) int {
	if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
		return c
	}
	switch {
	case a.ID < b.ID:
		return -1
	case a.ID > b.ID:
		return 1
	}
	return 0
}

func (o *fakeOutbox) tellClaimed() {
	if o.claimed == nil {
		return
	}
	select {
	case o.claimed <- struct{}{}:
	default:
	}
}

var errNoEmail = errors.New("no such email")

func (o *fakeOutbox) MarkEmailSent(ctx context.Context, id string, at time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	q, ok := o.emails[id]
	if !ok {
		return fmt.Errorf("email %s: %w", id, errNoEmail)
	}
	q.sentAt, q.lastErr = at, ""
	return nil
}

func (o *fakeOutbox) MarkEmailFailed(ctx context.Context, id string, retryAt time.Time, errText string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	q, ok := o.emails[id]
	if !ok || !q.sentAt.IsZero() {
		return fmt.Errorf("email %s: %w", id, errNoEmail)
	}
	q.dueAt, q.lastErr = retryAt, errText
	return nil
}

func (o *fakeOutbox) PendingEmails(ctx context.Context) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, q := range o.emails {
		if q.sentAt.IsZero() {
			n++
		}
	}
	return n, nil
}

// recorder is a Transport that keeps what it is given and can fail.
type recorder struct {
	mu   sync.Mutex
	sent []roster.Email
	err  error             // returned by every Send when set
	told chan roster.Email // when non-nil, told after every successful Send
}

func (r *recorder) Send(ctx context.Context, e roster.Email) error {
	r.mu.Lock()
	err := r.err
	if err == nil {
		r.sent = append(r.sent, e)
	}
	r.mu.Unlock()
	if err == nil && r.told != nil {
		r.told <- e
	}
	return err
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ids []string
	for _, e := range r.sent {
		ids = append(ids, e.ID)
	}
	return ids
}

// email makes a queued email created at t0+offset.
func email(id string, offset time.Duration) roster.Email {
	return roster.Email{
		ID: id, To: id + "@example.com", Subject: "Hello " + id,
		Body: "Accept: https://roster.example/invite/" + id + "\n", Kind: "invitation",
		CreatedAt: t0.Add(offset),
	}
}
