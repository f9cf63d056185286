package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roster-dev/roster/internal/pgtest"
)

// TestKillDuringWritesPostgres is docs/security.md R5 on PostgreSQL: a node
// killed with SIGKILL while four clients write (each write: a client row, its
// audit event and the organization's revision, in one transaction) loses no
// acknowledged write and leaves no half-applied one; a node started after
// it serves every acknowledged write. Three cycles on one database, or
// ROSTER_KILL_CYCLES (docs/security.md asks 30 before a release).
func TestKillDuringWritesPostgres(t *testing.T) {
	cycles := 3
	if n, err := strconv.Atoi(os.Getenv("ROSTER_KILL_CYCLES")); err == nil && n > 0 {
		cycles = n
	}
	bin := binary(t)
	db := pgtest.NewDatabase(t)
	t.Setenv("ROSTER_SECRET_KEY", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	n := start(t, bin, t.TempDir(), "--db", db)
	status, body := post(t, n.url+"/api/v1/signup", map[string]any{
		"email": "owner@example.com", "password": "correct-kettle-orbit-42", "first_name": "O", "last_name": "Wner", "organization_name": "Org",
	})
	if status != 201 {
		t.Fatalf("signup: %d %v", status, body)
	}
	token := body["token"].(string)
	org := body["organization"].(map[string]any)["id"].(string)

	var acked []string
	for cycle := range cycles {
		ids := writeUntilKilled(t, n, token, org)
		if len(ids) == 0 {
			t.Fatalf("cycle %d: no write was acknowledged before the kill", cycle)
		}
		acked = append(acked, ids...)
		checkNothingLostOrHalfApplied(t, db, org, acked)
		n = start(t, bin, t.TempDir(), "--db", db)
		res := get(t, n.url+"/api/v1/orgs/"+org+"/clients?status=all", token)
		if res != http.StatusOK {
			t.Fatalf("cycle %d: the restarted node answers %d", cycle, res)
		}
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	_ = n.cmd.Wait()
}

// writeUntilKilled runs four writers against n, kills n with SIGKILL after
// about 300 ms, and returns the ids of the clients whose creation was
// acknowledged (201).
func writeUntilKilled(t *testing.T, n *node, token, org string) []string {
	t.Helper()
	var mu sync.Mutex
	var ids []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				status, body := postAuth(n.url+"/api/v1/orgs/"+org+"/clients", token, map[string]any{"name": fmt.Sprintf("w%d-%d-%d", w, i, time.Now().UnixNano())})
				if status == http.StatusCreated {
					mu.Lock()
					ids = append(ids, body["id"].(string))
					mu.Unlock()
				}
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	_ = n.cmd.Process.Kill()
	_ = n.cmd.Wait()
	close(stop)
	wg.Wait()
	return ids
}

// checkNothingLostOrHalfApplied reads the database directly: every
// acknowledged client exists, every client has exactly one creation event,
// and the revision counts every committed change.
func checkNothingLostOrHalfApplied(t *testing.T, db, org string, acked []string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var missing, clients, events, orphans int
	var revision int64
	err = conn.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM unnest($2::text[]) a(id) WHERE NOT EXISTS (SELECT 1 FROM clients c WHERE c.id = a.id)),
		(SELECT count(*) FROM clients WHERE org_id = $1),
		(SELECT count(*) FROM audit_events WHERE org_id = $1 AND action = 'client.created'),
		(SELECT count(*) FROM clients c WHERE org_id = $1 AND (SELECT count(*) FROM audit_events e WHERE e.target_id = c.id AND e.action = 'client.created') <> 1),
		(SELECT revision FROM organizations WHERE id = $1)`, org, acked).Scan(&missing, &clients, &events, &orphans, &revision)
	if err != nil {
		t.Fatal(err)
	}
	if missing != 0 {
		t.Errorf("%d of %d acknowledged writes lost", missing, len(acked))
	}
	if clients != events || orphans != 0 {
		t.Errorf("half-applied writes: %d clients, %d creation events, %d clients without exactly one event", clients, events, orphans)
	}
	// Sign-up is revision 1; each client creation bumps it once.
	if revision != int64(1+clients) {
		t.Errorf("revision %d after %d client creations, want %d", revision, clients, 1+clients)
	}
	t.Logf("%d acknowledged writes, %d committed, none lost or half-applied", len(acked), clients)
}

func postAuth(url, token string, body any) (int, map[string]any) {
	data := mustJSON(body)
	req, _ := http.NewRequest("POST", url, data)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	return doJSON(req)
}

func get(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	status, _ := doJSON(req)
	return status
}

func mustJSON(v any) *bytes.Reader {
	data, _ := json.Marshal(v) // the tests' bodies are plain maps
	return bytes.NewReader(data)
}

// doJSON sends req and decodes a JSON object answer; a connection error
// (the node was killed) is status 0.
func doJSON(req *http.Request) (int, map[string]any) {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

// `roster migrate --db postgres://...` migrates, twice without harm, and
// prints the URL without its password.
func TestMigratePostgres(t *testing.T) {
	db := pgtest.NewDatabase(t)
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "hunter2-secret") // trust auth ignores it
	for range 2 {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{"migrate", "--db", u.String()}, os.Getenv, &out, &errb)
		if code != 0 || !strings.Contains(out.String(), "migrations applied") {
			t.Fatalf("migrate: code %d, stdout %q, stderr %q", code, out.String(), errb.String())
		}
		if strings.Contains(out.String()+errb.String(), "hunter2-secret") {
			t.Errorf("migrate printed the database password: %q", out.String())
		}
	}
}

// A PostgreSQL node without a secret key would seal TOTP seeds with a key
// of its own: serve refuses to start.
func TestServePostgresNeedsSecretKey(t *testing.T) {
	db := pgtest.NewDatabase(t)
	env := func(k string) string {
		if k == "ROSTER_SECRET_KEY" {
			return ""
		}
		return os.Getenv(k)
	}
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", db, "--mail-dir", t.TempDir()}, env, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "secret key") {
		t.Errorf("serve on PostgreSQL without a key: code %d, stderr %q; want a failure naming the secret key", code, errb.String())
	}
}
