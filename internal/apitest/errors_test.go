package apitest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/roster-dev/roster/client"
)

// R21: bad input gets one JSON error shape and changes nothing. The
// requests are raw: malformed JSON, unknown fields, wrong types, content
// types and bytes the typed client cannot send.
func TestR21BadInput(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	mpath := org(a.OrgID) + "/members/" + bk.MemberID
	cases := []struct {
		name, method, path, body string
		ctype                    string
		status                   int
		code, field              string
	}{
		{"unknown field", "PATCH", mpath, `{"role":"client","status":"active"}`, "", 422, "validation_failed", "status"},
		{"owner is not settable", "PATCH", mpath, `{"is_owner":true}`, "", 422, "validation_failed", "is_owner"},
		{"wrong type", "PATCH", mpath, `{"role":5}`, "", 422, "validation_failed", "role"},
		{"nested wrong type", "POST", org(a.OrgID) + "/invitations", `{"emails":["x@example.com"],"client_access":{"mode":1}}`, "", 422, "validation_failed", "client_access.mode"},
		{"not JSON", "PATCH", mpath, `{"role":`, "", 400, "invalid_json", ""},
		{"two values", "PATCH", mpath, `{"role":"client"}{}`, "", 400, "invalid_json", ""},
		{"wrong content type", "PATCH", mpath, `role=client`, "text/plain", 415, "unsupported_media_type", ""},
		{"charset latin1", "PATCH", mpath, `{"role":"client"}`, "application/json; charset=latin1", 415, "unsupported_media_type", ""},
		{"charset ISO-8859-1", "POST", org(a.OrgID) + "/invitations", `{"emails":["x@example.com"]}`, "application/json; charset=ISO-8859-1", 415, "unsupported_media_type", ""},
		{"invalid UTF-8", "PATCH", mpath, "{\"role\":\"client\xff\"}", "", 422, "validation_failed", "role"},
		{"invalid UTF-8 in a list", "POST", org(a.OrgID) + "/invitations", "{\"emails\":[\"x@example.com\",\"y\xc3@example.com\"]}", "", 422, "validation_failed", "emails"},
		{"invalid UTF-8 nested", "POST", org(a.OrgID) + "/invitations", "{\"emails\":[\"x@example.com\"],\"first_name\":\"\xed\xa0\x80\"}", "", 422, "validation_failed", "first_name"},
		{"lone surrogate", "PATCH", org(a.OrgID), `{"name":"Org \udc00"}`, "", 422, "validation_failed", "name"},
		{"too large", "POST", org(a.OrgID) + "/invitations", `{"emails":["` + strings.Repeat("a", 70000) + `"]}`, "", 413, "body_too_large", ""},
		{"method not allowed", "PUT", mpath, `{}`, "", 405, "method_not_allowed", ""},
		{"unknown role", "PATCH", mpath, `{"role":"wizard"}`, "", 422, "validation_failed", "role"},
		{"unknown org", "GET", org("org_nothere") + "/members", "", "", 404, "not_found", ""},
		{"no token", "GET", "/api/v1/me", "", "none", 401, "unauthenticated", ""},
	}
	before := e.TableCounts()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, e.URL+c.path, strings.NewReader(c.body))
			if c.ctype != "none" {
				req.Header.Set("Authorization", "Bearer "+a.Token)
			}
			ct := c.ctype
			if ct == "" || ct == "none" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Error struct{ Code, Message, Field string }
			}
			if err := jsonDecode(res.Body, &body); err != nil {
				t.Fatalf("the error is not the contract's JSON: %v", err)
			}
			if res.StatusCode != c.status || body.Error.Code != c.code || body.Error.Field != c.field || body.Error.Message == "" {
				t.Fatalf("got %d %+v, want %d %s field %q", res.StatusCode, body.Error, c.status, c.code, c.field)
			}
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("content type %q", res.Header.Get("Content-Type"))
			}
		})
	}
	if after := e.TableCounts(); after != before {
		t.Fatalf("refused requests changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// docs/api.md: the order of refusals is 401, 404, 403, 422, 409.
// The bodies are raw garbage, which the typed client cannot send.
func TestRefusalOrder(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	bk := addMember(t, e, a, "bookkeeper", "bk@example.com")
	// A bookkeeper sending garbage to a manager-only route gets 403, not 422.
	r := e.Do("POST", org(a.OrgID)+"/invitations", bk.Token, `{"emails": 5, "nope": true}`)
	if r.Status != 403 {
		t.Fatalf("403 before 422: got %d %s", r.Status, r.Body)
	}
	// A stranger gets 404 for the organization, before anything else.
	s := e.Signup("stranger@example.com", "S")
	if r := e.Do("POST", org(a.OrgID)+"/invitations", s.Token, `{"bad json`); r.Status != 404 {
		t.Fatalf("404 before 400/422: got %d %s", r.Status, r.Body)
	}
}

// docs/security.md item 1: every route called by org A's members with org B's
// ids answers 404 and changes nothing.
func TestCrossTenantIsolation(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("a@example.com", "A")
	b := e.Signup("b@example.com", "B")
	bMember := addMember(t, e, b, "client", "bm@example.com")
	bClient := createClient(t, e, b.Token, b.OrgID, "B client")
	aMember := addMember(t, e, a, "client", "am@example.com")

	before := e.TableCounts()
	archived := client.UpdateClientRequest{Status: client.Ptr(client.ClientArchived)}
	toRole := func(role string) client.UpdateMemberRequest { return client.UpdateMemberRequest{Role: &role} }
	calls := []struct {
		name string
		call func(c *client.Client) error
	}{
		{"GET org B", func(c *client.Client) error { return discard(c.GetOrganization(bg, b.OrgID)) }},
		{"PATCH org B", func(c *client.Client) error {
			return discard(c.UpdateOrganization(bg, b.OrgID, client.UpdateOrganizationRequest{Name: client.Ptr("pwned")}))
		}},
		{"GET B members", func(c *client.Client) error { return discard(c.ListMembers(bg, b.OrgID, client.MemberQuery{})) }},
		{"GET B member", func(c *client.Client) error { return discard(c.GetMember(bg, b.OrgID, bMember.MemberID)) }},
		{"PATCH B member", func(c *client.Client) error {
			return discard(c.UpdateMember(bg, b.OrgID, bMember.MemberID, toRole("practice_admin")))
		}},
		{"PUT B member clients", func(c *client.Client) error {
			return discard(c.SetClientAccess(bg, b.OrgID, bMember.MemberID, client.ClientAccess{Mode: client.AccessSpecific}))
		}},
		{"revoke B member", func(c *client.Client) error { return discard(c.Revoke(bg, b.OrgID, bMember.MemberID)) }},
		{"reactivate B member", func(c *client.Client) error { return discard(c.Reactivate(bg, b.OrgID, bMember.MemberID)) }},
		{"resend B member", func(c *client.Client) error { return discard(c.ResendInvitation(bg, b.OrgID, bMember.MemberID)) }},
		{"DELETE B member", func(c *client.Client) error { return c.DeleteMember(bg, b.OrgID, bMember.MemberID) }},
		{"GET B member access", func(c *client.Client) error { return discard(c.MemberAccess(bg, b.OrgID, bMember.MemberID)) }},
		{"invite into B", func(c *client.Client) error {
			return discard(c.Invite(bg, b.OrgID, client.InviteRequest{Emails: []string{"x@example.com"}}))
		}},
		{"GET B roles", func(c *client.Client) error { return discard(c.ListRoles(bg, b.OrgID)) }},
		{"GET B permissions", func(c *client.Client) error { return discard(c.ListPermissions(bg, b.OrgID)) }},
		{"GET B clients", func(c *client.Client) error { return discard(c.ListClients(bg, b.OrgID, client.ClientQuery{})) }},
		{"POST B clients", func(c *client.Client) error {
			return discard(c.CreateClient(bg, b.OrgID, client.CreateClientRequest{Name: "x"}))
		}},
		{"PATCH B client", func(c *client.Client) error { return discard(c.UpdateClient(bg, b.OrgID, bClient, archived)) }},
		{"GET B audit", func(c *client.Client) error { return discard(c.ListAudit(bg, b.OrgID, client.AuditQuery{})) }},
		{"check in B", func(c *client.Client) error {
			return discard(c.Check(bg, b.OrgID, client.CheckRequest{UserID: b.UserID, Permission: "users.manage"}))
		}},
		// Org A's path with org B's sub-resource ids.
		{"GET B member in A", func(c *client.Client) error { return discard(c.GetMember(bg, a.OrgID, bMember.MemberID)) }},
		{"PATCH B member in A", func(c *client.Client) error {
			return discard(c.UpdateMember(bg, a.OrgID, bMember.MemberID, toRole("client")))
		}},
		{"revoke B member in A", func(c *client.Client) error { return discard(c.Revoke(bg, a.OrgID, bMember.MemberID)) }},
		{"PATCH B client in A", func(c *client.Client) error { return discard(c.UpdateClient(bg, a.OrgID, bClient, archived)) }},
	}
	for _, tok := range []string{a.Token, aMember.Token} {
		as := e.api(tok)
		for _, c := range calls {
			if err := c.call(as); client.StatusOf(err) != 404 {
				t.Errorf("%s: got %v, want 404", c.name, err)
			}
		}
	}
	// Assigning org B's client inside org A is a validation error, not a leak.
	_, err := e.api(a.Token).SetClientAccess(bg, a.OrgID, aMember.MemberID, client.ClientAccess{Mode: client.AccessSpecific, Clients: []string{bClient}})
	if client.StatusOf(err) != 422 {
		t.Errorf("assigning a foreign client: got %v, want 422", err)
	}
	if after := e.TableCounts(); after != before {
		t.Fatalf("cross-tenant calls changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

// docs/security.md item 7: no response carries a hash, a seed or a token of
// another principal; item 28: tokens are stored only as hashes.
// The responses are read raw (e.Do): the typed client would drop the very
// fields this test looks for.
func TestNoSecretsInResponsesOrDatabase(t *testing.T) {
	t.Parallel()
	e := New(t, "practice")
	a := e.Signup("owner@example.com", "Org")
	res := invite(t, e, a.Token, a.OrgID, "bookkeeper", "new@example.com")
	inviteToken := e.LastToken("new@example.com", "invite")
	var bodies []string
	for _, p := range []string{"/api/v1/me", org(a.OrgID), org(a.OrgID) + "/members", org(a.OrgID) + "/members/" + res[0].MemberID, org(a.OrgID) + "/audit", org(a.OrgID) + "/roles"} {
		bodies = append(bodies, string(e.Must(http.StatusOK, "GET", p, a.Token, nil).Body))
	}
	for _, b := range bodies {
		for _, secret := range []string{"$argon2id$", inviteToken, a.Token, "password_hash", "token_hash"} {
			if strings.Contains(b, secret) {
				t.Fatalf("a response carries %q: %s", secret, b)
			}
		}
	}
	dump := e.DatabaseText()
	for _, secret := range []string{inviteToken, a.Token, Password} {
		if strings.Contains(dump, secret) {
			t.Fatalf("the database stores a raw secret %q", secret)
		}
	}
}
