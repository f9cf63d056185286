package password

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// unpatterned returns n bytes of hex digits with no repetition or run.
func unpatterned(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		sum := sha256.Sum256([]byte{byte(i)})
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	return b.String()[:n]
}

func TestValidateLength(t *testing.T) {
	tests := []struct {
		name     string
		password string
		want     error
	}{
		{"15 ascii", "aB3$kd9!Lm2@Qzx", nil},
		{"14 ascii", "aB3$kd9!Lm2@Qz", ErrTooShort},
		{"15 runes of 3 bytes", "日本語のパスワードです長いよ!", nil},
		{"14 runes of 3 bytes", "日本語のパスワードです長いよ", ErrTooShort},
		{"15 runes with combining accent", "mañana-tarde-x\u0301", nil},
		{"empty", "", ErrTooShort},
		{"64 bytes", unpatterned(64), nil},
		{"256 bytes", unpatterned(256), nil},
		{"257 bytes", unpatterned(257), ErrTooLong},
		{"129 runes, 258 bytes", strings.Repeat("é", 129), ErrTooLong},
		{"spaces count", "  mauve turtle  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.password, ""); !errors.Is(err, tt.want) {
				t.Errorf("Validate(%q) got %v, want %v", tt.password, err, tt.want)
			}
		})
	}
}

func TestValidateCommon(t *testing.T) {
	tests := []struct {
		password string
		want     error
	}{
		// In the list, or a hand-picked phrase.
		{"correcthorsebatterystaple", ErrCommon},
		{"Correct Horse Battery Staple", ErrCommon},
		{"correct-horse-battery-staple", ErrCommon},
		{"thequickbrownfoxjumpsoverthelazydog", ErrCommon},
		// A list entry or short sequence repeated.
		{"passwordpassword", ErrCommon},
		{"PasswordPassword", ErrCommon},
		{"password password", ErrCommon},
		{"passwordpasswordp", ErrCommon},
		{"iloveyouiloveyou", ErrCommon},
		{"monkeymonkeymonkey", ErrCommon},
		{"p@ssw0rdp@ssw0rd", ErrCommon},
		{"letmein!letmein!", ErrCommon},
		{"2024monkey2024monkey", ErrCommon},
		{"123123123123123", ErrCommon},
		{"qwertyqwertyqwerty", ErrCommon},
		{"abcabcabcabcabc", ErrCommon},
		{"q1q1q1q1q1q1q1q1", ErrCommon},
		// One character repeated.
		{"aaaaaaaaaaaaaaa", ErrCommon},
		{"000000000000000", ErrCommon},
		{"!!!!!!!!!!!!!!!", ErrCommon},
		{"ééééééééééééééé", ErrCommon},
		// Runs of digits, letters or keys.
		{"123456789012345", ErrCommon},
		{"987654321098765", ErrCommon},
		{"abcdefghijklmnop", ErrCommon},
		{"ponmlkjihgfedcba", ErrCommon},
		{"xyzabcdefghijklm", ErrCommon},
		{"qwertyuiopasdfgh", ErrCommon},
		{"1qaz2wsx3edc4rfv", ErrCommon},
		{"1q2w3e4r5t6y7u8i", ErrCommon},
		{"zaq12wsxcde34rfv", ErrCommon},
		{"a.b.c.d.e.f.g.h.i", ErrCommon},
		// A list entry with digits and punctuation around it.
		{"password12345678!", ErrCommon},
		{"Password2024!!!!!", ErrCommon},
		{"2024password!!!!", ErrCommon},
		{"monkey8264917305!", ErrCommon},
		{"passwordpassword1", ErrCommon},
		{"abcdefgh12345678", ErrCommon},
		// Two list entries.
		{"iloveyouprincess", ErrCommon},
		{"sunshine-football", ErrCommon},
		{"qwertyuiopmonkey", ErrCommon},
		// Not common.
		{"mauve turtle sings opera", nil},
		{"Zq8#vT1!pL0@wX5$", nil},
		{"ab8472910384756", nil},
		{"1234xk29d0sm3la", nil},
		{"purple-elephant-waltz-9", nil},
		{"日本語のパスワードです長いよ!", nil},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			if err := Validate(tt.password, ""); !errors.Is(err, tt.want) {
				t.Errorf("Validate(%q) got %v, want %v", tt.password, err, tt.want)
			}
		})
	}
}

