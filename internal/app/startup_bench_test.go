package app

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/roster-dev/roster/internal/model"
	"github.com/roster-dev/roster/internal/roster"
	"github.com/roster-dev/roster/internal/sqlite"
)

// BenchmarkStartupSQLite measures what the binary does at start-up on a
// SQLite file: open the store and load the whole authorization index
// (app.New). The workload is BENCHMARKS.md's, 1,000 organizations × 50
// members × 200 clients of the practice preset (members over every role,
// narrowed members with 10 clients), times ROSTER_BENCH_SCALE (default 1;
// 10 is the "ten times the data" and takes a minute to generate).
//
//	ROSTER_BENCH_SCALE=10 go test -run xxx -bench Startup -benchtime 3x ./internal/app/
func BenchmarkStartupSQLite(b *testing.B) {
	scale := 1
	if v := os.Getenv("ROSTER_BENCH_SCALE"); v != "" {
		var err error
		if scale, err = strconv.Atoi(v); err != nil || scale < 1 {
			b.Fatalf("ROSTER_BENCH_SCALE=%q: want a positive integer", v)
		}
	}
	path := filepath.Join(b.TempDir(), "roster.db")
	seedStartupWorkload(b, path, 1000*scale, 50, 200)
	m, err := model.Preset("practice")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	cpu := cpuTime()
	b.ResetTimer()
	for range b.N {
		a, err := New(ctx, Options{DB: path, Model: m, MailDir: b.TempDir(), SecretKey: make([]byte, 32)})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if got := a.Index.Len(); got != 1000*scale {
			b.Fatalf("index holds %d organizations, want %d", got, 1000*scale)
		}
		a.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(1000*scale), "orgs")
	b.ReportMetric((cpuTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
}

// cpuTime is the process's user and system CPU time so far: on a shared
// machine it varies less than the wall clock (it still counts the
// benchmark's own bookkeeping between iterations).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// seedStartupWorkload writes the workload with plain SQL in one transaction.
func seedStartupWorkload(b *testing.B, path string, orgs, members, clients int) {
	b.Helper()
	st, err := sqlite.Open(context.Background(), path) // creates the schema
	if err != nil {
		b.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	prep := func(q string) *sql.Stmt {
		s, err := tx.Prepare(q)
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	insOrg := prep(`INSERT INTO organizations (id, name, plan, owner_member_id, revision, created_at) VALUES (?, ?, 'standard', ?, 1, ?)`)
	insUser := prep(`INSERT INTO users (id, email, email_norm, password_hash, created_at) VALUES (?, ?, ?, 'x', 0)`)
	insMember := prep(`INSERT INTO members (id, org_id, user_id, email, email_norm, role, status, client_mode, accepted, created_at)
		VALUES (?, ?, ?, ?, ?, ?, 'active', ?, 1, ?)`)
	insClient := prep(`INSERT INTO clients (id, org_id, name, status, created_at) VALUES (?, ?, ?, 'active', ?)`)
	insAssigned := prep(`INSERT INTO member_clients (member_id, client_id, position) VALUES (?, ?, ?)`)
	roles := []string{"practice_admin", "client_manager", "bookkeeper", "view_only", "client"}
	exec := func(s *sql.Stmt, args ...any) {
		if _, err := s.Exec(args...); err != nil {
			b.Fatal(err)
		}
	}
	for o := range orgs {
		org := fmt.Sprintf("org_%07d", o)
		exec(insOrg, org, "Org "+org, fmt.Sprintf("mem_%07d_00", o), o)
		for c := range clients {
			exec(insClient, fmt.Sprintf("cli_%07d_%03d", o, c), org, "Client", c)
		}
		for m := range members {
			user, email := fmt.Sprintf("usr_%07d_%02d", o, m), fmt.Sprintf("u%d.%d@example.com", o, m)
			exec(insUser, user, email, email)
			role, mode := roles[m%len(roles)], "all"
			if role == "client" || (m%10 == 2 && role == "bookkeeper") {
				mode = "specific"
			}
			member := fmt.Sprintf("mem_%07d_%02d", o, m)
			exec(insMember, member, org, user, email, email, role, mode, m)
			if mode == "specific" {
				for i := range 10 {
					exec(insAssigned, member, fmt.Sprintf("cli_%07d_%03d", o, (m*7+i*13)%clients), i)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRoleChangeLargeOrg measures a role change through the service
// (transaction, audit, and the index update after the commit) in one
// organization of 10,000 members and 200 clients on SQLite.
//
//	go test -run xxx -bench RoleChangeLargeOrg ./internal/app/
func BenchmarkRoleChangeLargeOrg(b *testing.B) {
	path := filepath.Join(b.TempDir(), "roster.db")
	seedStartupWorkload(b, path, 1, 10000, 200)
	m, err := model.Preset("practice")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	a, err := New(ctx, Options{DB: path, Model: m, MailDir: b.TempDir(), SecretKey: make([]byte, 32)})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	op := roster.Actor{Operator: true}
	roles := []string{"view_only", "bookkeeper"}
	member := roster.MemberID("mem_0000000_02") // a bookkeeper
	b.ResetTimer()
	for i := range b.N {
		role := roles[i%2]
		if _, err := a.Service.UpdateMember(ctx, op, "org_0000000", member, roster.UpdateMemberInput{Role: &role}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// cli_0000000_014 is among the member's 10 clients.
	if ok, _ := a.Index.Decide("org_0000000", "usr_0000000_02", "clients.settings", "cli_0000000_014"); ok != (roles[(b.N-1)%2] == "bookkeeper") {
		b.Fatal("the index does not follow the role changes")
	}
}
