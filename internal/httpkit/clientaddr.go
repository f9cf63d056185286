package httpkit

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP is the client's address: the peer, or, behind a trusted proxy,
// what WithClientAddr found in X-Forwarded-For (docs/security.md item 14).
// The API and the portal both read it here.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ParseTrustedProxies reads a comma-separated list of addresses and CIDR
// prefixes ("10.0.0.0/8, 192.168.1.5") naming the load balancers whose
// X-Forwarded-For is believed.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR prefix", item)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// WithClientAddr is R2's per-IP limit behind a load balancer: when the peer
// is a trusted proxy, the client is the rightmost X-Forwarded-For address
// that is not itself a trusted proxy (the ones to its left were written by
// the client and can be forged). From any other peer the header is ignored.
// The request's RemoteAddr is rewritten, so every reader of the client's
// address (the API's and the portal's limits, audit events) agrees.
func WithClientAddr(r *http.Request, trusted []netip.Prefix) *http.Request {
	if len(trusted) == 0 {
		return r
	}
	host, port, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !isTrusted(peer.Unmap(), trusted) {
		return r
	}
	hops := forwardedFor(r.Header.Values("X-Forwarded-For"))
	for i := len(hops) - 1; i >= 0; i-- {
		if !isTrusted(hops[i], trusted) {
			r2 := r.Clone(r.Context())
			r2.RemoteAddr = net.JoinHostPort(hops[i].String(), port)
			return r2
		}
	}
	return r
}

// forwardedFor parses every X-Forwarded-For header, left to right; an
// unparsable entry ends the list there (nothing to its left is believed).
func forwardedFor(headers []string) []netip.Addr {
	var hops []netip.Addr
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			a, err := netip.ParseAddr(strings.TrimSpace(part))
			if err != nil {
				hops = hops[:0]
				continue
			}
			hops = append(hops, a.Unmap())
		}
	}
	return hops
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
