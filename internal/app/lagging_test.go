package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/roster-dev/roster/internal/model"
	"github.com/roster-dev/roster/internal/password"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlite"
)

// flakyStore fails LoadOrgAccess on demand: the index refresh after a
// commit, and nothing else.
type flakyStore struct {
	roster.Store
	fail atomic.Bool
}

func (f *flakyStore) LoadOrgAccess(ctx context.Context, org roster.OrgID) (roster.OrgAccess, error) {
	if f.fail.Load() {
		return roster.OrgAccess{}, errors.New("injected: database read failed")
	}
	return f.Store.LoadOrgAccess(ctx, org)
}

// R7, R12: when the index cannot be refreshed after a revocation commits,
// checks on that organization fail closed (503) instead of answering from
// the stale index, and recover at the first check after the database does.
func TestChecksFailClosedWhenRefreshFails(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	base, err := sqlite.Open(ctx, filepath.Join(dir, "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	store := &flakyStore{Store: base}
	m, err := model.Preset("practice")
	if err != nil {
		t.Fatal(err)
	}
	params := password.TestParams()
	a, err := build(ctx, Options{Model: m, MailDir: filepath.Join(dir, "mail"), SecretKey: make([]byte, 32), SignupOpen: true,
		OperatorToken: "op-token-0123456789abcdef0123456789", PasswordParams: &params, BaseURL: "http://roster.test"}, store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	call := func(method, path, token string, body any, out any) int {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if out != nil {
			_ = json.NewDecoder(resp.Body).Decode(out)
		}
		return resp.StatusCode
	}
	const pw = "correct-kettle-orbit-42"
	var owner struct {
		Token        string
		Organization struct{ ID string }
	}
	call("POST", "/api/v1/signup", "", map[string]any{"email": "owner@example.com", "password": pw, "first_name": "O", "last_name": "W", "organization_name": "Org"}, &owner)
	org := "/api/v1/orgs/" + owner.Organization.ID
	var client struct{ ID string }
	call("POST", org+"/clients", owner.Token, map[string]any{"name": "Acme"}, &client)
	var inv struct {
		Results []struct {
			MemberID  string `json:"member_id"`
			AcceptURL string `json:"accept_url"`
		}
	}
	call("POST", org+"/roles", owner.Token, map[string]any{"name": "Reader", "permissions": []string{"clients.view"}}, nil)
	call("POST", org+"/invitations", owner.Token, map[string]any{"emails": []string{"bob@example.com"}, "role": "reader"}, &inv)
	token := inv.Results[0].AcceptURL[len("http://roster.test/invite/"):]
	var bob struct{ User struct{ ID string } }
	if s := call("POST", "/api/v1/invitations/accept", "", map[string]any{"token": token, "password": pw, "first_name": "B", "last_name": "J"}, &bob); s != 200 {
		t.Fatalf("accept: %d", s)
	}
	check := func() (int, bool, string) {
		var d struct {
			Allowed bool
			Reason  string
		}
		s := call("POST", org+"/check", "op-token-0123456789abcdef0123456789", map[string]any{"user_id": bob.User.ID, "permission": "clients.view", "client_id": client.ID}, &d)
		return s, d.Allowed, d.Reason
	}
	if s, ok, _ := check(); s != 200 || !ok {
		t.Fatalf("before: got %d allowed=%v", s, ok)
	}

	// A role edit reloads the whole organization (a change to one member
	// replaces it in the index without a read).
	store.fail.Store(true)
	if s := call("PATCH", org+"/roles/reader", owner.Token, map[string]any{"permissions": []string{"practice.billing"}}, nil); s != 200 {
		t.Fatalf("role edit: %d", s)
	}
	if s, ok, _ := check(); s != 503 {
		t.Fatalf("a check after the refresh failed: got %d allowed=%v, want 503 (the index still holds the role's old permissions)", s, ok)
	}
	store.fail.Store(false)
	if s, ok, reason := check(); s != 200 || ok || reason != "missing_permission" {
		t.Fatalf("once the database reads again: got %d allowed=%v %s, want 200 denied missing_permission", s, ok, reason)
	}
}
