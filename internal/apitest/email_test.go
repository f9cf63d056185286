package apitest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/roster-dev/roster/client"
	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/roster"
)

// R20: emails go through the outbox in the same transaction as the change;
// a crash between the change and the send loses nothing.
func TestR20OutboxSurvivesCrash(t *testing.T) {
	t.Parallel()
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
		SecretKey: bytes.Repeat([]byte{7}, 32), Clock: e.Clock.Now, MailPoll: 3600e9} // every node shares the key
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
	t.Parallel()
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
	must(e.api("").PreviewInvitation(bg, e.LastToken("link@example.com", "invite")))(t)
}

// Unsent emails hold no usable link: the outbox stores their bodies sealed
// with the node's secret key, on either store. They still go out with a
// working link, and a row queued before bodies were sealed (plain text) is
// still sent as it is.
func TestOutboxBodiesSealed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "sealed@example.com")
	token := res[0].AcceptURL[strings.LastIndex(res[0].AcceptURL, "/")+1:]

	dump := e.DatabaseText()
	for _, secret := range []string{token, "/invite/", "/verify/", "Hello"} {
		if strings.Contains(dump, secret) {
			t.Fatalf("the outbox stores %q in the clear", secret)
		}
	}
	pending, err := e.App.Store.PendingEmails(ctx)
	if err != nil || pending != 2 || strings.Count(dump, "sealed:v1:") != pending {
		t.Fatalf("got %d sealed bodies for %d (%v) pending emails, want 2 of 2", strings.Count(dump, "sealed:v1:"), pending, err)
	}

	legacy := roster.Email{ID: "eml_legacy", To: "old@example.com", Subject: "Old", Kind: "invitation",
		Body: "Hello,\n\nhttps://roster.example/invite/legacy-token\n", CreatedAt: e.Clock.Now()}
	if err := e.App.Store.WithTx(ctx, func(tx roster.Tx) error { return tx.EnqueueEmail(ctx, legacy) }); err != nil {
		t.Fatal(err)
	}
	var sentLegacy bool
	for _, em := range e.Emails() {
		if strings.Contains(em.To, "old@example.com") && strings.Contains(em.Body, "/invite/legacy-token") {
			sentLegacy = true
		}
	}
	if !sentLegacy {
		t.Errorf("the email queued with a plain body was not sent as it was")
	}
	if got := e.LastToken("sealed@example.com", "invite"); got != token {
		t.Fatalf("emailed token %q, want the accept URL's %q", got, token)
	}
	must(e.api("").AcceptInvitation(bg, client.AcceptRequest{Token: token, Password: Password, FirstName: "Sea", LastName: "Led"}))(t)
	if dump := e.DatabaseText(); strings.Contains(dump, "sealed:v1:") || strings.Contains(dump, "legacy-token") {
		t.Errorf("a sent email's body stays in the outbox")
	}
}

// An email domain with a label that starts or ends with a hyphen is not an
// address: sign-up, organization creation and invitations refuse it alike
// (one check, roster.ValidateEmail), and nothing is stored.
func TestEmailDomainHyphenLabelsRefused(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	before := e.TableCounts()
	for _, bad := range []string{"a@-x.com", "a@x-.com", "a@x.-y.com", "a@x.y-.com"} {
		_, err := e.api("").Signup(bg, signupReq(bad))
		if st, code, field := apiErr(err); st != 422 || code != "validation_failed" || field != "email" {
			t.Errorf("sign-up as %s: got %v, want 422 validation_failed on email", bad, err)
		}
		_, err = e.api(OperatorToken).AdminCreateOrganization(bg, client.CreateOrganizationRequest{Name: "Y", OwnerEmail: bad})
		if st, code, field := apiErr(err); st != 422 || code != "validation_failed" || field != "owner_email" {
			t.Errorf("operator creates an organization for %s: got %v, want 422 on owner_email", bad, err)
		}
		res := invite(t, e, a.Token, a.OrgID, "bookkeeper", bad)
		if len(res) != 1 || res[0].Status != "error" || res[0].Error == nil || res[0].Error.Code != "validation_failed" {
			t.Errorf("invitation of %s: got %+v, want a validation_failed result", bad, res)
		}
	}
	if after := e.TableCounts(); after != before {
		t.Fatalf("refused addresses changed the database:\nbefore %s\nafter  %s", before, after)
	}
	// Hyphens inside a label stay fine.
	e.Signup("a@x-y.example.com", "Hyphen Co")
}
