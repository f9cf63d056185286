package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=..."; left
// as "dev", versionString reads the build's module and VCS information.
var version = "dev"

// versionString is "roster <version>": the -ldflags version, else the
// module version of a `go install ...@vX`, else the commit the binary was
// built from (with its time, and "+dirty" for uncommitted changes).
func versionString() string {
	if version != "dev" {
		return "roster " + version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "roster dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return "roster " + v
	}
	var rev, at, dirty string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev == "" {
		return "roster dev"
	}
	return fmt.Sprintf("roster dev-%.12s%s (%s)", rev, dirty, at)
}

// helpRequested reports whether a flag set stopped on -h or --help; the
// command then prints its usage to standard output and exits 0.
func helpRequested(err error, stdout io.Writer) bool {
	if !errors.Is(err, flag.ErrHelp) {
		return false
	}
	fmt.Fprint(stdout, usage)
	return true
}

const usage = `usage:
  roster serve [flags]       run the portal, the API and the permission checks
  roster migrate [--db DB]   apply the database migrations and exit
  roster model check FILE    validate a model file
  roster model show PRESET   print a built-in preset (practice, wealth, marketing, accounts)
  roster version             print the version
  roster help                print this text

roster serve flags (each default comes from its environment variable):
  --addr ADDR              ROSTER_ADDR             listen address (127.0.0.1:8080; port 0 picks one)
  --db DB                  ROSTER_DB               SQLite file or postgres:// URL (roster.db)
  --model NAME|FILE        ROSTER_MODEL            preset name or model file (practice)
  --mail-dir DIR           ROSTER_MAIL_DIR         where .eml files go without SMTP (mail)
  --smtp URL               ROSTER_SMTP             smtp://user:pass@host:port or smtps://...
  --mail-from ADDRESS      ROSTER_MAIL_FROM        From address (Roster <roster@localhost>)
  --base-url URL           ROSTER_BASE_URL         public URL for emailed links (the listen URL)
  --signup open|closed     ROSTER_SIGNUP           who may create organizations (open)
  --invite-ttl DURATION    ROSTER_INVITE_TTL       invitation lifetime (168h)
  --secret-key-file FILE   ROSTER_SECRET_KEY_FILE  key sealing TOTP seeds and queued emails (roster.key beside the SQLite file)
  --login-ip-limit N       ROSTER_LOGIN_IP_LIMIT   failed logins per client address per 15 minutes (100)
  --signup-ip-limit N      ROSTER_SIGNUP_IP_LIMIT  sign-ups per client address per hour on this node, 0 for none (20)
  --trusted-proxies LIST   ROSTER_TRUSTED_PROXIES  load balancers whose X-Forwarded-For is believed
environment only:
  ROSTER_SECRET_KEY        the key itself (64 hex characters or 32 bytes in base64), instead of a file
  ROSTER_ADMIN_TOKEN       the operator token
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
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "roster: unknown command %q\n%s", args[0], usage)
	return 2
}
