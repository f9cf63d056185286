package roster

import (
	"errors"
	"testing"
	"time"
)

// FuzzDecodeCursor: a ?cursor= value from a client is either "" (the first
// page), a cursor that encodes back to one decoding the same, or a typed
// validation error on the field "cursor"; never a panic or another error.
func FuzzDecodeCursor(f *testing.F) {
	for _, s := range []string{
		"", EncodeCursor(Cursor{Time: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), ID: "mem_abc"}),
		EncodeCursor(Cursor{Time: time.Unix(0, -1), ID: "a|b"}), "MTIz", "MTIzfA", "fGE", "%%%", "K3w",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := decodeCursor(s)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code != CodeValidationFailed || e.Field != "cursor" {
				t.Fatalf("decodeCursor(%q): got %v, want validation_failed on cursor", s, err)
			}
			if c != nil {
				t.Fatalf("decodeCursor(%q): a cursor with an error", s)
			}
			return
		}
		if s == "" {
			if c != nil {
				t.Fatalf("decodeCursor(\"\") = %+v, want nil", c)
			}
			return
		}
		if c == nil || c.ID == "" {
			t.Fatalf("decodeCursor(%q) = %+v, want a cursor with an id", s, c)
		}
		again, err := decodeCursor(EncodeCursor(*c))
		if err != nil || !again.Time.Equal(c.Time) || again.ID != c.ID {
			t.Fatalf("round trip of %q: %+v then %+v, %v", s, c, again, err)
		}
	})
}

// FuzzCursorRoundTrip: every position a list hands out decodes to itself.
func FuzzCursorRoundTrip(f *testing.F) {
	f.Add(int64(0), "mem_1")
	f.Add(int64(-62135596800000000), "x|y")
	f.Add(int64(1<<63-1), "\xff")
	f.Fuzz(func(t *testing.T, nanos int64, id string) {
		if id == "" {
			return // no list item has an empty id
		}
		in := Cursor{Time: time.Unix(0, nanos).UTC(), ID: id}
		out, err := decodeCursor(EncodeCursor(in))
		if err != nil || out == nil || !out.Time.Equal(in.Time) || out.ID != in.ID {
			t.Fatalf("%+v: decoded %+v, %v", in, out, err)
		}
	})
}
