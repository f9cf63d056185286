package totp

import (
	"encoding/base32"
	"net/url"
	"strings"
	"testing"
	"time"
)

var rfcSecret = []byte("12345678901234567890")

// TestRFC6238Vectors checks the SHA-1 rows of RFC 6238 appendix B.
func TestRFC6238Vectors(t *testing.T) {
	tests := []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	}
	for _, tt := range tests {
		now := time.Unix(tt.unix, 0).UTC()
		if got := codeDigits(rfcSecret, Step(now), 8); got != tt.want {
			t.Errorf("%v: got %s, want %s", now, got, tt.want)
		}
		if got, want := Code(rfcSecret, now), tt.want[2:]; got != want {
			t.Errorf("%v: Code got %s, want %s", now, got, want)
		}
	}
}

// TestRFC4226Vectors checks RFC 4226 appendix D (HOTP, 6 digits).
func TestRFC4226Vectors(t *testing.T) {
	want := []string{"755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"}
	for counter, w := range want {
		if got := codeDigits(rfcSecret, int64(counter), 6); got != w {
			t.Errorf("counter %d: got %s, want %s", counter, got, w)
		}
	}
}

func TestStep(t *testing.T) {
	tests := []struct {
		unix int64
		want int64
	}{
		{0, 0},
		{29, 0},
		{30, 1},
		{59, 1},
		{1111111109, 37037036},
		{-1, -1},
		{-30, -1},
		{-31, -2},
	}
	for _, tt := range tests {
		if got := Step(time.Unix(tt.unix, 0)); got != tt.want {
			t.Errorf("Step(%d) got %d, want %d", tt.unix, got, tt.want)
		}
	}
	if got := Step(time.Unix(59, 999_999_999)); got != 1 {
		t.Errorf("Step(59.999s) got %d, want 1", got)
	}
}

func TestVerifyWindow(t *testing.T) {
	now := time.Unix(1_700_000_015, 0) // the middle of a step
	current := Step(now)
	tests := []struct {
		name     string
		codeStep int64
		lastUsed int64
		wantOK   bool
	}{
		{"current", current, 0, true},
		{"previous", current - 1, 0, true},
		{"next", current + 1, 0, true},
		{"two back", current - 2, 0, false},
		{"two ahead", current + 2, 0, false},
		{"current, previous used", current, current - 1, true},
		{"replay of current", current, current, false},
		{"previous after current used", current - 1, current, false},
		{"next after current used", current + 1, current, true},
		{"anything after next used", current, current + 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code := codeDigits(rfcSecret, tt.codeStep, Digits)
			step, ok := Verify(rfcSecret, code, now, tt.lastUsed)
			if ok != tt.wantOK {
				t.Fatalf("got ok %v, want %v", ok, tt.wantOK)
			}
			if ok && step != tt.codeStep {
				t.Errorf("got step %d, want %d", step, tt.codeStep)
			}
			if !ok && step != 0 {
				t.Errorf("got step %d on failure, want 0", step)
			}
		})
	}
}

func TestVerifyReplay(t *testing.T) {
	secret, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	code := Code(secret, now)
	step, ok := Verify(secret, code, now, 0)
	if !ok {
		t.Fatal("first use: got false, want true")
	}
	if _, ok := Verify(secret, code, now, step); ok {
		t.Error("replay at the same time: got true, want false")
	}
	if _, ok := Verify(secret, code, now.Add(Period), step); ok {
		t.Error("replay a step later: got true, want false")
	}
}

func TestVerifyMalformed(t *testing.T) {
	now := time.Unix(1_700_000_015, 0)
	good := Code(rfcSecret, now)
	tests := []string{
		"",
		good[:5],
		good + "0",
		" " + good,
		good + " ",
		good[:3] + " " + good[3:],
		"12345a",
		"-12345",
		"+12345",
		"１２３４５６", // full-width digits
		codeDigits(rfcSecret, Step(now), 8),
	}
	for _, code := range tests {
		if _, ok := Verify(rfcSecret, code, now, 0); ok {
			t.Errorf("Verify(%q) got true, want false", code)
		}
	}
	if _, ok := Verify(rfcSecret, good, now, 0); !ok {
		t.Errorf("control Verify(%q) got false, want true", good)
	}
}

