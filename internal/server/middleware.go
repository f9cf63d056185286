package server

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// withRequestID gives every request an id, echoed in X-Request-Id and in
// audit events and logs.
func withRequestID(r *http.Request) *http.Request {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := "req_" + hex.EncodeToString(b[:])
	return r.WithContext(context.WithValue(r.Context(), keyRequestID, id))
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(keyRequestID).(string)
	return id
}

// clientIP is the client's address: the peer, or, behind a trusted proxy,
// what withClientAddr found in X-Forwarded-For (docs/security.md item 14).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	checks   *prometheus.CounterVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "roster_http_requests_total", Help: "HTTP requests by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "roster_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"route"}),
		checks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "roster_checks_total", Help: "Permission checks answered, by reason.",
		}, []string{"reason"}),
	}
	reg.MustRegister(m.requests, m.duration, m.checks)
	// Go and process collectors may already be registered by the caller.
	_ = reg.Register(collectors.NewGoCollector())
	_ = reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(r *http.Request, status int, d time.Duration) {
	route := r.Pattern
	if route == "" {
		route = "unmatched"
	}
	if status == 0 {
		status = http.StatusOK
	}
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(route).Observe(d.Seconds())
}

func promHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
}

// limiter is a fixed-window counter per key, in memory: it bounds sign-ups
// per address and invitations per inviter on this node (login throttling is
// in the database). It holds at most maxKeys keys. When a new key finds it
// full it evicts, in this order: keys whose window has ended (they count
// nothing any more), then the oldest key still under its limit, and only
// when every key is at its limit the oldest of those. A flood of fresh keys
// therefore never frees a key that is being refused: the worst it does is
// restart the count of a key that was not limited yet.
type limiter struct {
	mu      sync.Mutex
	limit   int // < 0: no limit, nothing is counted
	window  time.Duration
	maxKeys int
	now     func() time.Time
	counts  map[string]*list.Element // of *window
	// counting holds the keys under their limit, limited those at it; each
	// in the order their window started (limited: reached the limit), the
	// oldest at the front.
	counting, limited list.List
}

type window struct {
	key   string
	start time.Time
	n     int
	in    *list.List // counting or limited
}

// limiterMaxKeys bounds a limiter's memory: about 100 bytes a key.
const limiterMaxKeys = 100000

// newLimiter counts up to limit events per key per window w; a negative
// limit allows everything.
func newLimiter(limit int, w time.Duration, now func() time.Time) *limiter {
	return &limiter{limit: limit, window: w, maxKeys: limiterMaxKeys, now: now, counts: map[string]*list.Element{}}
}

// allow counts one event for key and reports whether it is within the limit,
// with the time to wait otherwise.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l.limit < 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	el := l.counts[key]
	if el != nil && now.Sub(el.Value.(*window).start) >= l.window {
		l.remove(el) // its window ended: start afresh, at the back
		el = nil
	}
	if el == nil {
		l.makeRoom(now)
		el = l.counting.PushBack(&window{key: key, start: now, in: &l.counting})
		l.counts[key] = el
	}
	w := el.Value.(*window)
	if w.n >= l.limit {
		return false, w.start.Add(l.window).Sub(now)
	}
	w.n++
	if w.n >= l.limit { // the next event is refused: keep this key longest
		l.remove(el)
		w.in = &l.limited
		l.counts[key] = l.limited.PushBack(w)
	}
	return true, 0
}

// makeRoom evicts keys until one more fits: the expired, then the oldest
// under its limit, then the oldest at it.
func (l *limiter) makeRoom(now time.Time) {
	for _, q := range []*list.List{&l.counting, &l.limited} {
		for f := q.Front(); f != nil && now.Sub(f.Value.(*window).start) >= l.window; f = q.Front() {
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

func (l *limiter) remove(el *list.Element) {
	w := el.Value.(*window)
	w.in.Remove(el)
	delete(l.counts, w.key)
}
