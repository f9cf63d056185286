package main

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSoak is docs/security.md R9: a server binary built with -race takes a
// mixed load (sign-ups, logins and logouts, clients, invitations, role and
// client-access changes, revocations, checks, lists) for
// ROSTER_SOAK_MINUTES minutes, then must show no data race in its log, and
// goroutines (from /metrics) and open descriptors (from /proc) back near
// where they were after warming up. Opt-in, being long:
//
//	ROSTER_SOAK_MINUTES=30 go test -count=1 -timeout 40m -run TestSoak -v ./cmd/roster
func TestSoak(t *testing.T) {
	minutes, _ := strconv.Atoi(os.Getenv("ROSTER_SOAK_MINUTES"))
	if minutes <= 0 {
		t.Skip("set ROSTER_SOAK_MINUTES to run the soak test (docs/security.md R9)")
	}
	bin := filepath.Join(t.TempDir(), "roster-race")
	if out, err := exec.Command("go", "build", "-race", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -race: %v\n%s", err, out)
	}
	n := start(t, bin, t.TempDir(), "--signup-ip-limit", "0", "--login-ip-limit", "100000")
	defer func() {
		_ = n.cmd.Process.Signal(syscall.SIGTERM)
		_ = n.cmd.Wait()
	}()
	s := &soak{t: t, url: n.url}
	s.round(0) // warm up: every path once
	time.Sleep(2 * time.Second)
	baseG, baseFD := s.goroutines(), fds(t, n.cmd.Process.Pid)
	end := time.Now().Add(time.Duration(minutes) * time.Minute)
	rounds := 0
	for i := 1; time.Now().Before(end); i++ {
		s.round(i)
		rounds++
		if i%20 == 0 {
			t.Logf("%d rounds, %d requests, %d goroutines, %d descriptors", rounds, s.requests, s.goroutines(), fds(t, n.cmd.Process.Pid))
		}
	}
	time.Sleep(3 * time.Second) // idle connections close, the sender sleeps
	g, fd := s.goroutines(), fds(t, n.cmd.Process.Pid)
	t.Logf("after %d rounds (%d requests): goroutines %d -> %d, descriptors %d -> %d", rounds, s.requests, baseG, g, baseFD, fd)
	if strings.Contains(n.log.String(), "DATA RACE") {
		t.Fatalf("the race detector reported:\n%s", n.log.String())
	}
	if g > baseG+10 || fd > baseFD+10 {
		t.Errorf("goroutines %d -> %d or descriptors %d -> %d grew", baseG, g, baseFD, fd)
	}
	if s.failures > 0 {
		t.Errorf("%d requests answered 5xx", s.failures)
	}
}

// soak drives one node; a round is one organization's whole story.
type soak struct {
	t                  *testing.T
	url                string
	requests, failures int
}

func (s *soak) call(method, path, token string, body any) (int, map[string]any) {
	req, _ := http.NewRequest(method, s.url+path, mustJSON(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	status, m := doJSON(req)
	s.requests++
	if status >= 500 || status == 0 {
		s.failures++
		s.t.Logf("%s %s: %d %v", method, path, status, m)
	}
	return status, m
}

func (s *soak) round(i int) {
	const pw = "correct-kettle-orbit-42"
	owner := fmt.Sprintf("owner%d@example.com", i)
	_, b := s.call("POST", "/api/v1/signup", "", map[string]any{"email": owner, "password": pw,
		"first_name": "Soak", "last_name": "Test", "organization_name": fmt.Sprintf("Soak %d", i)})
	token, _ := b["token"].(string)
	orgMap, _ := b["organization"].(map[string]any)
	orgID, _ := orgMap["id"].(string)
	o := "/api/v1/orgs/" + orgID
	_, c := s.call("POST", o+"/clients", token, map[string]any{"name": "Acme"})
	clientID, _ := c["id"].(string)
	_, inv := s.call("POST", o+"/invitations", token, map[string]any{"emails": []string{fmt.Sprintf("a%d@example.com", i), fmt.Sprintf("b%d@example.com", i)}, "role": "bookkeeper"})
	results, _ := inv["results"].([]any)
	for _, r := range results {
		m, _ := r.(map[string]any)
		id, _ := m["member_id"].(string)
		s.call("PATCH", o+"/members/"+id, token, map[string]any{"role": "view_only"})
		s.call("PUT", o+"/members/"+id+"/clients", token, map[string]any{"mode": "specific", "clients": []string{clientID}})
		s.call("POST", o+"/members/"+id+"/revoke", token, nil)
	}
	for range 5 {
		s.call("POST", "/api/v1/check", "op-token-for-tests-0123456789", map[string]any{"checks": []any{
			map[string]any{"org_id": orgID, "user_id": "usr_nobody", "permission": "clients.view", "client_id": clientID}}})
		s.call("GET", o+"/members", token, nil)
		s.call("GET", o+"/audit", token, nil)
	}
	_, l := s.call("POST", "/api/v1/sessions", "", map[string]any{"email": owner, "password": pw})
	if tok, _ := l["token"].(string); tok != "" {
		s.call("DELETE", "/api/v1/sessions/current", tok, nil)
	}
	s.call("POST", "/api/v1/sessions", "", map[string]any{"email": owner, "password": "wrong-password-here"})
}

// goroutines reads go_goroutines from /metrics.
func (s *soak) goroutines() int {
	res, err := http.Get(s.url + "/metrics")
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	s.t.Fatal("no go_goroutines in /metrics")
	return 0
}

// fds counts a process's open file descriptors.
func fds(t *testing.T, pid int) int {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}
