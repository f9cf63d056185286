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

func TestSignupIPLimitFlagAndVariable(t *testing.T) {
	none := func(string) string { return "" }
	if c, err := parseServe(nil, none, io.Discard); err != nil || c.SignupIPLimit != 20 {
		t.Fatalf("default: %d %v, want 20", c.SignupIPLimit, err)
	}
	env := map[string]string{"ROSTER_SIGNUP_IP_LIMIT": "5"}
	if c, err := parseServe(nil, func(k string) string { return env[k] }, io.Discard); err != nil || c.SignupIPLimit != 5 {
		t.Fatalf("from the variable: %d %v, want 5", c.SignupIPLimit, err)
	}
	if c, err := parseServe([]string{"--signup-ip-limit", "0"}, func(k string) string { return env[k] }, io.Discard); err != nil || c.SignupIPLimit != 0 {
		t.Fatalf("the flag wins, 0 allowed: %d %v, want 0", c.SignupIPLimit, err)
	}
	for _, bad := range []string{"-1", "many", "1.5"} {
		if _, err := parseServe([]string{"--signup-ip-limit", bad}, none, io.Discard); err == nil {
			t.Errorf("--signup-ip-limit %s was accepted", bad)
		}
	}
	// 0 (off) reaches the node as "no limit", not as the default.
	if got := signupIPLimit(0); got >= 0 {
		t.Errorf("signupIPLimit(0) = %d, want a negative value (no limit)", got)
	}
	if got := signupIPLimit(7); got != 7 {
		t.Errorf("signupIPLimit(7) = %d, want 7", got)
	}
}
