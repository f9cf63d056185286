// Package password hashes, verifies and vets user passwords.
//
// Hashing is Argon2id (golang.org/x/crypto/argon2) stored as a PHC string:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
//
// where salt and hash are unpadded standard base64. A [Hasher] bounds how many
// hashes run at once, because each one holds Params.Memory KiB of RAM.
//
// [Validate] applies the password policy of NIST SP 800-63B: at least 15
// characters, at most 256 bytes, no composition rules, no truncation, and no
// case folding of what is stored. It refuses the email address and its local
// part, and common passwords. A password is common when its comparison form
// (lowercased, without whitespace, '-', '_' and '.') is:
//   - an entry of the embedded blocklist (common.txt), possibly with digits
//     and punctuation before or after it ("password12345678!",
//     "2024password!!!!");
//   - a run of consecutive digits or letters, ascending or descending, or a
//     walk along keyboard rows or columns ("123456789012345",
//     "abcdefghijklmnop", "qwertyuiopasdfgh", "1qaz2wsx3edc4rfv");
//   - one unit repeated to fill the length, the last time possibly cut short
//     ("passwordpassword", "letmein!letmein!", "123123123123123"), where the
//     unit is a blocklist entry (with digits and punctuation around it, as
//     above), a run, or at most three characters ("aaaaaaaaaaaaaaa");
//   - two blocklist entries or runs of at least four characters each
//     ("iloveyouprincess", "qwertyuiopmonkey").
//
// The last three rules also apply to the form without its leading and
// trailing digits and punctuation ("passwordpassword1"). Whatever is
// stripped must leave at least four characters, so a short word followed by
// many random digits ("ab8472910384756") is not common.
package password

// Params are the Argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // degree of parallelism
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// ProductionParams are the parameters of docs/security.md item 12 (OWASP's
// Argon2id minimum): 19 MiB, two passes, one thread, 16-byte salt, 32-byte
// hash. One hash takes about 40 ms.
func ProductionParams() Params {
	return Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// TestParams are very cheap parameters for the tests of other packages.
// Never use them in production.
func TestParams() Params {
	return Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// withDefaults fills every zero field from ProductionParams, so that a zero
// Params is usable and Argon2id never sees a zero time or thread count.
func (p Params) withDefaults() Params {
	d := ProductionParams()
	if p.Memory == 0 {
		p.Memory = d.Memory
	}
	if p.Time == 0 {
		p.Time = d.Time
	}
	if p.Threads == 0 {
		p.Threads = d.Threads
	}
	if p.SaltLen == 0 {
		p.SaltLen = d.SaltLen
	}
	if p.KeyLen == 0 {
		p.KeyLen = d.KeyLen
	}
	return p
}
