package apitest

import (
	"context"
	"errors"
	"testing"

	"github.com/roster-dev/roster/client"
)

// bg is the context of the client calls in tests.
var bg = context.Background()

// api returns a client of the node that acts with token ("" for none).
func (e *Env) api(token string) *client.Client {
	return client.New(e.URL, client.WithToken(token), client.WithHTTPClient(e.Server.Client()))
}

// apiErr returns the status, code and field of a client error: 0 and ""
// for nil, or for an error that is not an answer of the node.
func apiErr(err error) (status int, code, field string) {
	var e *client.Error
	if !errors.As(err, &e) {
		return 0, "", ""
	}
	return e.Status, e.Code, e.Field
}

// must takes a client call's two results and returns a function that fails
// the test on the error and returns the value:
//
//	m := must(owner.GetMember(bg, orgID, memberID))(t)
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%v", err)
		}
		return v
	}
}

// isErr reports whether err is the node's answer with that status and code.
func isErr(err error, status int, code string) bool {
	st, c, _ := apiErr(err)
	return st == status && c == code
}
