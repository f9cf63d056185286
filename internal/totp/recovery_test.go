package totp

import (
	"math"
	"regexp"
	"strings"
	"testing"
)

var recoveryCodeFormat = regexp.MustCompile(`^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$`)

func TestRecoveryCodes(t *testing.T) {
	codes, err := RecoveryCodes(200)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 200 {
		t.Fatalf("got %d codes, want 200", len(codes))
	}
	seen := make(map[string]bool)
	for _, c := range codes {
		if !recoveryCodeFormat.MatchString(c) {
			t.Errorf("got %q, want xxxx-xxxx-xxxx from %s", c, recoveryAlphabet)
		}
		if strings.ContainsAny(c, "01lo") {
			t.Errorf("got %q, want no ambiguous characters", c)
		}
		if seen[c] {
			t.Errorf("got %q twice", c)
		}
		seen[c] = true
	}
}

func TestRecoveryCodeEntropy(t *testing.T) {
	if got := len(recoveryAlphabet); got != 32 {
		t.Fatalf("alphabet has %d characters, want 32", got)
	}
	for _, r := range recoveryAlphabet {
		if strings.Count(recoveryAlphabet, string(r)) != 1 {
			t.Errorf("alphabet repeats %q", r)
		}
	}
	bits := float64(recoveryGroups*recoveryGroupLen) * math.Log2(float64(len(recoveryAlphabet)))
	if bits < 60 {
		t.Errorf("got %.1f bits per code, want at least 60", bits)
	}
}

// Every alphabet character turns up, so no part of it is unreachable.
func TestRecoveryCodesUseWholeAlphabet(t *testing.T) {
	codes, err := RecoveryCodes(100)
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(codes, "")
	for _, r := range recoveryAlphabet {
		if !strings.ContainsRune(all, r) {
			t.Errorf("%q never used in 1200 characters", r)
		}
	}
}

func TestRecoveryCodesCount(t *testing.T) {
	tests := []struct {
		n       int
		wantLen int
		wantErr bool
	}{
		{0, 0, false},
		{1, 1, false},
		{10, 10, false},
		{-1, 0, true},
	}
	for _, tt := range tests {
		codes, err := RecoveryCodes(tt.n)
		if (err != nil) != tt.wantErr || len(codes) != tt.wantLen {
			t.Errorf("RecoveryCodes(%d) got %d codes, err %v; want %d, error %v", tt.n, len(codes), err, tt.wantLen, tt.wantErr)
		}
	}
}

func TestNormalizeRecoveryCode(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"abcd-efgh-ijkm", "abcdefghijkm"},
		{"ABCD-EFGH-IJKM", "abcdefghijkm"},
		{" abcd efgh ijkm\n", "abcdefghijkm"},
		{"abcd--efgh - ijkm", "abcdefghijkm"},
		{"abcdefghijkm", "abcdefghijkm"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeRecoveryCode(tt.in); got != tt.want {
			t.Errorf("NormalizeRecoveryCode(%q) got %q, want %q", tt.in, got, tt.want)
		}
	}
	codes, err := RecoveryCodes(5)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		typed := strings.ToUpper(strings.ReplaceAll(c, "-", " "))
		if NormalizeRecoveryCode(typed) != NormalizeRecoveryCode(c) {
			t.Errorf("%q typed as %q normalizes differently", c, typed)
		}
	}
}
