package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

var outboxCases = []testCase{
	{"OutboxClaimLeaseAndMark", testOutbox},
	{"OutboxNotFound", testOutboxNotFound},
}

func emailAt(i int, created time.Time) roster.Email {
	return roster.Email{ID: fmt.Sprintf("eml_%d", i), To: fmt.Sprintf("to%d@example.com", i), Subject: fmt.Sprintf("Subject %d", i),
		Body: "Hello,\n\nfollow https://roster.example/accept#token\n\nÜmlaut", Kind: "invitation", CreatedAt: created}
}

func (f *fixture) enqueue(es ...roster.Email) {
	f.t.Helper()
	f.write(func(tx roster.Tx) error {
		for _, e := range es {
			if err := tx.EnqueueEmail(f.ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

func (f *fixture) claim(now time.Time, lease time.Duration, limit int) []roster.Email {
	f.t.Helper()
	es, err := f.s.ClaimEmails(f.ctx, now, lease, limit)
	noErr(f.t, "ClaimEmails", err)
	return es
}

func (f *fixture) pending(want int) {
	f.t.Helper()
	n, err := f.s.PendingEmails(f.ctx)
	if err != nil || n != want {
		f.t.Errorf("PendingEmails: got %d (%v), want %d", n, err, want)
	}
}

// attempted is e as a claim returns it, after n attempts.
func attempted(e roster.Email, n int) roster.Email {
	e.Attempts = n
	return e
}

func testOutbox(t *testing.T, f *fixture) {
	const lease = time.Minute
	e1, e2, e3 := emailAt(1, at(0)), emailAt(2, at(time.Second)), emailAt(3, at(2*time.Second))
	f.enqueue(e3, e1) // creation order, not insertion order, decides
	f.enqueue(e2)
	f.pending(3)
	t0 := at(10 * time.Second)

	check(t, "first claim", f.claim(t0, lease, 2), []roster.Email{attempted(e1, 1), attempted(e2, 1)})
	check(t, "second claim, same time", f.claim(t0, lease, 10), []roster.Email{attempted(e3, 1)})
	check(t, "third claim, inside the lease", f.claim(t0.Add(lease-time.Nanosecond), lease, 10), []roster.Email{})
	f.pending(3) // claimed is not sent

	noErr(t, "MarkEmailSent", f.s.MarkEmailSent(f.ctx, e1.ID, t0.Add(time.Second)))
	f.pending(2)
	t1 := t0.Add(lease)
	check(t, "claim after the lease", f.claim(t1, lease, 10), []roster.Email{attempted(e2, 2), attempted(e3, 2)})

	noErr(t, "MarkEmailFailed", f.s.MarkEmailFailed(f.ctx, e2.ID, t1.Add(30*time.Second), "451 try later"))
	check(t, "claim before the retry", f.claim(t1.Add(29*time.Second), lease, 10), []roster.Email{})
	check(t, "claim at the retry", f.claim(t1.Add(30*time.Second), lease, 10), []roster.Email{attempted(e2, 3)})
	noErr(t, "MarkEmailSent", f.s.MarkEmailSent(f.ctx, e2.ID, t1.Add(31*time.Second)))
	noErr(t, "MarkEmailSent", f.s.MarkEmailSent(f.ctx, e3.ID, t1.Add(31*time.Second)))
	f.pending(0)
	check(t, "claim long after, everything sent", f.claim(at(24*time.Hour), lease, 10), []roster.Email{})
	check(t, "claim with limit 0", f.claim(at(24*time.Hour), lease, 0), []roster.Email{})

	e4 := emailAt(4, at(time.Hour))
	f.enqueue(e4)
	check(t, "claim before an email's creation", f.claim(at(time.Hour-time.Second), lease, 10), []roster.Email{})
	check(t, "claim at its creation", f.claim(at(time.Hour), lease, 10), []roster.Email{attempted(e4, 1)})
}

func testOutboxNotFound(t *testing.T, f *fixture) {
	wantErr(t, "MarkEmailSent of an unknown email", f.s.MarkEmailSent(f.ctx, "eml_missing", Base), roster.ErrNotFound)
	wantErr(t, "MarkEmailFailed of an unknown email", f.s.MarkEmailFailed(f.ctx, "eml_missing", Base, "x"), roster.ErrNotFound)
	e := emailAt(1, Base)
	f.enqueue(e)
	err := f.try(func(tx roster.Tx) error { return tx.EnqueueEmail(f.ctx, e) })
	wantErr(t, "EnqueueEmail with a taken id", err, roster.ErrConflict)
	f.pending(1)
}
