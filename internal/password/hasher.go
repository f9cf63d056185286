package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
)

// DefaultMaxWait is how long a hash waits for a free slot before it is shed
// with ErrBusy. docs/security.md R7 asks for a login p95 under 1.5 s with 200
// concurrent logins on 2 cores. Past the wait, a request still spends time
// on its queries and its answer while the slots keep both cores busy:
// measured on this machine kind, 0.15 to 0.75 s. Half a second leaves that
// room; a 1 s wait missed the target in one run out of four (BENCHMARKS.md).
// Under sustained overload a shorter wait costs no throughput: the slots
// stay busy as long as anyone waits.
const DefaultMaxWait = 500 * time.Millisecond

// DefaultQueuePerSlot bounds the callers waiting for a slot, per slot. One
// production hash takes about 40 ms alone, about 80 ms with two slots per
// core, so in DefaultMaxWait each slot finishes about 6 hashes: a caller
// beyond 8 per slot would wait in vain, and is shed at once instead,
// without holding a goroutine and its request for the whole wait.
const DefaultQueuePerSlot = 8

// ErrBusy is returned (wrapped) by Hash, Verify and VerifyDummy when no
// hashing slot came free within the Hasher's maximum wait, or at once when
// the queue of callers waiting for one is full: the node is overloaded and the caller should answer "try again shortly", never
// "wrong password". Match it with errors.Is; it also has the method
// Overloaded() bool so that packages that may not import this one (the
// domain) can recognise it.
var ErrBusy error = busyError{}

type busyError struct{}

func (busyError) Error() string    { return "password hashing is overloaded" }
func (busyError) Overloaded() bool { return true }

// RetryAfter is the wait a shed caller is told to observe.
func (busyError) RetryAfter() time.Duration { return time.Second }

// Hasher hashes and verifies passwords with fixed parameters. At most
// maxConcurrent hashes run at once. Callers beyond that queue for a slot:
// at most maxQueue of them (DefaultQueuePerSlot per slot; one more is
// refused at once with ErrBusy), each for at most maxWait (DefaultMaxWait;
// then ErrBusy) or until its context ends (the context's error). A Hasher
// is safe for concurrent use.
type Hasher struct {
	params   Params
	slots    chan struct{}
	maxWait  time.Duration
	maxQueue int64
	waiting  atomic.Int64
	admitted atomic.Int64
	dummy    string // PHC string checked by VerifyDummy; no password matches it
}

// NewHasher returns a Hasher using p (zero fields take the production
// values). maxConcurrent <= 0 means 2*GOMAXPROCS.
func NewHasher(p Params, maxConcurrent int) *Hasher {
	if maxConcurrent <= 0 {
		maxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	p = p.withDefaults()
	return &Hasher{
		params:   p,
		slots:    make(chan struct{}, maxConcurrent),
		maxWait:  DefaultMaxWait,
		maxQueue: int64(DefaultQueuePerSlot * maxConcurrent),
		dummy:    phc{params: p, salt: randomBytes(p.SaltLen), key: randomBytes(p.KeyLen)}.String(),
	}
}

// SetQueue bounds the wait for a slot: at most maxQueue callers wait
// (< 0: no bound), each at most maxWait (<= 0: until its context ends).
// Call it before first use.
func (h *Hasher) SetQueue(maxQueue int, maxWait time.Duration) {
	h.maxQueue, h.maxWait = int64(maxQueue), maxWait
}

// Admit reserves a place for a password check that has other work to do
// (database reads) before it hashes, so that under overload it is refused
// before that work rather than after: at most as many checks are admitted
// as the slots and the queue hold, the next one gets ErrBusy at once.
// Call release when the check is over (it may be called more than once).
func (h *Hasher) Admit() (release func(), err error) {
	if h.maxQueue < 0 {
		return func() {}, nil
	}
	if n := h.admitted.Add(1); n > int64(cap(h.slots))+h.maxQueue {
		h.admitted.Add(-1)
		return nil, fmt.Errorf("admit password check: %d in progress: %w", n-1, ErrBusy)
	}
	var once sync.Once
	return func() { once.Do(func() { h.admitted.Add(-1) }) }, nil
}

// Hash returns the PHC string of password under a fresh random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := randomBytes(h.params.SaltLen)
	key, err := h.derive(ctx, password, h.params, salt)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return phc{params: h.params, salt: salt, key: key}.String(), nil
}

// Verify reports whether password matches encoded, a PHC string from Hash.
// needsRehash is true when encoded was made with other parameters than h's,
// so the caller should store a fresh Hash after a successful login. A
// malformed encoded is an error wrapping ErrMalformedHash.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (ok, needsRehash bool, err error) {
	stored, err := parsePHC(encoded)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	ok, err = h.verify(ctx, password, stored)
	if err != nil {
		return false, false, fmt.Errorf("verify password: %w", err)
	}
	return ok, stored.params != h.params, nil
}

// VerifyDummy runs Verify against a hash with h's parameters that no
// password matches (its key is random, not derived). Call it for unknown
// users, so that they answer as slowly as known ones. Its error is Verify's:
// ErrBusy or the context's when no slot came free, so an unknown address is
// shed exactly as a known one is.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) error {
	_, _, err := h.Verify(ctx, password, h.dummy)
	return err
}

func (h *Hasher) verify(ctx context.Context, password string, stored phc) (bool, error) {
	key, err := h.derive(ctx, password, stored.params, stored.salt)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(key, stored.key) == 1, nil
}

// derive runs Argon2id once a slot is free.
func (h *Hasher) derive(ctx context.Context, password string, p Params, salt []byte) ([]byte, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil { // a done ctx never wins the race for a free slot
		return fmt.Errorf("wait for hashing slot: %w", err)
	}
	select {
	case h.slots <- struct{}{}: // a free slot: no timer
		return nil
	default:
	}
	if n := h.waiting.Add(1); h.maxQueue >= 0 && n > h.maxQueue {
		h.waiting.Add(-1)
		return fmt.Errorf("wait for hashing slot: %d callers waiting already: %w", n-1, ErrBusy)
	}
	defer h.waiting.Add(-1)
	var expired <-chan time.Time
	if h.maxWait > 0 {
		t := time.NewTimer(h.maxWait)
		defer t.Stop()
		expired = t.C
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-expired:
		return fmt.Errorf("wait for hashing slot %v: %w", h.maxWait, ErrBusy)
	case <-ctx.Done():
		return fmt.Errorf("wait for hashing slot: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// randomBytes returns n bytes from crypto/rand, which never fails (Go 1.24+
// crashes the program rather than return an error).
func randomBytes(n uint32) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}
