package password

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Produced by the reference implementation (Debian package argon2):
//
//	echo -n PASSWORD | argon2 somesaltsomesalt -id -t T -k M -p P -l L -e
var referenceHashes = []struct {
	name, password, encoded string
}{
	{"m=64 t=2 p=1 l=32", "correct horse battery staple",
		"$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Sr6N/nCmohWCvF7EZislLIdwA8ojCXux0K30ccqFS30"},
	{"m=64 t=1 p=2 l=16", "password",
		"$argon2id$v=19$m=64,t=1,p=2$c29tZXNhbHRzb21lc2FsdA$YDWZ7SC7/FISnTlw8W9X9w"},
}

const productionReference = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$ejCKfhWLSBkqJ+oKf6umE9yZtNSvJ/3BT3o+Lec1kfo"

func TestHashVerifyRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(TestParams(), 0)
	tests := []struct {
		name, password string
	}{
		{"ascii", "correct horse battery staple"},
		{"empty", ""},
		{"non-ascii", "пароль-密码-كلمة السر"},
		{"long", strings.Repeat("x", 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			encoded, err := h.Hash(ctx, tt.password)
			if err != nil {
				t.Fatalf("Hash: %v", err)
			}
			if want := "$argon2id$v=19$m=64,t=1,p=1$"; !strings.HasPrefix(encoded, want) {
				t.Errorf("got %q, want prefix %q", encoded, want)
			}
			ok, rehash, err := h.Verify(ctx, tt.password, encoded)
			if err != nil || !ok || rehash {
				t.Errorf("Verify(right) got ok=%v rehash=%v err=%v, want true false nil", ok, rehash, err)
			}
			ok, _, err = h.Verify(ctx, tt.password+"x", encoded)
			if err != nil || ok {
				t.Errorf("Verify(wrong) got ok=%v err=%v, want false nil", ok, err)
			}
		})
	}
}

func TestHashUsesFreshSalt(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(TestParams(), 0)
	a, errA := h.Hash(ctx, "same password twice")
	b, errB := h.Hash(ctx, "same password twice")
	if errA != nil || errB != nil {
		t.Fatalf("Hash: %v, %v", errA, errB)
	}
	if a == b {
		t.Errorf("got the same hash twice %q, want different salts", a)
	}
}

func TestVerifyReferenceHashes(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(TestParams(), 0)
	for _, tt := range referenceHashes {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := h.Verify(ctx, tt.password, tt.encoded)
			if err != nil || !ok {
				t.Fatalf("got ok=%v err=%v, want true nil", ok, err)
			}
			if !rehash {
				t.Errorf("got needsRehash false, want true (params differ from TestParams)")
			}
			if ok, _, _ := h.Verify(ctx, tt.password+" ", tt.encoded); ok {
				t.Errorf("got ok for a wrong password, want false")
			}
		})
	}
}

func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	base := TestParams()
	encoded, err := NewHasher(base, 0).Hash(ctx, "a password to rehash")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*Params)
		want   bool
	}{
		{"same", func(*Params) {}, false},
		{"memory", func(p *Params) { p.Memory *= 2 }, true},
		{"time", func(p *Params) { p.Time++ }, true},
		{"threads", func(p *Params) { p.Threads++ }, true},
		{"salt length", func(p *Params) { p.SaltLen = 32 }, true},
		{"key length", func(p *Params) { p.KeyLen = 64 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			tt.change(&p)
			ok, rehash, err := NewHasher(p, 0).Verify(ctx, "a password to rehash", encoded)
			if err != nil || !ok {
				t.Fatalf("got ok=%v err=%v, want true nil", ok, err)
			}
			if rehash != tt.want {
				t.Errorf("got needsRehash %v, want %v", rehash, tt.want)
			}
		})
	}
}

