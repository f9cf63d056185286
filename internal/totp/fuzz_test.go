package totp

import (
	"testing"
	"time"
)

// FuzzVerify: whatever the code, secret, time and last used step, Verify
// accepts only six digits that are the code of a step within one of now,
// later than the last used one; that step cannot be used again (the code
// is not replayable); and the current code is always accepted while its
// step is unused.
func FuzzVerify(f *testing.F) {
	secret := []byte("12345678901234567890") // RFC 6238's SHA-1 test secret
	f.Add(secret, "287082", int64(59), int64(0))
	f.Add(secret, "081804", int64(1111111109), int64(37037036))
	f.Add(secret, "٠١٢٣٤٥", int64(0), int64(-1))
	f.Add([]byte{}, "000000", int64(-59), int64(-10))
	f.Add(secret, " 28708", int64(59), int64(-1<<63))
	f.Fuzz(func(t *testing.T, secret []byte, code string, unix, last int64) {
		unix %= 1 << 40 // years 0 to 36812 either side of 1970: time.Unix stays exact
		now := time.Unix(unix, 0)
		current := Step(now)
		step, ok := Verify(secret, code, now, last)
		if ok {
			if !isDigits(code, Digits) {
				t.Fatalf("accepted %q, which is not six ASCII digits", code)
			}
			if step < current-Skew || step > current+Skew || step <= last {
				t.Fatalf("accepted step %d: now %d, last used %d", step, current, last)
			}
			if want := codeDigits(secret, step, Digits); want != code {
				t.Fatalf("accepted %q for step %d, whose code is %s", code, step, want)
			}
			if _, again := Verify(secret, code, now, step); again {
				t.Fatalf("code %q accepted again after step %d was used", code, step)
			}
		} else if step != 0 {
			t.Fatalf("refused, but step %d", step)
		}
		good := Code(secret, now)
		if s, ok := Verify(secret, good, now, current-Skew-1); !ok || s < current {
			t.Fatalf("the current code %s refused (step %d, %v)", good, s, ok)
		}
	})
}
