package httpkit

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddrBehindTrustedProxies(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.5, ::1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no proxy: the header is ignored", "203.0.113.9:5000", []string{"1.2.3.4"}, "203.0.113.9"},
		{"one trusted proxy", "10.1.2.3:5000", []string{"198.51.100.7"}, "198.51.100.7"},
		{"a forged entry left of the real client", "10.1.2.3:5000", []string{"6.6.6.6, 198.51.100.7"}, "198.51.100.7"},
		{"two trusted hops", "192.168.1.5:80", []string{"198.51.100.7, 10.9.9.9"}, "198.51.100.7"},
		{"several headers", "10.1.2.3:5000", []string{"6.6.6.6", "198.51.100.7"}, "198.51.100.7"},
		{"garbage in the header", "10.1.2.3:5000", []string{"not-an-ip"}, "10.1.2.3"},
		{"only proxies", "10.1.2.3:5000", []string{"10.0.0.1"}, "10.1.2.3"},
		{"IPv6 proxy", "[::1]:5000", []string{"2001:db8::1"}, "2001:db8::1"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		for _, h := range c.xff {
			r.Header.Add("X-Forwarded-For", h)
		}
		if got := ClientIP(WithClientAddr(r, trusted)); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:5000"
	r.Header.Set("X-Forwarded-For", "198.51.100.7")
	if got := ClientIP(WithClientAddr(r, nil)); got != "10.1.2.3" {
		t.Errorf("without trusted proxies: got %s, want the peer", got)
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8, bogus"); err == nil {
		t.Error("a bogus entry was accepted")
	}
}
