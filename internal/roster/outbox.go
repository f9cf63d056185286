package roster

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Email bodies carry links with invitation and verification tokens, so the
// outbox stores them sealed with the node's secret key (Config.Sealer): a
// copy of the database, its WAL or a backup, holds no usable link. Only the
// body is sealed; the recipient, subject and kind stay readable for the
// operator (the address is stored in the clear in users and members anyway).
//
// A sealed body is sealedBodyPrefix followed by the sealed bytes in
// unpadded base64url, in the outbox's text column. Bodies queued before
// sealing existed start with "Hello" (emails.go) and are sent as stored.
const sealedBodyPrefix = "sealed:v1:"

// errNoSealer: a sealed body reached a sender that cannot open it.
var errNoSealer = errors.New("sealed email body and no key to open it")

// emailAD binds a sealed body to its outbox row and its recipient: a body
// copied to another row, or a row whose recipient was changed in the
// database, does not open (and so is never sent to someone else). The label
// keeps it apart from the user ids that TOTP seeds are sealed with.
func emailAD(e Email) []byte {
	return []byte("roster/outbox\x00" + e.ID + "\x00" + e.To)
}

// SealEmail returns e with its body sealed for the outbox; the service
// seals every email it queues, with its Config.Sealer.
func SealEmail(s Sealer, e Email) (Email, error) {
	sealed, err := s.Seal([]byte(e.Body), emailAD(e))
	if err != nil {
		return Email{}, fmt.Errorf("seal email body: %w", err)
	}
	e.Body = sealedBodyPrefix + base64.RawURLEncoding.EncodeToString(sealed)
	return e, nil
}

// OpenEmail returns e, as claimed from the outbox, with its body opened by
// s, the Sealer the service was configured with (every node shares the
// key). A body queued before bodies were sealed is returned as stored. It
// fails when the body was sealed under another key or altered, or when s
// is nil and the body is sealed.
func OpenEmail(s Sealer, e Email) (Email, error) {
	text, ok := strings.CutPrefix(e.Body, sealedBodyPrefix)
	if !ok {
		return e, nil
	}
	if s == nil {
		return Email{}, fmt.Errorf("open email %s: %w", e.ID, errNoSealer)
	}
	sealed, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil {
		return Email{}, fmt.Errorf("open email %s: body: %w", e.ID, err)
	}
	body, err := s.Open(sealed, emailAD(e))
	if err != nil {
		return Email{}, fmt.Errorf("open email %s: %w", e.ID, err)
	}
	e.Body = string(body)
	return e, nil
}