func TestValidateEmail(t *testing.T) {
	tests := []struct {
		name, password, email string
		want                  error
	}{
		{"equal", "jane.doe@example.com", "jane.doe@example.com", ErrIsEmail},
		{"equal other case", "JANE.DOE@EXAMPLE.COM", "Jane.Doe@example.com", ErrIsEmail},
		{"contains", "my mail: jane.doe@example.com!", "jane.doe@example.com", ErrIsEmail},
		{"contains other case", "xxJane.Doe@Example.comxx", "jane.doe@example.com", ErrIsEmail},
		{"local part", "Jane.Doe.Smith.1990", "jane.doe.smith.1990@example.com", ErrIsEmail},
		{"local part other case", "JANE.DOE.SMITH.1990", "jane.doe.smith.1990@example.com", ErrIsEmail},
		{"local part without dots", "janedoesmith1990", "jane.doe.smith.1990@example.com", ErrIsEmail},
		{"local part with new digits", "JaneDoeSmith2024!", "jane.doe.smith.1990@example.com", ErrIsEmail},
		{"email with spaces around", "jane.doe@example.com", "  jane.doe@example.com ", ErrIsEmail},
		{"short local part elsewhere", "bob likes mauve turtles", "bob@example.com", nil},
		{"unrelated", "mauve turtle sings opera", "jane.doe@example.com", nil},
		{"no email", "mauve turtle sings opera", "", nil},
		{"short local part", "mauve turtle sings opera", "mau@example.com", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.password, tt.email); !errors.Is(err, tt.want) {
				t.Errorf("Validate(%q, %q) got %v, want %v", tt.password, tt.email, err, tt.want)
			}
		})
	}
}

func TestErrorMessagesReadAsSentences(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{ErrTooShort, "must be at least 15 characters"},
		{ErrTooLong, "must be at most 256 bytes long"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	for _, err := range []error{ErrTooShort, ErrTooLong, ErrCommon, ErrIsEmail} {
		if msg := err.Error(); strings.HasPrefix(msg, "password") || strings.ToLower(msg[:1]) != msg[:1] {
			t.Errorf("got %q, want a lowercase phrase that follows \"password \"", msg)
		}
	}
}

// FuzzValidate checks that Validate never panics and only ever accepts
// passwords within the length limits.
func FuzzValidate(f *testing.F) {
	f.Add("correct horse battery staple", "jane@example.com")
	f.Add("passwordpassword1", "")
	f.Add("日本語のパスワードです長いよ!", "x@y")
	f.Add("\xff\xfe invalid utf-8 here", "@")
	f.Fuzz(func(t *testing.T, password, email string) {
		err := Validate(password, email)
		if err != nil {
			return
		}
		if n := utf8.RuneCountInString(password); n < MinLength || len(password) > MaxBytes {
			t.Errorf("accepted %q with %d runes and %d bytes", password, n, len(password))
		}
	})
}

func BenchmarkValidate(b *testing.B) {
	inputs := []struct{ name, password string }{
		{"typical", "mauve turtle sings opera"},
		{"256 digits", strings.Repeat("1357924680", 26)[:256]},
		{"256 hex", unpatterned(256)},
		{"256 punctuation", strings.Repeat("!@#$%^&*()", 26)[:256]},
	}
	for _, in := range inputs {
		b.Run(in.name, func(b *testing.B) {
			for b.Loop() {
				_ = Validate(in.password, "jane.doe@example.com")
			}
		})
	}
}
