package password

import (
	"errors"
	"strings"
	"testing"
)

func TestBlocklistSize(t *testing.T) {
	if got := commonPasswords.size(); got < 3000 {
		t.Errorf("got %d entries, want at least 3000", got)
	}
}

func TestBlocklistFile(t *testing.T) {
	for i, line := range strings.Split(commonText, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line != strings.ToLower(line) || line != strings.TrimSpace(line) {
			t.Errorf("line %d: got %q, want it lowercased and trimmed", i+1, line)
		}
	}
}

// Every entry, padded with digits to the minimum length, is refused.
func TestEveryEntryWithDigitsIsCommon(t *testing.T) {
	b := blocklist{text: commonText}
	b.once.Do(b.load)
	for entry := range b.set {
		if len(entry) < minPiece {
			continue
		}
		password := entry + strings.Repeat("1", max(MinLength-len(entry), 1)) + "!"
		if err := Validate(password, ""); !errors.Is(err, ErrCommon) && !errors.Is(err, ErrTooLong) {
			t.Errorf("Validate(%q) got %v, want %v", password, err, ErrCommon)
		}
	}
}

func TestBlocklistRules(t *testing.T) {
	b := blocklist{text: "# comment\nhunter2\n\n  Tiger \n"}
	tests := []struct {
		password string
		want     bool
	}{
		{"hunter2", true},
		{"HUNTER2", true},
		{"tiger", true},
		{"# comment", false},
		{"hunter2hunter2hunter2", true},
		{"tiger!!!!", true},
		{"tigerhunter2", true},
		{"2024tiger2024", true},
		{"lion", false},
		{"tigerlion", false},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			if got := b.isCommon(tt.password); got != tt.want {
				t.Errorf("isCommon(%q) got %v, want %v", tt.password, got, tt.want)
			}
		})
	}
}

func TestIsRun(t *testing.T) {
	tests := []struct {
		s    string
		want bool
	}{
		{"0123456789", true},
		{"7890123", true},
		{"3210987", true},
		{"xyzab", true},
		{"qwerty", true},
		{"ytrewq", true},
		{"azerty", true},
		{"zxcvbnm", true},
		{"1qaz2wsx", true},
		{"mq", false}, // the end of one walk and the start of the next
		{"a", false},
		{"", false},
		{"abd", false},
		{"1357", false},
	}
	for _, tt := range tests {
		if got := isRun(tt.s); got != tt.want {
			t.Errorf("isRun(%q) got %v, want %v", tt.s, got, tt.want)
		}
	}
}
