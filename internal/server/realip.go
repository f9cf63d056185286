package server

import (
	"net/netip"

	"github.com/roster-dev/roster/internal/httpkit"
)

// ParseTrustedProxies reads --trusted-proxies, a comma-separated list of
// addresses and CIDR prefixes ("10.0.0.0/8, 192.168.1.5") naming the load
// balancers whose X-Forwarded-For is believed (Config.TrustedProxies);
// httpkit.WithClientAddr applies them.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	return httpkit.ParseTrustedProxies(list)
}
