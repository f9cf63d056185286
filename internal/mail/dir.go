package mail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/roster-dev/roster/internal/roster"
)

// Transport delivers one email.
type Transport interface {
	Send(ctx context.Context, e roster.Email) error
}

// DirTransport writes each email as a .eml file, for deployments without an
// SMTP server and for tests.
type DirTransport struct {
	dir  string
	from string
	now  func() time.Time
}

// NewDir makes the directory (0700) and returns a transport writing to it.
func NewDir(dir string) (*DirTransport, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail directory %s: %w", dir, err)
	}
	return &DirTransport{dir: dir, from: "Roster <roster@localhost>", now: time.Now}, nil
}

// WithFrom sets the From address written in each file.
func (d *DirTransport) WithFrom(from string) *DirTransport {
	if from != "" {
		d.from = from
	}
	return d
}

// FileName is <created-at>-<id>.eml: names sort by time, and a second
// delivery of the same email overwrites the first.
func FileName(e roster.Email) string {
	id := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == '.' || r < ' ' {
			return '_'
		}
		return r
	}, e.ID)
	return e.CreatedAt.UTC().Format("20060102T150405.000000000Z") + "-" + id + ".eml"
}

// Send writes the file atomically: a temporary file, then a rename.
func (d *DirTransport) Send(ctx context.Context, e roster.Email) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(d.dir, ".sending-*")
	if err != nil {
		return fmt.Errorf("write email %s: %w", e.ID, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename this is a no-op
	if _, err := tmp.Write(Format(e, d.from, d.now())); err != nil {
		tmp.Close()
		return fmt.Errorf("write email %s: %w", e.ID, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync email %s: %w", e.ID, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close email %s: %w", e.ID, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(d.dir, FileName(e))); err != nil {
		return fmt.Errorf("place email %s: %w", e.ID, err)
	}
	return nil
}
