package mail

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// newDir is a DirTransport on a fresh directory with the fake clock and
// testFrom, as a Sender would set it up.
func newDir(t *testing.T, c *clock) (*DirTransport, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "mail")
	d, err := NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	d.adopt(testFrom, c.Now)
	return d, dir
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestNewDirMode(t *testing.T) {
	_, dir := newDir(t, newClock())
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o700 {
		t.Fatalf("directory mode: got %o, want 700", got)
	}
}

func TestFileName(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 890, time.FixedZone("CET", 3600))
	tests := []struct{ id, want string }{
		{"01HV8Z", "20260304T040607.000000890Z-01HV8Z.eml"},
		{"../../etc/passwd", "20260304T040607.000000890Z-______etc_passwd.eml"},
		{"a\\b\nc", "20260304T040607.000000890Z-a_b_c.eml"},
	}
	for _, tt := range tests {
		if got := FileName(roster.Email{ID: tt.id, CreatedAt: at}); got != tt.want {
			t.Errorf("FileName(%q): got %q, want %q", tt.id, got, tt.want)
		}
	}
}

func TestDirSendWritesOneFile(t *testing.T) {
	c := newClock()
	d, dir := newDir(t, c)
	e := email("em1", 0)
	if err := d.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	names := listDir(t, dir)
	if len(names) != 1 || names[0] != "20260102T030405.000000000Z-em1.eml" {
		t.Fatalf("files: got %v, want [20260102T030405.000000000Z-em1.eml]", names)
	}
	path := filepath.Join(dir, names[0])
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := Format(e, testFrom, t0); !bytes.Equal(got, want) {
		t.Fatalf("content: got\n%s\nwant\n%s", got, want)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("file mode: got %o, want 600", info.Mode().Perm())
	}
}

// At-least-once delivery: sending an email again replaces its file.
func TestDirResendOverwrites(t *testing.T) {
	c := newClock()
	d, dir := newDir(t, c)
	e := email("em1", 0)
	for range 3 {
		e.Attempts++
		c.Advance(time.Minute)
		if err := d.Send(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	names := listDir(t, dir)
	if len(names) != 1 {
		t.Fatalf("files: got %v, want one", names)
	}
	got, _ := os.ReadFile(filepath.Join(dir, names[0]))
	if want := Format(e, testFrom, c.Now()); !bytes.Equal(got, want) {
		t.Fatalf("the last send did not win:\n%s", got)
	}
}

// A reader never sees half a file, even while the file is being replaced.
func TestDirSendIsAtomic(t *testing.T) {
	c := newClock()
	d, dir := newDir(t, c)
	e := email("em1", 0)
	e.Body = string(bytes.Repeat([]byte("a line of the body\n"), 20000)) // ~400 KB
	want := Format(e, testFrom, t0)
	path := filepath.Join(dir, FileName(e))

	var wg sync.WaitGroup
	wg.Go(func() {
		for range 20 {
			if err := d.Send(context.Background(), e); err != nil {
				t.Error(err)
			}
		}
	})
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for reads := 0; ; reads++ {
		got, err := os.ReadFile(path)
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("read %d: saw %d bytes, want %d", reads, len(got), len(want))
		}
		select {
		case <-done:
			if names := listDir(t, dir); len(names) != 1 {
				t.Fatalf("files left behind: %v", names)
			}
			return
		default:
		}
	}
}

func TestDirSendCancelled(t *testing.T) {
	d, dir := newDir(t, newClock())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := d.Send(ctx, email("em1", 0)); err == nil {
		t.Fatal("send with a cancelled context: got nil error")
	}
	if names := listDir(t, dir); len(names) != 0 {
		t.Fatalf("files: got %v, want none", names)
	}
}

// Emails queued within one second still sort in the order they were made.
func TestFileNamesSortWithinASecond(t *testing.T) {
	base := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	a := FileName(roster.Email{ID: "zzz", CreatedAt: base.Add(999 * time.Microsecond)})
	b := FileName(roster.Email{ID: "aaa", CreatedAt: base.Add(time.Millisecond)})
	if a >= b {
		t.Fatalf("%s should sort before %s", a, b)
	}
}
