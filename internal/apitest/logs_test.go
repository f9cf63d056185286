package apitest

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/roster-dev/roster/client"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// docs/security.md item 31: no password, token or link in the logs.
func TestNoSecretsInLogs(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	e := New(t, "practice", func(o *Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	a := e.Signup("owner@example.com", "Org")
	invite(t, e, a.Token, a.OrgID, "bookkeeper", "guest@example.com")
	tok := e.LastToken("guest@example.com", "invite")
	e.Do("GET", "/invite/"+tok, "", nil) // the portal's page, not the API
	anon := e.api("")
	must(anon.PreviewInvitation(bg, tok))(t)
	must(anon.AcceptInvitation(bg, client.AcceptRequest{Token: tok, Password: "guest-secret-passphrase-77", FirstName: "G", LastName: "Uest"}))(t)
	_, _ = anon.Login(bg, client.LoginRequest{Email: "owner@example.com", Password: "wrong-secret-passphrase-88"})
	out := logs.String()
	if !strings.Contains(out, `"route":"GET /invite/{token}"`) {
		t.Fatalf("requests are not logged; the canary proves nothing:\n%s", out)
	}
	for _, secret := range []string{tok, a.Token, Password, "guest-secret-passphrase-77", "wrong-secret-passphrase-88"} {
		if strings.Contains(out, secret) {
			t.Fatalf("the logs carry a secret %q", secret)
		}
	}
}
