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

// Transport delivers one email. Send may be called again for an email it
// already delivered (delivery is at least once).
type Transport interface {
	Send(ctx context.Context, e roster.Email) error
}

// DirTransport writes each email as a .eml file, for deployments without an
// SMTP server and for tests. Its From address and clock are the Sender's
// (see NewSender); alone it writes "Roster <roster@localhost>" and the
// wall-clock time.
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
	return &DirTransport{dir: dir, now: time.Now}, nil
}

// adopt takes the Sender's From address and clock.
func (d *DirTransport) adopt(from string, now func() time.Time) {
	d.from, d.now = from, now
}

// FileName is "<created-at as 20060102T150405.000000000Z>-<id>.eml": names
// sort by time to the nanosecond (the width is fixed), and a second delivery of the same email overwrites the first. Path
// separators, dots and control characters in the id become "_".
func FileName(e roster.Email) string {
	id := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == '.' || r < ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, e.ID)
	return e.CreatedAt.UTC().Format("20060102T150405.000000000Z") + "-" + id + ".eml"
}

// Send writes the file atomically: a temporary file in the same directory,
// synced, then renamed over FileName(e). A reader sees the whole message or
// none of it.
func (d *DirTransport) Send(ctx context.Context, e roster.Email) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tmp, err := d.writeTemp(Format(e, d.from, d.now()))
	if err != nil {
		return fmt.Errorf("write email %s: %w", e.ID, err)
	}
	defer os.Remove(tmp) // a no-op once renamed
	if err := os.Rename(tmp, filepath.Join(d.dir, FileName(e))); err != nil {
		return fmt.Errorf("place email %s: %w", e.ID, err)
	}
	d.syncDir()
	return nil
}

// writeTemp writes data to a new hidden file (mode 0600) in the directory,
// flushed to disk, and returns its path.
func (d *DirTransport) writeTemp(data []byte) (string, error) {
	f, err := os.CreateTemp(d.dir, ".sending-*")
	if err != nil {
		return "", err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// syncDir makes the rename durable before the email is marked sent. It is
// best effort: some systems cannot sync a directory, and the file is whole
// either way.
func (d *DirTransport) syncDir() {
	if f, err := os.Open(d.dir); err == nil {
		_ = f.Sync()
		_ = f.Close()
	}
}
