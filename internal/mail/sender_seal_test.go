package mail

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/seal"
)

func newBox(t *testing.T, fill byte) *seal.Box {
	t.Helper()
	box, err := seal.New(bytes.Repeat([]byte{fill}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return box
}

func sealed(t *testing.T, box *seal.Box, e roster.Email) roster.Email {
	t.Helper()
	s, err := roster.SealEmail(box, e)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.Body, "invite/") {
		t.Fatalf("the sealed body shows the link: %q", s.Body)
	}
	return s
}

// The sender opens sealed bodies with the shared key and sends a body
// queued before sealing as stored.
func TestFlushOpensSealedBodies(t *testing.T) {
	c := newClock()
	key := newBox(t, 1)
	plain := email("new", 0)
	box := newOutbox(sealed(t, key, plain), email("old", 0))
	tr := &recorder{}
	s := NewSender(box, tr, Options{Now: c.Now, Sealer: key})
	if n, err := s.Flush(context.Background()); n != 2 || err != nil {
		t.Fatalf("flush: got %d, %v; want 2, nil", n, err)
	}
	for _, e := range tr.sent {
		if want := "Accept: https://roster.example/invite/" + e.ID + "\n"; e.Body != want {
			t.Errorf("%s: sent body %q, want %q", e.ID, e.Body, want)
		}
	}
}

// A body that does not open (another key, or a recipient changed in the
// database) is not sent: it is retried like a refused send, and neither
// the error nor the log shows the body.
func TestFlushKeepsBodiesThatDoNotOpen(t *testing.T) {
	key := newBox(t, 1)
	redirected := sealed(t, key, email("moved", 0))
	redirected.To = "attacker@example.com"
	tests := []struct {
		name   string
		sealer roster.Sealer
		email  roster.Email
	}{
		{"another key", newBox(t, 2), sealed(t, key, email("em1", 0))},
		{"no key", nil, sealed(t, key, email("em1", 0))},
		{"recipient changed", key, redirected},
		{"cut short", key, func() roster.Email { e := sealed(t, key, email("em1", 0)); e.Body = e.Body[:20]; return e }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClock()
			box := newOutbox(tt.email)
			var logs bytes.Buffer
			tr := &recorder{}
			s := NewSender(box, tr, Options{Now: c.Now, Sealer: tt.sealer, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
			if n, err := s.Flush(context.Background()); n != 0 || err != nil {
				t.Fatalf("flush: got %d, %v; want 0, nil", n, err)
			}
			if len(tr.sent) != 0 {
				t.Fatalf("sent %+v", tr.sent)
			}
			q := box.get(tt.email.ID)
			if !q.sentAt.IsZero() || q.lastErr == "" || !q.dueAt.After(c.Now()) {
				t.Fatalf("got %+v, want unsent, an error and a retry", q)
			}
			if !strings.Contains(logs.String(), `"email_id":"`+tt.email.ID+`"`) {
				t.Errorf("the log does not name the email:\n%s", logs.String())
			}
			if strings.Contains(logs.String()+q.lastErr, "invite/") {
				t.Errorf("the log or error shows the body:\n%s\n%s", logs.String(), q.lastErr)
			}
		})
	}
}

// OpenEmail undoes SealEmail and nothing else.
func TestSealEmailRoundTrip(t *testing.T) {
	key := newBox(t, 1)
	e := email("em1", 0)
	e.Body = "Hello Zoë,\n\nhttps://roster.example/invite/tok\n"
	s := sealed(t, key, e)
	if s.ID != e.ID || s.To != e.To || s.Subject != e.Subject || s.Kind != e.Kind {
		t.Fatalf("sealing changed more than the body: %+v", s)
	}
	got, err := roster.OpenEmail(key, s)
	if err != nil || got != e {
		t.Fatalf("open: got %+v, %v; want %+v", got, err, e)
	}
	other := s
	other.ID = "em2" // a body copied to another row
	if _, err := roster.OpenEmail(key, other); !errors.Is(err, seal.ErrDecrypt) {
		t.Fatalf("a body moved to another row: got %v, want ErrDecrypt", err)
	}
}
