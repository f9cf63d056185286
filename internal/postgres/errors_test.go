package postgres

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// TestClassify: errors of an unreachable database carry Unavailable (503),
// every other error is left as it is (its errors.Is identity included).
func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection dropped", fmt.Errorf("query: %w", io.ErrUnexpectedEOF), true},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"no rows", pgx.ErrNoRows, false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		got := classify(tc.err)
		var u interface{ Unavailable() bool }
		if is := errors.As(got, &u) && u.Unavailable(); is != tc.want {
			t.Errorf("%s: unavailable %v, want %v", tc.name, is, tc.want)
		}
		if tc.err != nil && !errors.Is(got, tc.err) {
			t.Errorf("%s: classify lost the error's identity: %v", tc.name, got)
		}
	}
}
