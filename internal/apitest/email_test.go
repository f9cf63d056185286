package apitest

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/app"
)

// R20: emails go through the outbox in the same transaction as the change;
// a crash between the change and the send loses nothing.
func TestR20OutboxSurvivesCrash(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	invite(t, e, a.Token, a.OrgID, "bookkeeper", "survivor@example.com")

	// "Crash": the node stops before its sender ran (MailPoll is an hour and
	// nobody flushed). No .eml file exists yet.
	if files, _ := filepath.Glob(filepath.Join(e.MailDir, "*.eml")); len(files) != 0 {
		t.Fatalf("emails were sent before the crash: %v", files)
	}
	e.Server.Close()
	if err := e.App.Close(); err != nil {
		t.Fatal(err)
	}

	// A new node on the same database sends them.
	o := app.Options{DB: e.DBPath, Model: e.App.Service.Model(), MailDir: e.MailDir, BaseURL: e.URL,
		SecretKey: make([]byte, 32), Clock: e.Clock.Now, MailPoll: 3600e9}
	o.PasswordParams = testParams()
	b, err := app.New(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	n, err := b.Sender.Flush(context.Background())
	if err != nil || n != 2 { // verification + invitation
		t.Fatalf("flush after restart: sent %d (%v), want 2", n, err)
	}
	var found bool
	files, _ := filepath.Glob(filepath.Join(e.MailDir, "*.eml"))
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if strings.Contains(string(data), "survivor@example.com") && strings.Contains(string(data), e.URL+"/invite/") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the invitation was lost: %v", files)
	}
	if n, _ := b.Sender.Flush(context.Background()); n != 0 {
		t.Fatalf("sent emails come back: %d", n)
	}
}

// An invitation email carries its accept URL unbroken on one line.
func TestInvitationEmailLink(t *testing.T) {
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "link@example.com")
	var body string
	for _, em := range e.Emails() {
		if strings.Contains(em.To, "link@example.com") {
			body = em.Body
		}
	}
	lineFound := false
	for _, line := range strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == res[0].AcceptURL {
			lineFound = true
		}
	}
	if !lineFound {
		t.Fatalf("accept URL %s not on a line of its own in:\n%s", res[0].AcceptURL, body)
	}
	e.Must(http.StatusOK, "GET", "/api/v1/invitations/"+e.LastToken("link@example.com", "invite"), "", nil)
}
