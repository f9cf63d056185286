package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/apitest"
)

// Names from portal forms skip the JSON decoder's UTF-8 check: the service
// refuses one that is not UTF-8 (such an organization name once made the
// mail formatter loop for ever; FuzzFormat's corpus keeps that case).
func TestInvalidUTF8NamesRefused(t *testing.T) {
	e := apitest.New(t, "practice")
	c := newClient(t, e)
	c.get("/signup")
	before := e.TableCounts()
	p := c.post("/signup", url.Values{"email": {"odd@example.com"}, "password": {apitest.Password},
		"first_name": {"Odd"}, "last_name": {"Name"}, "organization_name": {"=?" + strings.Repeat("\x80", 60)}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "not valid UTF-8") {
		t.Fatalf("sign-up with a name that is not UTF-8: %d at %s", p.Status, p.URL)
	}
	if after := e.TableCounts(); after != before {
		t.Fatal("a refused sign-up changed the database")
	}
}
