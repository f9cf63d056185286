// Package ratelimit is the in-memory, per-node rate limiter that the domain
// service (roster.Config.Limiter) uses for its limits on sign-ups per client
// address and invitation calls per inviter (docs/rules.md R2; login
// throttling is in the database). It knows nothing of what it counts: the
// service names the key, the limit and the window.
package ratelimit

import (
	"container/list"
	"sync"
	"time"
)

// Limiter is a fixed-window counter per key, in memory. It holds at most
// maxKeys keys. When a new key finds it full it evicts, in this order: keys
// whose window has ended (they count nothing any more), then the oldest key
// still under its limit, and only when every key is at its limit the oldest
// of those. A flood of fresh keys therefore never frees a key that is being
// refused: the worst it does is restart the count of a key that was not
// limited yet.
//
// Callers that share one Limiter should keep their keys apart (a prefix per
// rule) and use one window length: expired keys are found from the oldest,
// so with mixed windows a long-lived key at the front hides expired ones
// behind it until the cap forces them out (the cap still holds).
type Limiter struct {
	mu      sync.Mutex
	maxKeys int
	now     func() time.Time
	counts  map[string]*list.Element // of *window
	// counting holds the keys under their limit, limited those at it; each
	// in the order their window started (limited: reached the limit), the
	// oldest at the front.
	counting, limited list.List
}

type window struct {
	key string
	end time.Time // the window's end
	n   int
	in  *list.List // counting or limited
}

// MaxKeys bounds a limiter's memory: about 100 bytes a key.
const MaxKeys = 100000

// New returns an empty limiter reading the time from now (time.Now if nil).
func New(now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{maxKeys: MaxKeys, now: now, counts: map[string]*list.Element{}}
}

// Allow counts one event for key, allowing limit events per window, and
// reports whether it is within the limit, with the time to wait otherwise.
// A negative limit allows everything and counts nothing.
func (l *Limiter) Allow(key string, limit int, per time.Duration) (bool, time.Duration) {
	if limit < 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	el := l.counts[key]
	if el != nil && !now.Before(el.Value.(*window).end) {
		l.remove(el) // its window ended: start afresh, at the back
		el = nil
	}
	if el == nil {
		l.makeRoom(now)
		el = l.counting.PushBack(&window{key: key, end: now.Add(per), in: &l.counting})
		l.counts[key] = el
	}
	w := el.Value.(*window)
	if w.n >= limit {
		return false, w.end.Sub(now)
	}
	w.n++
	if w.n >= limit { // the next event is refused: keep this key longest
		l.remove(el)
		w.in = &l.limited
		l.counts[key] = l.limited.PushBack(w)
	}
	return true, 0
}

// makeRoom evicts keys until one more fits: the expired, then the oldest
// under its limit, then the oldest at it.
func (l *Limiter) makeRoom(now time.Time) {
	for _, q := range []*list.List{&l.counting, &l.limited} {
		for f := q.Front(); f != nil && !now.Before(f.Value.(*window).end); f = q.Front() {
			l.remove(f)
		}
	}
	for len(l.counts) >= l.maxKeys {
		q := &l.counting
		if q.Len() == 0 {
			q = &l.limited
		}
		l.remove(q.Front())
	}
}

func (l *Limiter) remove(el *list.Element) {
	w := el.Value.(*window)
	w.in.Remove(el)
	delete(l.counts, w.key)
}
