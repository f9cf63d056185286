package server_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/roster-dev/roster/internal/apitest"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/server"
)

// forbiddenFields are fields a client might try to smuggle into a write:
// the tenant, ownership, status, verification and identity of records.
var forbiddenFields = []string{
	"tenant_id", "org_id", "organization_id", "owner", "owner_member_id", "is_owner", "is_billing_contact",
	"status", "email_verified", "role", "id", "user_id", "member_id", "created_at", "password_hash", "plan",
}

// docs/security.md item 6, generated from the route table and the request
// structs: every route that reads a JSON body, sent one field its request
// struct does not have (each of forbiddenFields that it lacks), answers
// 422 validation_failed naming that field, and the database is unchanged.
func TestForbiddenFieldsRefusedEveryWriteRoute(t *testing.T) {
	onBothStores(t, func(t *testing.T, newDB func(*testing.T) string) {
		fieldsSweep(t, apitest.NewOn(t, "practice", newDB(t)))
	})
}

func fieldsSweep(t *testing.T, e *apitest.Env) {
	a := e.Signup("owner@example.com", "Org")
	fields := server.RequestFieldsForTest()
	e.Must(200, "GET", "/api/v1/orgs/"+a.OrgID, a.Token, nil) // the owner's own activity, before the snapshot
	before := e.DatabaseText()
	n := 0
	for _, rt := range server.RouteTableForTest() {
		accepted, decodes := fields[rt.Pattern]
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if !decodes {
			continue // reads no body (requestBodies lists every route that does)
		}
		token := a.Token
		switch rt.Need {
		case roster.RequireNothing:
			token = ""
		case roster.RequireOperator:
			token = apitest.OperatorToken
		}
		p := pathParam.ReplaceAllString(strings.ReplaceAll(path, "{org}", a.OrgID), "none")
		for _, f := range forbiddenFields {
			if slices.Contains(accepted, f) {
				continue
			}
			n++
			r := e.Do(method, p, token, map[string]any{f: "x"})
			if r.Status != 422 || r.ErrorCode() != "validation_failed" || r.ErrorField() != f {
				t.Errorf("%s %s with %q: got %d %s, want 422 validation_failed on %s", method, p, f, r.Status, r.Body, f)
			}
		}
	}
	t.Logf("%d refusals checked", n)
	if after := e.DatabaseText(); after != before {
		t.Errorf("refused writes changed the database:\n%s", diffLines(before, after))
	}
}
