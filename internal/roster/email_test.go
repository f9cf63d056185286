package roster

import (
	"strings"
	"testing"
)

func TestValidateEmail(t *testing.T) {
	cases := []struct {
		in string
		ok bool
	}{
		{"ada@example.com", true},
		{"ada.lovelace+roster@sub.example.co.uk", true},
		{"", false},
		{"ada", false},
		{"ada@localhost", false},
		{"Ada <ada@example.com>", false},
		{"ada@example.com\r\nBcc: x@example.com", false},
		{"ada@example.com.", false},
		{strings.Repeat("a", 250) + "@example.com", false},
		// Domain labels: no leading or trailing hyphen, none empty or over 63.
		{"a@-x.com", false},
		{"a@x-.com", false},
		{"a@x.-y.com", false},
		{"a@x.y-.com", false},
		{"a@x.com-", false},
		{"a@-.com", false},
		{"a@x..com", false},
		{"a@.x.com", false},
		{"a@" + strings.Repeat("x", 64) + ".com", false},
		{"a@" + strings.Repeat("x", 63) + ".com", true},
		{"a@x-y.com", true},
		{"a@x--y.example.com", true},
		{"a@xn--bcher-kva.example", true},
		{"-a-@x.com", true}, // the local part may hold hyphens anywhere
	}
	for _, c := range cases {
		if err := ValidateEmail(c.in); (err == nil) != c.ok {
			t.Errorf("ValidateEmail(%q): got %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

// FuzzValidateEmail: an accepted address is short, single-line and bare.
func FuzzValidateEmail(f *testing.F) {
	for _, s := range []string{"ada@example.com", "a@b.c", "x\n@y.z", "<a@b.c>", "a@b", "a@-x.com", "a@x-.com", "a@x.-y.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateEmail(s) != nil {
			return
		}
		if len(s) > MaxEmailLength || strings.ContainsAny(s, "\r\n<> ") || !strings.Contains(s, "@") {
			t.Fatalf("accepted %q", s)
		}
		domain := s[strings.LastIndexByte(s, '@')+1:]
		for _, label := range strings.Split(domain, ".") {
			if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
				t.Fatalf("accepted %q: domain label %q", s, label)
			}
		}
	})
}