func TestProductionParams(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(ProductionParams(), 0)
	encoded, err := h.Hash(ctx, "a production password")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 {
		t.Fatalf("got %q, want 6 $-separated fields", encoded)
	}
	if got, want := strings.Join(parts[1:4], "$"), "argon2id$v=19$m=19456,t=2,p=1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	stored, err := parsePHC(encoded)
	if err != nil {
		t.Fatal(err)
	}
	if len(stored.salt) != 16 || len(stored.key) != 32 {
		t.Errorf("got salt %d key %d bytes, want 16 and 32", len(stored.salt), len(stored.key))
	}
	ok, rehash, err := h.Verify(ctx, "Tr0ub4dor&3 is not enough", productionReference)
	if err != nil || !ok || rehash {
		t.Errorf("reference: got ok=%v rehash=%v err=%v, want true false nil", ok, rehash, err)
	}
}

func TestNewHasherDefaults(t *testing.T) {
	h := NewHasher(Params{}, 0)
	if got, want := h.params, ProductionParams(); got != want {
		t.Errorf("params: got %+v, want %+v", got, want)
	}
	if got, want := cap(h.slots), 2*runtime.GOMAXPROCS(0); got != want {
		t.Errorf("slots: got %d, want %d", got, want)
	}
	if got := cap(NewHasher(TestParams(), 3).slots); got != 3 {
		t.Errorf("slots: got %d, want 3", got)
	}
}

