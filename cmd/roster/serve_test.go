package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary returns the roster binary, built once per package run (the first
// test that needs it builds it; the others reuse it) into a directory
// TestMain removes.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "roster-bin-")
		if err != nil {
			build.err = err
			return
		}
		build.dir = dir
		bin := filepath.Join(dir, "roster")
		if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		build.bin = bin
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
}

// build is the one build of the binary for this package run.
var build struct {
	once     sync.Once
	dir, bin string
	err      error
}

// TestMain removes the binary after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		_ = os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

type node struct {
	cmd *exec.Cmd
	url string
	log *lines
}

// lines collects a process's log lines, safe for concurrent use.
type lines struct {
	mu  sync.Mutex
	all []string
}

func (l *lines) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, s)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.all, "\n")
}

// waitFor waits until a log line contains s.
func (n *node) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(n.log.String(), s) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no log line with %q:\n%s", s, n.log.String())
}

// start runs `roster serve` on a free port in dir and waits for the
// "Roster listening on" line.
func start(t *testing.T, bin, dir string, args ...string) *node {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ROSTER_ADMIN_TOKEN=op-token-for-tests-0123456789")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &lines{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.add(sc.Text())
		}
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "Roster listening on ") {
				lines <- strings.TrimPrefix(sc.Text(), "Roster listening on ")
			}
		}
	}()
	select {
	case url := <-lines:
		return &node{cmd: cmd, url: url, log: logs}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("roster serve printed no URL; stderr:\n%s", logs.String())
	}
	return nil
}

func post(t *testing.T, url string, body any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	res, err := http.Post(url, "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m
}

// The binary serves on embedded defaults, prints its URL, and stops cleanly
// on SIGTERM.
func TestServeStartsAndStopsCleanly(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	n := start(t, bin, dir)
	res, err := http.Get(n.url + "/readyz")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", res, err)
	}
	res.Body.Close()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := n.cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	for _, f := range []string{"roster.db", "roster.key"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("default file %s: %v", f, err)
		}
	}
}

// R20: a node killed with SIGKILL after a change but before its email was
// delivered loses no email: the next node sends it from the outbox. (The
// first node's SMTP server refuses connections; the kill comes once it has
// recorded the failed attempt, so the email is due again at once rather than
// after the one-minute lease of an attempt cut short, which is also kept.)
func TestOutboxSurvivesKill(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	// An SMTP server that refuses connections: the email stays in the outbox.
	n := start(t, bin, dir, "--smtp", "smtp://127.0.0.1:1")
	status, _ := post(t, n.url+"/api/v1/signup", map[string]any{
		"email": "killed@example.com", "password": "correct-kettle-orbit-42", "first_name": "K", "last_name": "Ill", "organization_name": "Org",
	})
	if status != 201 {
		t.Fatalf("signup: %d", status)
	}
	n.waitFor(t, "email not sent")
	_ = n.cmd.Process.Kill()
	_ = n.cmd.Wait()

	m := start(t, bin, dir)
	defer func() { _ = m.cmd.Process.Signal(syscall.SIGTERM); _ = m.cmd.Wait() }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "mail", "*.eml"))
		for _, f := range files {
			data, _ := os.ReadFile(f)
			if strings.Contains(string(data), "killed@example.com") && strings.Contains(string(data), "/verify/") {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("the verification email was lost after SIGKILL")
}

func TestModelCommands(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"model", "show", "practice"}, os.Getenv, &out, &errb); code != 0 || !strings.Contains(out.String(), "practice_admin") {
		t.Fatalf("model show: code %d, %s %s", code, out.String(), errb.String())
	}
	preset := out.String()
	good := filepath.Join(t.TempDir(), "good.yaml")
	if err := os.WriteFile(good, []byte(preset), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := run(context.Background(), []string{"model", "check", good}, os.Getenv, &out, &errb); code != 0 {
		t.Fatalf("model check of a preset: code %d, %s", code, errb.String())
	}
	// Break one role's permission list: the error names the file and the line.
	broken := strings.Replace(preset, "permissions: [clients.view]", "permissions: [clients.nope]", 1)
	if broken == preset {
		t.Fatal("the practice preset changed shape; update this test")
	}
	line := 1 + strings.Count(broken[:strings.Index(broken, "clients.nope")], "\n")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	code := run(context.Background(), []string{"model", "check", bad}, os.Getenv, &out, &errb)
	want := fmt.Sprintf("bad.yaml:%d: role client: unknown permission \"clients.nope\"", line)
	if code != 1 || !strings.Contains(errb.String(), want) {
		t.Fatalf("model check of a broken file: code %d, stderr %q, want 1 and %q", code, errb.String(), want)
	}
}

func TestVersionAndUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"version"}, os.Getenv, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "roster ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	if code := run(context.Background(), []string{"bogus"}, os.Getenv, &out, &errb); code != 2 {
		t.Fatalf("unknown command: got %d, want 2", code)
	}
	if code := run(context.Background(), []string{"serve", "--signup", "maybe"}, os.Getenv, &out, &errb); code != 2 {
		t.Fatalf("bad flag: got %d, want 2", code)
	}
}
