package main

import (
	"context"
	"io"
	"strings"
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

// Every command's help exits 0 and prints the usage, which names every
// flag of roster serve and its variable; a bad flag exits 2.
func TestHelpAndUsage(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"serve", "--help"}, {"serve", "-h"}, {"migrate", "--help"}, {"model", "--help"}} {
		var out, errOut strings.Builder
		if code := run(context.Background(), args, func(string) string { return "" }, &out, &errOut); code != 0 || !strings.Contains(out.String(), "roster serve [flags]") {
			t.Errorf("roster %s: exit %d, stdout %q, stderr %q; want 0 and the usage", strings.Join(args, " "), code, out.String(), errOut.String())
		}
	}
	var errOut strings.Builder
	if code := run(context.Background(), []string{"serve", "--no-such-flag"}, func(string) string { return "" }, io.Discard, &errOut); code != 2 {
		t.Errorf("a bad flag: exit %d, want 2", code)
	}
	// Every variable roster serve reads (one per flag, and two more) is in
	// the usage, with its flag.
	var seen []string
	if _, err := parseServe([]string{"--help"}, func(name string) string { seen = append(seen, name); return "" }, io.Discard); err == nil {
		t.Fatal("parseServe --help: no error")
	}
	if len(seen) < 13 {
		t.Fatalf("parseServe read %d variables: %v", len(seen), seen)
	}
	for _, v := range seen {
		if !strings.Contains(usage, v) {
			t.Errorf("the usage does not name %s", v)
		}
		flagName := "--" + strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(v, "ROSTER_")), "_", "-")
		if v != "ROSTER_SECRET_KEY" && v != "ROSTER_ADMIN_TOKEN" && !strings.Contains(usage, flagName+" ") {
			t.Errorf("the usage does not name %s", flagName)
		}
	}
}

// roster version prints the -ldflags version when one was set.
func TestVersion(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "1.2.3"
	var out strings.Builder
	if code := run(context.Background(), []string{"version"}, func(string) string { return "" }, &out, io.Discard); code != 0 || out.String() != "roster 1.2.3\n" {
		t.Errorf("roster version: exit %d, %q", code, out.String())
	}
	version = "dev"
	if got := versionString(); !strings.HasPrefix(got, "roster dev") {
		t.Errorf("without -ldflags: %q, want roster dev...", got)
	}
}
