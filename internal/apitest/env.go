// Package apitest runs a whole Roster node (real SQLite file or PostgreSQL
// schema, real HTTP handler, .eml mail directory, a fake clock) for tests
// that go through the API as a client would.
//
// The package's tests run twice in one `go test` (RunBothStores, called by
// TestMain): on SQLite files, then on PostgreSQL when it is reachable.
//
// The tests call the API through the public Go client (client/, adapted in
// apiclient_test.go); Env.Do stays for what the client cannot send or
// read: malformed bodies, unknown fields, wrong JSON types, raw headers,
// raw bytes, the portal's pages and /metrics.
//
// Every test but the login timing test calls t.Parallel: each Env has its
// own database (SQLite file or PostgreSQL schema), mail directory, HTTP
// server, clock and metrics registry, and the helpers share no mutable
// globals. Keep it so: a helper that needs shared state breaks the
// parallel tests.
package apitest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
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

	"github.com/jackc/pgx/v5"

	"github.com/roster-dev/roster/internal/app"
	"github.com/roster-dev/roster/internal/model"
	"github.com/roster-dev/roster/internal/password"
	"github.com/roster-dev/roster/internal/pgtest"
	"github.com/roster-dev/roster/internal/postgres"
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
	// DBPath is the node's database: a SQLite file, or on PostgreSQL the URL
	// of the test's own schema (see Postgres).
	DBPath string
	// Postgres is set when the node runs on PostgreSQL (PostgresEnv).
	Postgres bool
}

// Options are the node options a test may adjust.
type Options = app.Options

// Option adjusts the node's options before it starts.
type Option func(*app.Options)

// New starts a node on a fresh database with the given preset: a SQLite
// file, or a schema of its own in PostgresEnv's database when that is set.
func New(t testing.TB, preset string, opts ...Option) *Env {
	t.Helper()
	db := ""
	if pg := os.Getenv(PostgresEnv); pg != "" {
		db = pgtest.NewSchema(t, pg)
	}
	return NewOn(t, preset, db, opts...)
}

// NewOn starts a node on database db: a SQLite path, a PostgreSQL URL, or
// "" for a fresh SQLite file. Nodes started on one PostgreSQL database (each
// with its own mail directory and HTTP server) form a cluster, as several
// Roster processes behind a load balancer do.
func NewOn(t testing.TB, preset, db string, opts ...Option) *Env {
	t.Helper()
	dir := tempDir(t)
	m, err := model.Preset(preset)
	if err != nil {
		t.Fatalf("preset %s: %v", preset, err)
	}
	clock := &Clock{now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	params := password.TestParams()
	e := &Env{T: t, Clock: clock, MailDir: filepath.Join(dir, "mail"), DBPath: filepath.Join(dir, "roster.db")}
	if db != "" {
		e.DBPath, e.Postgres = db, postgres.IsURL(db)
	}
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

// Do sends a raw request; body is JSON-encoded unless it is a string or
// []byte. Tests call the API through the client (e.api); Do is for the
// requests the client cannot make (see the package comment).
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

// PostgresEnv names the environment variable holding the URL of the
// PostgreSQL database that New puts each node in (a schema per node).
// Unset, nodes use SQLite files. RunBothStores sets it for its second pass;
// setting it by hand runs the package on PostgreSQL only:
//
//	ROSTER_APITEST_PG=postgres://postgres@127.0.0.1:5432/some_db go test ./internal/apitest
const PostgresEnv = "ROSTER_APITEST_PG"

// RunBothStores is the package's TestMain: it runs every test on SQLite,
// then again on PostgreSQL in a database created for the run and dropped
// after it. Without a reachable PostgreSQL (pgtest.ServerURL) the second
// pass is skipped with a message, unless CI=true, where that fails the run.
// With PostgresEnv already set, it runs once, on that database.
//
// testing.M.Run may be called more than once (go.dev/issue/23129): each
// call runs the selected tests again and reports its own PASS or FAIL.
func RunBothStores(m *testing.M) int {
	if os.Getenv(PostgresEnv) != "" {
		return m.Run()
	}
	code := m.Run()
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		return code
	}
	ctx := context.Background()
	if err := pgtest.Available(ctx); err != nil {
		if pgtest.Required() {
			fmt.Printf("FAIL: apitest: CI=true and PostgreSQL is unreachable: %v\n", err)
			return 1
		}
		fmt.Printf("apitest: PostgreSQL is unreachable, the PostgreSQL pass is SKIPPED (CI=true makes this a failure): %v\n", err)
		return code
	}
	db, drop, err := pgtest.CreateDatabase(ctx)
	if err != nil {
		fmt.Printf("FAIL: apitest: %v\n", err)
		return 1
	}
	fmt.Println("apitest: running every test again on PostgreSQL")
	os.Setenv(PostgresEnv, db) //nolint:errcheck // cannot fail for this name
	pgCode := m.Run()
	if err := drop(); err != nil {
		fmt.Printf("apitest: %v\n", err)
	}
	return max(code, pgCode)
}

// TableCounts returns "table=rows " for every table of the node's
// database, sorted by name, on either store: a snapshot to show that a
// refused request changed nothing.
func (e *Env) TableCounts() string {
	e.T.Helper()
	var b strings.Builder
	e.eachTable(func(table string, q func(string) []string) {
		fmt.Fprintf(&b, "%s=%s ", table, q("SELECT CAST(count(*) AS TEXT) FROM " + table)[0])
	})
	return b.String()
}

// DatabaseText returns every row of every table of the node's database as
// text, on either store: to show that no secret is stored in the clear.
func (e *Env) DatabaseText() string {
	e.T.Helper()
	var b strings.Builder
	e.eachTable(func(table string, q func(string) []string) {
		query := "SELECT t::text FROM " + table + " t" // PostgreSQL renders a whole row
		if !e.Postgres {
			var cols []string
			for _, c := range q("SELECT name FROM pragma_table_info('" + table + "')") {
				cols = append(cols, `"`+c+`"`)
			}
			query = "SELECT concat_ws(' ', " + strings.Join(cols, ", ") + ") FROM " + table
		}
		for _, row := range q(query) {
			b.WriteString(row + "\n")
		}
	})
	return b.String()
}

// eachTable calls fn with each table of the node's database, in name
// order, and a query function returning the first column of every row as
// text.
func (e *Env) eachTable(fn func(table string, q func(query string) []string)) {
	e.T.Helper()
	ctx := context.Background()
	if e.Postgres {
		conn, err := pgx.Connect(ctx, e.DBPath)
		if err != nil {
			e.T.Fatalf("connect: %v", err)
		}
		defer conn.Close(ctx)
		q := func(query string) []string {
			rows, err := conn.Query(ctx, query)
			if err != nil {
				e.T.Fatalf("%s: %v", query, err)
			}
			out, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				e.T.Fatalf("%s: %v", query, err)
			}
			return out
		}
		for _, table := range q(`SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename`) {
			fn(table, q)
		}
		return
	}
	db, err := sql.Open("sqlite", e.DBPath)
	if err != nil {
		e.T.Fatal(err)
	}
	defer db.Close()
	q := func(query string) []string {
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			e.T.Fatalf("%s: %v", query, err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				e.T.Fatalf("%s: %v", query, err)
			}
			out = append(out, s.String)
		}
		return out
	}
	for _, table := range q(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`) {
		fn(table, q)
	}
}
