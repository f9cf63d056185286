package main

import (
	"io"
	"testing"
)

func TestTrustedProxiesFlagAndVariable(t *testing.T) {
	env := map[string]string{"ROSTER_TRUSTED_PROXIES": "10.0.0.0/8"}
	c, err := parseServe(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil || len(c.Trusted) != 1 || c.Trusted[0].String() != "10.0.0.0/8" {
		t.Fatalf("from the variable: %v %v", c.Trusted, err)
	}
	c, err = parseServe([]string{"--trusted-proxies", "192.168.1.5, fd00::/8"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil || len(c.Trusted) != 2 || c.Trusted[0].String() != "192.168.1.5/32" {
		t.Fatalf("the flag wins: %v %v", c.Trusted, err)
	}
	if _, err := parseServe([]string{"--trusted-proxies", "lb.internal"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Fatal("a host name was accepted: only addresses and prefixes are")
	}
	if c, err := parseServe(nil, func(string) string { return "" }, io.Discard); err != nil || len(c.Trusted) != 0 {
		t.Fatalf("default: %v %v, want no trusted proxy", c.Trusted, err)
	}
}
