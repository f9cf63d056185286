package main

import (
	"context"
	"fmt"
	"io"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `usage:
  roster serve [--addr 127.0.0.1:8080] [--db roster.db] [--model practice|wealth|marketing|accounts|FILE]
               [--mail-dir mail] [--smtp smtp://user:pass@host:port] [--base-url URL]
               [--signup open|closed] [--invite-ttl 168h] [--secret-key-file FILE] [--login-ip-limit 100]
               [--signup-ip-limit 20]
  roster model check FILE
  roster model show PRESET
  roster migrate [--db roster.db]
  roster version
Every flag also reads an environment variable: ROSTER_ADDR, ROSTER_DB, ROSTER_MODEL, ...
`

// run is the whole program: main only wires the process to it.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "model":
		return modelCommand(args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "roster", version)
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "roster: unknown command %q\n%s", args[0], usage)
	return 2
}
