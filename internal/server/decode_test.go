package server

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/roster-dev/roster/internal/httpkit"
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
		// Invalid UTF-8 and lone surrogates: 422 naming the field, never U+FFFD.
		{"{\"name\":\"a\xffb\"}", "validation_failed", "name"},
		{"{\"name\":\"\xc3\"}", "validation_failed", "name"},         // truncated sequence
		{"{\"name\":\"\xed\xa0\x80\"}", "validation_failed", "name"}, // UTF-8 of a surrogate
		{"{\"name\":\"\xc0\xaf\"}", "validation_failed", "name"},     // overlong '/'
		{"{\"name\":\"ok\",\"emails\":[\"a@b.c\",\"\xfe\"]}", "validation_failed", "emails"},
		{"{\"access\":{\"mode\":\"\xff\"}}", "validation_failed", "access.mode"},
		{"{\"access\":{\"mode\":\"x\"},\"name\":\"\xff\"}", "validation_failed", "name"},
		{"{\"emails\":[\"a\"],\"name\":\"\xff\"}", "validation_failed", "name"},
		{"\"\xff\"", "validation_failed", "body"},
		{`{"name":"\ud800"}`, "validation_failed", "name"},
		{`{"name":"\uDC00x"}`, "validation_failed", "name"},
		{`{"name":"\ud83d\ude00"}`, "", ""}, // a pair: 😀
		{`{"name":"\\ud800"}`, "", ""},      // an escaped backslash, then text
		{`{"name":"\u00e9\n\"\\"}`, "", ""}, // é, escapes
		{"{\"name\":\"caf\xc3\xa9 \xf0\x9f\x98\x80\"}", "", ""},
		{"{\"name\":\"x\"}\xff", "invalid_json", ""}, // outside a string: not JSON
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

// The charset of a JSON body may only be UTF-8 (415 otherwise).
func TestDecodeJSONCharset(t *testing.T) {
	cases := []struct {
		contentType string
		code        string
	}{
		{"application/json", ""},
		{"application/json; charset=utf-8", ""},
		{"application/json; charset=UTF-8", ""},
		{`application/json; charset="utf-8"`, ""},
		{"application/json;charset=Utf8", ""},
		{"application/json; charset=latin1", "unsupported_media_type"},
		{"application/json; charset=ISO-8859-1", "unsupported_media_type"},
		{"application/json; charset=utf-16", "unsupported_media_type"},
		{"application/json; charset=", "unsupported_media_type"},
		{"text/plain; charset=utf-8", "unsupported_media_type"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/", strings.NewReader(`{"name":"x"}`))
		r.Header.Set("Content-Type", c.contentType)
		var v struct {
			Name string `json:"name"`
		}
		err := decodeJSON(r, &v)
		var e *roster.Error
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%q: got %v, want ok", c.contentType, err)
		case c.code != "" && (!errors.As(err, &e) || string(e.Code) != c.code || httpkit.Status(e.Code) != 415):
			t.Errorf("%q: got %v, want 415 %s", c.contentType, err, c.code)
		}
	}
}

// FuzzDecodeJSON: any body gives a value or a contract error, never a panic
// or an internal error.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{"{\"role\":\"\xff\"}", `{"role":"\udc00"}`, `{"emails":["a@b.c"],"role":"x"}`, `{"client_access":{"mode":"all","clients":[]}}`, `{`, `[]`, `"x"`, `{"agent_access":1}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var v inviteRequest
		err := decodeBody(body, &v)
		var e *roster.Error
		if err != nil && (!errors.As(err, &e) || httpkit.Status(e.Code) == 0) {
			t.Fatalf("body %q: error outside the contract: %v", body, err)
		}
		if err == nil && (!utf8.ValidString(body) || loneSurrogate([]byte(body))) {
			t.Fatalf("body %q: accepted text that is not valid UTF-8", body)
		}
	})
}
