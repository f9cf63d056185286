package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/apitest"
)

// An organization name sent through the sign-up form as raw bytes that are
// not UTF-8, holding "=?", must not stall the outbox: either the name is
// refused, or the invitation email it heads goes out. (Formatting such a
// subject used to loop for ever; FuzzFormat in internal/mail found it.)
func TestInvalidUTF8OrgNameDoesNotStallMail(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	c.get("/signup")
	name := "=?" + strings.Repeat("\x80", 60)
	p := c.post("/signup", url.Values{"email": {"odd@example.com"}, "password": {apitest.Password},
		"first_name": {"Odd"}, "last_name": {"Name"}, "organization_name": {name}})
	if p.Status != http.StatusOK || !strings.HasPrefix(p.URL, "/o/") {
		t.Logf("the name was refused (%d at %s): nothing to send", p.Status, p.URL)
		return
	}
	token := e.Login("odd@example.com")
	orgID := strings.TrimPrefix(orgBase(t, p.URL), "/o/")
	e.Must(http.StatusOK, "POST", "/api/v1/orgs/"+orgID+"/invitations", token, map[string]any{"emails": []string{"guest@example.com"}})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := e.App.Sender.Flush(t.Context()); err != nil {
			t.Errorf("flush: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the outbox is stuck formatting an email whose subject holds the organization's name")
	}
	if tok := e.LastToken("guest@example.com", "invite"); tok == "" {
		t.Fatal("no invitation email")
	}
}