func TestSemaphoreHonoursContext(t *testing.T) {
	h := NewHasher(TestParams(), 1)
	if err := h.acquire(context.Background()); err != nil { // another hash holds the only slot
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	encoded, err := NewHasher(TestParams(), 1).Hash(context.Background(), "pw")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ctx  context.Context
		call func(context.Context) error
		want error
	}{
		{"hash cancelled", cancelled, func(ctx context.Context) error { _, err := h.Hash(ctx, "pw"); return err }, context.Canceled},
		{"hash deadline", expired, func(ctx context.Context) error { _, err := h.Hash(ctx, "pw"); return err }, context.DeadlineExceeded},
		{"verify cancelled", cancelled, func(ctx context.Context) error {
			ok, _, err := h.Verify(ctx, "pw", encoded)
			if ok {
				return errors.New("ok without hashing")
			}
			return err
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(tt.ctx); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	h.release()
	if _, err := h.Hash(context.Background(), "pw"); err != nil {
		t.Errorf("after release: got %v, want nil", err)
	}
}

func TestCancelledContextNeverTakesFreeSlot(t *testing.T) {
	h := NewHasher(TestParams(), 4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 100 {
		if _, err := h.Hash(ctx, "pw"); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want %v", err, context.Canceled)
		}
	}
}

func TestConcurrentHashing(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(TestParams(), 2)
	errs := make(chan error, 16)
	for i := range cap(errs) {
		go func() {
			pw := strings.Repeat("p", i+1)
			encoded, err := h.Hash(ctx, pw)
			if err == nil {
				var ok bool
				ok, _, err = h.Verify(ctx, pw, encoded)
				if !ok && err == nil {
					err = errors.New("round trip failed")
				}
			}
			errs <- err
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if got := len(h.slots); got != 0 {
		t.Errorf("slots held after all hashes: got %d, want 0", got)
	}
}

func TestVerifyDummy(t *testing.T) {
	h := NewHasher(TestParams(), 1)
	dummy, err := parsePHC(h.dummy)
	if err != nil {
		t.Fatalf("dummy hash: %v", err)
	}
	if dummy.params != h.params {
		t.Errorf("dummy params: got %+v, want %+v", dummy.params, h.params)
	}
	if err := h.VerifyDummy(context.Background(), "anything"); err != nil {
		t.Fatalf("VerifyDummy: %v", err)
	}
	if got := len(h.slots); got != 0 {
		t.Errorf("slots held: got %d, want 0", got)
	}

	// It hashes: with the only slot taken it waits for its context.
	if err := h.acquire(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer h.release()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = h.VerifyDummy(ctx, "anything")
	if elapsed := time.Since(start); elapsed < 25*time.Millisecond {
		t.Errorf("got return after %v, want it to wait for the slot until the deadline", elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the context's error", err)
	}
}

// docs/security.md R7: a hash waits for a slot at most the maximum wait, then
// is shed with ErrBusy, whatever its context allows; Hash, Verify and
// VerifyDummy (unknown users) alike.
func TestHasherShedsAfterMaxWait(t *testing.T) {
	h := NewHasher(TestParams(), 1)
	h.SetQueue(10, 40*time.Millisecond)
	if err := h.acquire(context.Background()); err != nil { // the only slot, held
		t.Fatal(err)
	}
	ctx := context.Background() // no deadline: only the max wait ends the wait
	encoded := phc{params: h.params, salt: make([]byte, 16), key: make([]byte, 32)}.String()
	calls := map[string]func() error{
		"Hash":        func() error { _, err := h.Hash(ctx, "pw"); return err },
		"Verify":      func() error { _, _, err := h.Verify(ctx, "pw", encoded); return err },
		"VerifyDummy": func() error { return h.VerifyDummy(ctx, "pw") },
	}
	for name, call := range calls {
		done := make(chan error, 1)
		start := time.Now()
		go func() { done <- call() }()
		select {
		case err := <-done:
			elapsed := time.Since(start)
			if !errors.Is(err, ErrBusy) {
				t.Errorf("%s: got %v, want ErrBusy", name, err)
			}
			var o interface{ Overloaded() bool }
			if !errors.As(err, &o) || !o.Overloaded() {
				t.Errorf("%s: %v does not report Overloaded()", name, err)
			}
			if elapsed < 35*time.Millisecond {
				t.Errorf("%s: shed after %v, want it to wait the max wait first", name, elapsed)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: still waiting for the slot after 5 s: the wait is not bounded", name)
		}
	}
	h.release()
	if _, err := h.Hash(ctx, "pw"); err != nil {
		t.Fatalf("with the slot free: %v", err)
	}
	if got := len(h.slots); got != 0 {
		t.Errorf("slots held: got %d, want 0", got)
	}
}

func BenchmarkHashProduction(b *testing.B) {
	ctx := context.Background()
	h := NewHasher(ProductionParams(), 0)
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyProduction(b *testing.B) {
	ctx := context.Background()
	h := NewHasher(ProductionParams(), 0)
	for b.Loop() {
		if ok, _, err := h.Verify(ctx, "Tr0ub4dor&3 is not enough", productionReference); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

// A caller beyond the queue's bound is shed at once, without waiting; one
// that leaves the queue makes room again.
func TestHasherShedsBeyondQueue(t *testing.T) {
	h := NewHasher(TestParams(), 1)
	h.SetQueue(1, time.Minute)
	if err := h.acquire(context.Background()); err != nil { // the only slot, held
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	queued := make(chan error, 1)
	go func() { _, err := h.Hash(ctx, "pw"); queued <- err }()
	for h.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	start := time.Now()
	_, err := h.Hash(context.Background(), "pw")
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("beyond the queue: got %v, want ErrBusy", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("beyond the queue: shed after %v, want at once", elapsed)
	}
	cancel()
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Fatalf("the queued caller: got %v, want its context's error", err)
	}
	if n := h.waiting.Load(); n != 0 {
		t.Fatalf("%d still counted as waiting", n)
	}
	h.release()
	if _, err := h.Hash(context.Background(), "pw"); err != nil {
		t.Fatalf("with the slot free: %v", err)
	}
}

// Admit lets in as many checks as the slots and the queue hold, refuses the
// next at once with ErrBusy, and lets one in again after a release.
func TestHasherAdmit(t *testing.T) {
	h := NewHasher(TestParams(), 2)
	h.SetQueue(3, time.Second)
	var releases []func()
	for i := range 5 {
		release, err := h.Admit()
		if err != nil {
			t.Fatalf("check %d of 5: %v", i+1, err)
		}
		releases = append(releases, release)
	}
	if _, err := h.Admit(); !errors.Is(err, ErrBusy) {
		t.Fatalf("6th check: got %v, want ErrBusy", err)
	}
	releases[0]()
	releases[0]() // a second call changes nothing
	if _, err := h.Admit(); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, err := h.Admit(); !errors.Is(err, ErrBusy) {
		t.Fatalf("full again: got %v, want ErrBusy", err)
	}
}
