package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/roster-dev/roster/internal/apitest"
	"github.com/roster-dev/roster/internal/pgtest"
)

func post(url string, body any, timeout time.Duration) (int, error) {
	b, _ := json.Marshal(body)
	c := &http.Client{Timeout: timeout}
	res, err := c.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// Many logins at once must not exhaust the connection pool: a transaction
// that takes a second connection while holding one deadlocks the pool
// (found in review: Login read the throttle on the pool inside its
// transaction; 63 of 64 logins hung).
func TestConcurrentLoginsDoNotExhaustThePool(t *testing.T) {
	db := pgtest.NewDatabase(t)
	e := apitest.NewOn(t, "practice", db)
	e.Signup("a@example.com", "Org")
	const n = 64
	var wg sync.WaitGroup
	var ok, hung atomic.Int32
	for range n {
		wg.Go(func() {
			st, err := post(e.URL+"/api/v1/sessions", map[string]any{"email": "a@example.com", "password": apitest.Password}, 8*time.Second)
			if err != nil {
				hung.Add(1)
			} else if st == 201 {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	t.Logf("%d logins: %d ok, %d timed out after 8s", n, ok.Load(), hung.Load())
	if hung.Load() > 0 {
		t.Errorf("pool deadlock: %d concurrent logins never answered", hung.Load())
	}
}

// R2 on PostgreSQL through HTTP: 30 wrong passwords at once reach the
// lock-out (10 failures), however they interleave.
func TestConcurrentFailedLoginsLockOut(t *testing.T) {
	db := pgtest.NewDatabase(t)
	e := apitest.NewOn(t, "practice", db)
	e.Signup("a@example.com", "Org")
	const n = 30
	var wg sync.WaitGroup
	var c401 atomic.Int32
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			st, err := post(e.URL+"/api/v1/sessions", map[string]any{"email": "a@example.com", "password": "wrong-password-123456"}, 30*time.Second)
			if err == nil && st == 401 {
				c401.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var failures, lockouts int
	_ = conn.QueryRow(context.Background(), `SELECT failures, lockouts FROM login_throttle WHERE key = 'email:a@example.com'`).Scan(&failures, &lockouts)
	t.Logf("%d concurrent wrong passwords: %d answered 401; stored failures=%d lockouts=%d", n, c401.Load(), failures, lockouts)
	if lockouts < 1 {
		t.Fatalf("30 concurrent failures did not lock the address out (failures=%d lockouts=%d): updates were lost", failures, lockouts)
	}
	if r := e.Do("POST", "/api/v1/sessions", "", map[string]any{"email": "a@example.com", "password": apitest.Password}); r.Status != http.StatusTooManyRequests {
		t.Fatalf("the right password after the lock-out: %d, want 429", r.Status)
	}
}
