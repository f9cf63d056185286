package portal

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSafeNext(t *testing.T) {
	cases := []struct{ in, want string }{
		{"/o/org_1/users?q=a", "/o/org_1/users?q=a"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/x", "/"},
		{"/\\evil.example", "/"},
		{"/ok\r\nSet-Cookie: x", "/"},
		{"relative", "/"},
		{"/\t/evil.example", "/"}, // browsers drop the tab: //evil.example
		{"/x\\y", "/"},            // and read a backslash as a slash
		{"/\x7f/evil.example", "/"},
		{"/o/a%2F..%2Fb", "/o/a%2F..%2Fb"}, // escaped characters stay escaped: still a local path
	}
	for _, c := range cases {
		if got := safeNext(c.in); got != c.want {
			t.Errorf("safeNext(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestSplitEmails(t *testing.T) {
	got := splitEmails("a@x.com, b@x.com;c@x.com\n\r\nd@x.com\te@x.com  ")
	want := []string{"a@x.com", "b@x.com", "c@x.com", "d@x.com", "e@x.com"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestChanges(t *testing.T) {
	got := changes(json.RawMessage(`{"role":"bookkeeper","client_access":{"mode":"all","clients":[]}}`),
		json.RawMessage(`{"role":"client","client_access":{"mode":"specific","clients":["cli_1","cli_2"]},"agent_access":true}`))
	want := []string{"agent access: yes", "client access: all → 2 specific", "role: bookkeeper → client"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := changes(json.RawMessage(`{}`), json.RawMessage(`{}`)); len(got) != 0 {
		t.Fatalf("no change: got %q", got)
	}
}

func TestMeter(t *testing.T) {
	three, ten := 3, 10
	cases := []struct {
		used  int
		limit *int
		pct   int
		level string
	}{
		{2, nil, 0, "ok"},
		{1, &three, 30, "ok"},
		{3, &three, 100, "full"},
		{9, &ten, 90, "high"},
		{12, &ten, 100, "full"},
	}
	for _, c := range cases {
		m := newMeter(c.used, c.limit)
		if m.Pct != c.pct || m.Level != c.level {
			t.Errorf("meter(%d, %v) = %d%% %s, want %d%% %s", c.used, c.limit, m.Pct, m.Level, c.pct, c.level)
		}
	}
}

// The QR code is an inline SVG of squares only: no text of the URL ends up
// in the markup.
func TestQRSVG(t *testing.T) {
	url := "otpauth://totp/Roster:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Roster&digits=6&period=30"
	svg, err := qrSVG(url)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, `<svg class="qr"`) || !strings.Contains(s, `<path fill="#111" d="M`) || strings.Contains(s, "JBSWY3") {
		t.Fatalf("svg: %.200s", s)
	}
	if n := strings.Count(s, "h1v1h-1z"); n < 200 {
		t.Fatalf("only %d dark modules", n)
	}
}

func TestSealedPair(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	p := &Portal{sealKey: derive([]byte("0123456789abcdef0123456789abcdef"), "test"), now: func() time.Time { return now }}
	sealed, err := p.sealPair("login", "ada@example.com", "secret password", now.Add(pendingTTL))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sealed, "ada") {
		t.Fatal("the sealed value shows its content")
	}
	if a, b, until, err := p.openPair("login", sealed); err != nil || a != "ada@example.com" || b != "secret password" || !until.Equal(now.Add(pendingTTL)) {
		t.Fatalf("open: %q %q %v %v", a, b, until, err)
	}
	if _, _, _, err := p.openPair("accept:tok", sealed); err == nil {
		t.Fatal("a value sealed for one purpose opened for another")
	}
	if _, _, _, err := p.openPair("login", sealed[:len(sealed)-2]+"AA"); err == nil {
		t.Fatal("a tampered value opened")
	}
	now = now.Add(pendingTTL + time.Second)
	if _, _, _, err := p.openPair("login", sealed); err == nil {
		t.Fatal("an expired value opened")
	}
}

// Every template parses, and every page the handlers name exists.
func TestPagesParse(t *testing.T) {
	pg, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"home", "error", "signup", "login", "verify", "accept", "orgs", "account", "totp",
		"users", "invite", "member", "role", "clients_assign", "confirm", "settings", "clients", "roles", "role_edit"} {
		if pg.byName[name] == nil {
			t.Errorf("no page %s", name)
		}
	}
}
