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
	}
	for _, c := range cases {
		if err := ValidateEmail(c.in); (err == nil) != c.ok {
			t.Errorf("ValidateEmail(%q): got %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

// FuzzValidateEmail: an accepted address is short, single-line and bare.
func FuzzValidateEmail(f *testing.F) {
	for _, s := range []string{"ada@example.com", "a@b.c", "x\n@y.z", "<a@b.c>", "a@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateEmail(s) != nil {
			return
		}
		if len(s) > MaxEmailLength || strings.ContainsAny(s, "\r\n<> ") || !strings.Contains(s, "@") {
			t.Fatalf("accepted %q", s)
		}
	})
}
