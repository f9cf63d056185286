// Package apitest runs a whole Roster node (real SQLite file, real HTTP
// handler, .eml mail directory, a fake clock) for tests that go through the
// API as a client would.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/model"
	"github.com/roster-dev/roster/internal/password"
)

// OperatorToken is the operator token of every test node.
const OperatorToken = "test-operator-token-0123456789abcdef"

// Password is a password every test account may use (R2: 15+ characters,
// not common).
const Password = "correct-kettle-orbit-42"

// Clock is a settable clock, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Env is one node under test.
type Env struct {
	T       testing.TB
	App     *app.App
	Server  *httptest.Server
	URL     string
	Clock   *Clock
	MailDir string
	DBPath  string
}

// Options are the node options a test may adjust.
type Options = app.Options

// Option adjusts the node's options before it starts.
type Option func(*app.Options)

// New starts a node on a fresh SQLite file with the given preset.
func New(t testing.TB, preset string, opts ...Option) *Env {
	t.Helper()
	dir := tempDir(t)
	m, err := model.Preset(preset)
	if err != nil {
		t.Fatalf("preset %s: %v", preset, err)
	}
	clock := &Clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	params := password.TestParams()
	e := &Env{T: t, Clock: clock, MailDir: filepath.Join(dir, "mail"), DBPath: filepath.Join(dir, "roster.db")}
	e.Server = httptest.NewUnstartedServer(nil)
	e.URL = "http://" + e.Server.Listener.Addr().String()
	o := app.Options{
		DB: e.DBPath, Model: m, MailDir: e.MailDir, BaseURL: e.URL, SignupOpen: true,
		InviteTTL: 7 * 24 * time.Hour, SecretKey: bytes.Repeat([]byte{7}, 32), OperatorToken: OperatorToken,
		Clock: clock.Now, PasswordParams: &params, MailPoll: time.Hour,
	}
	for _, opt := range opts {
		opt(&o)
	}
	a, err := app.New(context.Background(), o)
	if err != nil {
		t.Fatalf("start node: %v", err)
	}
	e.App = a
	e.Server.Config.Handler = a.Handler
	e.Server.Start()
	t.Cleanup(func() {
		e.Server.Close()
		a.Close()
	})
	return e
}

// Resp is an HTTP answer.
type Resp struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Resp) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// M decodes the body as a JSON object.
func (r *Resp) M(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// ErrorCode returns error.code of an error body, or "".
func (r *Resp) ErrorCode() string {
	var b struct {
		Error struct {
			Code  string `json:"code"`
			Field string `json:"field"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// ErrorField returns error.field of an error body, or "".
func (r *Resp) ErrorField() string {
	var b struct {
		Error struct {
			Field string `json:"field"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &b)
	return b.Error.Field
}

// Do sends a request; body is JSON-encoded unless it is a string or []byte.
func (e *Env) Do(method, path, token string, body any) *Resp {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("encode body: %v", err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.T.Fatalf("request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := e.Server.Client().Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		e.T.Fatalf("read body: %v", err)
	}
	return &Resp{Status: res.StatusCode, Header: res.Header, Body: data}
}

// Must sends a request and fails the test unless the status is want.
func (e *Env) Must(want int, method, path, token string, body any) *Resp {
	e.T.Helper()
	r := e.Do(method, path, token, body)
	if r.Status != want {
		e.T.Fatalf("%s %s: got %d %s, want %d", method, path, r.Status, r.Body, want)
	}
	return r
}

// Account is a signed-up user with the organization it owns.
type Account struct {
	Token    string
	UserID   string
	Email    string
	OrgID    string
	MemberID string
}

// Signup creates an account and its organization.
func (e *Env) Signup(email, orgName string) Account {
	e.T.Helper()
	r := e.Must(http.StatusCreated, "POST", "/api/v1/signup", "", map[string]any{
		"email": email, "password": Password, "first_name": "Ada", "last_name": "Owner", "organization_name": orgName,
	})
	var b struct {
		Token        string `json:"token"`
		User         struct{ ID string }
		Organization struct {
			ID            string `json:"id"`
			OwnerMemberID string `json:"owner_member_id"`
		}
	}
	r.JSON(e.T, &b)
	return Account{Token: b.Token, UserID: b.User.ID, Email: email, OrgID: b.Organization.ID, MemberID: b.Organization.OwnerMemberID}
}

// Login opens a new session.
func (e *Env) Login(email string) string {
	e.T.Helper()
	r := e.Must(http.StatusCreated, "POST", "/api/v1/sessions", "", map[string]any{"email": email, "password": Password})
	var b struct{ Token string }
	r.JSON(e.T, &b)
	return b.Token
}

// Email is one message from the mail directory.
type Email struct {
	To, Subject, Body, File string
}

// Emails flushes the outbox and returns every email written so far, oldest first.
func (e *Env) Emails() []Email {
	e.T.Helper()
	if _, err := e.App.Sender.Flush(context.Background()); err != nil {
		e.T.Fatalf("flush outbox: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(e.MailDir, "*.eml"))
	sort.Strings(files)
	var out []Email
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			e.T.Fatalf("read %s: %v", f, err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			e.T.Fatalf("parse %s: %v", f, err)
		}
		body, _ := io.ReadAll(msg.Body)
		dec := new(mime.WordDecoder)
		subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
		out = append(out, Email{To: msg.Header.Get("To"), Subject: subject, Body: string(body), File: f})
	}
	return out
}

var linkRE = regexp.MustCompile(`https?://\S+/(invite|verify)/([A-Za-z0-9_-]+)`)

// LastToken returns the token of the newest invite or verify link emailed to
// address, or fails the test. Emails are ordered by the (fake) time they
// were queued: advance the clock between two emails to one address.
func (e *Env) LastToken(address, kind string) string {
	e.T.Helper()
	emails := e.Emails()
	for i := len(emails) - 1; i >= 0; i-- {
		if !strings.Contains(strings.ToLower(emails[i].To), strings.ToLower(address)) {
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(emails[i].Body, -1) {
			if m[1] == kind {
				return m[2]
			}
		}
	}
	e.T.Fatalf("no %s link emailed to %s (emails: %d)", kind, address, len(emails))
	return ""
}

func testParams() *password.Params {
	p := password.TestParams()
	return &p
}

// tempDir is t.TempDir, but its removal retries for a moment: database/sql
// may finish opening a pooled connection (which touches the -wal and -shm
// files) just after the store is closed.
func tempDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "roster-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; ; i++ {
			err := os.RemoveAll(dir)
			if err == nil || i == 20 {
				if err != nil {
					t.Errorf("remove %s: %v", dir, err)
				}
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	return dir
}
