// Command roster is Roster: user management for multi-tenant products.
//
//	roster serve [flags]        run the portal and API
//	roster model check FILE     validate a model file
//	roster model show PRESET    print a built-in preset
//	roster migrate --db ...     apply database migrations
//	roster version
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
