package server

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/roster"
)

func decodeBody(body string, v any) error {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return decodeJSON(r, v)
}

func TestDecodeJSON(t *testing.T) {
	type nested struct {
		Mode string `json:"mode"`
	}
	type req struct {
		Name   string   `json:"name"`
		Emails []string `json:"emails"`
		On     *bool    `json:"on"`
		Access *nested  `json:"access"`
	}
	cases := []struct {
		body, code, field string
	}{
		{`{"name":"x"}`, "", ""},
		{``, "", ""},
		{`{"name":1}`, "validation_failed", "name"},
		{`{"emails":"a"}`, "validation_failed", "emails"},
		{`{"access":{"mode":2}}`, "validation_failed", "access.mode"},
		{`{"nope":1}`, "validation_failed", "nope"},
		{`{"access":{"nope":1}}`, "validation_failed", "nope"},
		{`{"name":"x"} {"name":"y"}`, "invalid_json", ""},
		{`{"name":`, "invalid_json", ""},
		{`[1,2]`, "validation_failed", "body"},
		{`null`, "", ""},
	}
	for _, c := range cases {
		var v req
		err := decodeBody(c.body, &v)
		var e *roster.Error
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s: got %v, want ok", c.body, err)
		case c.code != "" && (!errors.As(err, &e) || string(e.Code) != c.code || e.Field != c.field):
			t.Errorf("%s: got %v, want %s on %q", c.body, err, c.code, c.field)
		}
	}
}

// FuzzDecodeJSON: any body gives a value or a contract error, never a panic
// or an internal error.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"emails":["a@b.c"],"role":"x"}`, `{"client_access":{"mode":"all","clients":[]}}`, `{`, `[]`, `"x"`, `{"agent_access":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v inviteRequest
		err := decodeBody(body, &v)
		var e *roster.Error
		if err != nil && (!errors.As(err, &e) || statusOf[e.Code] == 0) {
			t.Fatalf("body %q: error outside the contract: %v", body, err)
		}
	})
}