func TestWrongSecret(t *testing.T) {
	now := time.Unix(1_700_000_015, 0)
	other := []byte("09876543210987654321")
	if _, ok := Verify(other, Code(rfcSecret, now), now, 0); ok {
		t.Error("got true for another secret's code, want false")
	}
}

func TestGenerateSecret(t *testing.T) {
	a, errA := GenerateSecret()
	b, errB := GenerateSecret()
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	if len(a) != 20 {
		t.Errorf("got %d bytes, want 20", len(a))
	}
	if string(a) == string(b) {
		t.Error("got the same secret twice, want different ones")
	}
}

func TestEncodeSecret(t *testing.T) {
	tests := []struct {
		secret []byte
		want   string
	}{
		{rfcSecret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"},
		{[]byte("12345"), "GEZDGNBV"},
		{[]byte("1"), "GE"}, // no padding
	}
	for _, tt := range tests {
		if got := EncodeSecret(tt.secret); got != tt.want {
			t.Errorf("EncodeSecret(%q) got %s, want %s", tt.secret, got, tt.want)
		}
	}
}

func TestURL(t *testing.T) {
	secret, err := GenerateSecret()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, issuer, account string
		wantLabel             string
	}{
		{"plain", "Roster", "jane@example.com", "/Roster:jane@example.com"},
		{"spaces", "Acme Corp", "jane doe@example.com", "/Acme Corp:jane doe@example.com"},
		{"colon and specials", "A:B&C?", "x+y/z#1@example.com", "/A:B&C?:x+y/z#1@example.com"},
		{"unicode", "Röster", "jöhn@exämple.com", "/Röster:jöhn@exämple.com"},
		{"no issuer", "", "jane@example.com", "/jane@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := URL(tt.issuer, tt.account, secret)
			if strings.Contains(raw, "+") || strings.Contains(raw, " ") {
				t.Errorf("got %q, want spaces as %%20 and no raw '+'", raw)
			}
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatalf("parse %q: %v", raw, err)
			}
			if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != tt.wantLabel {
				t.Errorf("got %s://%s%s, want otpauth://totp%s", u.Scheme, u.Host, u.Path, tt.wantLabel)
			}
			if n := strings.Count(u.EscapedPath(), ":"); tt.issuer != "" && n != 1 {
				t.Errorf("got %d literal colons in %q, want exactly 1", n, u.EscapedPath())
			}
			q := u.Query()
			got, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(q.Get("secret"))
			if err != nil || string(got) != string(secret) {
				t.Errorf("secret: got %x (%v), want %x", got, err, secret)
			}
			want := map[string]string{"issuer": tt.issuer, "algorithm": "SHA1", "digits": "6", "period": "30"}
			for key, w := range want {
				if g := q.Get(key); g != w {
					t.Errorf("%s: got %q, want %q", key, g, w)
				}
			}
			if _, has := q["issuer"]; tt.issuer == "" && has {
				t.Error("got an issuer parameter, want none for an empty issuer")
			}
		})
	}
}

func TestToolkitMatchesFunctions(t *testing.T) {
	var k Toolkit
	secret, err := k.NewSecret()
	if err != nil || len(secret) != SecretSize {
		t.Fatalf("NewSecret got %d bytes, %v; want %d, nil", len(secret), err, SecretSize)
	}
	now := time.Now()
	if _, ok := k.Verify(secret, Code(secret, now), now, 0); !ok {
		t.Error("Verify: got false, want true")
	}
	if got, want := k.URL("I", "a", secret), URL("I", "a", secret); got != want {
		t.Errorf("URL got %q, want %q", got, want)
	}
	if got, want := k.EncodeSecret(secret), EncodeSecret(secret); got != want {
		t.Errorf("EncodeSecret got %q, want %q", got, want)
	}
	if got := k.NormalizeRecoveryCode("AB-C"); got != "abc" {
		t.Errorf("NormalizeRecoveryCode got %q, want abc", got)
	}
	if codes, err := k.RecoveryCodes(2); err != nil || len(codes) != 2 {
		t.Errorf("RecoveryCodes got %v, %v; want 2 codes", codes, err)
	}
}
