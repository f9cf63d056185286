package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrMalformedHash is returned by Verify for a string that is not an
// Argon2id PHC string this package can check.
var ErrMalformedHash = errors.New("malformed argon2id hash")

// Sanity bounds for parameters read from a stored hash, so that a corrupt
// row cannot pin a worker for minutes or exhaust memory.
const (
	maxMemoryKiB = 4 << 20 // 4 GiB
	maxTime      = 64
	minSaltLen   = 8
	minKeyLen    = 16
	maxBytesLen  = 1024
)

// b64 is read-only after initialization, like a compiled regexp.
var b64 = base64.RawStdEncoding.Strict()

// phc is a parsed Argon2id PHC string.
type phc struct {
	params Params
	salt   []byte
	key    []byte
}

func (h phc) String() string {
	return fmt.Sprintf("$argon2id$v=%d$%s$%s$%s",
		argon2.Version, costString(h.params), b64.EncodeToString(h.salt), b64.EncodeToString(h.key))
}

func costString(p Params) string {
	return fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
}

// parsePHC parses encoded strictly: only the canonical form this package
// writes is accepted.
func parsePHC(encoded string) (phc, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return phc{}, fmt.Errorf("%w: not $argon2id$v=..$m=..,t=..,p=..$salt$hash", ErrMalformedHash)
	}
	if parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return phc{}, fmt.Errorf("%w: unsupported version %q", ErrMalformedHash, parts[2])
	}
	params, err := parseCost(parts[3])
	if err != nil {
		return phc{}, err
	}
	salt, err := decodeField("salt", parts[4], minSaltLen)
	if err != nil {
		return phc{}, err
	}
	key, err := decodeField("hash", parts[5], minKeyLen)
	if err != nil {
		return phc{}, err
	}
	// #nosec G115 -- decodeField bounds both lengths to maxBytesLen (1024)
	params.SaltLen, params.KeyLen = uint32(len(salt)), uint32(len(key))
	parsed := phc{params: params, salt: salt, key: key}
	if parsed.String() != encoded { // the decoder skips newlines
		return phc{}, fmt.Errorf("%w: not in canonical form", ErrMalformedHash)
	}
	return parsed, nil
}

func parseCost(s string) (Params, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, fmt.Errorf("%w: cost %q", ErrMalformedHash, s)
	}
	m, errM := parseCostField(fields[0], "m=", 32)
	t, errT := parseCostField(fields[1], "t=", 32)
	p, errP := parseCostField(fields[2], "p=", 8)
	if err := errors.Join(errM, errT, errP); err != nil {
		return Params{}, fmt.Errorf("%w: cost %q", ErrMalformedHash, s)
	}
	// #nosec G115 -- parseCostField parsed m and t with bitSize 32 and p with 8
	params := Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p)}
	if costString(params) != s { // leading zeros, signs
		return Params{}, fmt.Errorf("%w: cost %q is not canonical", ErrMalformedHash, s)
	}
	if params.Time < 1 || params.Time > maxTime || params.Threads < 1 ||
		params.Memory < 8*uint32(params.Threads) || params.Memory > maxMemoryKiB {
		return Params{}, fmt.Errorf("%w: cost %q out of range", ErrMalformedHash, s)
	}
	return params, nil
}

func parseCostField(s, prefix string, bits int) (uint64, error) {
	digits, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return 0, fmt.Errorf("want %s", prefix)
	}
	return strconv.ParseUint(digits, 10, bits)
}

func decodeField(name, s string, minLen int) ([]byte, error) {
	b, err := b64.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformedHash, name, err)
	}
	if len(b) < minLen || len(b) > maxBytesLen {
		return nil, fmt.Errorf("%w: %s is %d bytes", ErrMalformedHash, name, len(b))
	}
	return b, nil
}
