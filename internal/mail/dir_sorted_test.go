package mail

import (
	"bytes"
	"context"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDirFilesSortByTime: the files of a mail directory, listed by name,
// come in the order the emails were created, whatever the time zone of
// their timestamps; each parses as a message; no temporary file remains.
func TestDirFilesSortByTime(t *testing.T) {
	d, dir := newDir(t, newClock())
	tokyo := time.FixedZone("JST", 9*3600)
	created := []struct { // in creation order; ids and local times are not
		id string
		at time.Time
	}{
		{"mm", time.Date(2026, 1, 1, 8, 0, 0, 0, tokyo)},                        // 2025-12-31 23:00 UTC
		{"zz", time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)},                // 23:59:59 UTC
		{"bb", time.Date(2026, 1, 2, 9, 30, 0, 0, tokyo)},                       // 2026-01-02 00:30 UTC
		{"aa", time.Date(2026, 1, 2, 0, 30, 1, 0, time.UTC)},                    // one second later
		{"cc", time.Date(2026, 1, 2, 0, 30, 2, 0, time.FixedZone("", -5*3600))}, // 05:30:02 UTC
	}
	for _, i := range []int{4, 2, 0, 3, 1} { // sent out of order
		e := email(created[i].id, 0)
		e.CreatedAt = created[i].at
		if err := d.Send(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	var got, want []string
	for _, c := range created {
		want = append(want, c.id)
	}
	for _, n := range listDir(t, dir) { // os.ReadDir sorts by name
		if strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".eml") {
			t.Errorf("unexpected file %q", n)
			continue
		}
		_, id, _ := strings.Cut(strings.TrimSuffix(n, ".eml"), "Z-")
		got = append(got, id)
		data, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s does not parse: %v", n, err)
		}
		if got, want := msg.Header.Get("Message-Id"), "<"+id+"@roster>"; got != want {
			t.Errorf("%s: Message-ID got %q, want %q", n, got, want)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("files in name order: got %v, want %v", got, want)
	}
}
