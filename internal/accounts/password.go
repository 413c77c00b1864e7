package accounts

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the argon2id cost parameters of a password hash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams is the cost of new hashes: OWASP's first argon2id row (m=19
// MiB, t=2, p=1). Measured on the 2-core build machine: about 28 ms per hash,
// against 50 ms for m=46 MiB,t=1 and 77 ms for m=64 MiB,t=1. The cheaper
// memory matters more than the time here: every concurrent login holds m in
// RAM, and on two cores eight concurrent logins at 64 MiB would hold half a
// gigabyte for a throughput no better than at 19 MiB. p=1 because a second
// lane would only take the other core from the requests beside it.
// Existing hashes keep verifying whatever their parameters: they are read
// from the stored string.
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on the parameters accepted from a stored hash, so that a corrupted
// or hostile row cannot make one verification take the machine.
const (
	maxMemory  = 1 << 20 // 1 GiB in KiB
	maxTime    = 20
	maxKeyLen  = 128
	minSaltLen = 8
)

// errBadHash reports a stored hash string that is not a PHC argon2id string.
var errBadHash = errors.New("not an argon2id PHC hash")

// Hasher hashes and verifies passwords with argon2id. It bounds how many
// hashes run at once (each holds Params.Memory of RAM).
type Hasher struct {
	params Params
	slots  chan struct{}
	// onVerify, when set, is called after each argon2 verification: tests
	// count them to check that every login path costs one.
	onVerify func()
}

// NewHasher returns a hasher for p; at most concurrency hashes run at once
// (0: twice GOMAXPROCS).
func NewHasher(p Params, concurrency int) *Hasher {
	if concurrency <= 0 {
		concurrency = 2 * runtime.GOMAXPROCS(0)
	}
	return &Hasher{params: p, slots: make(chan struct{}, concurrency)}
}

// Params returns the parameters new hashes use.
func (h *Hasher) Params() Params { return h.params }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait to hash: %w", ctx.Err())
	}
}

func (h *Hasher) release() { <-h.slots }

// Hash returns the PHC string of password with a fresh random salt:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash> (unpadded standard base64).
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	salt := make([]byte, h.params.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// Verify reports whether password matches the PHC string encoded, comparing
// in constant time. The parameters come from encoded, so hashes made with
// older parameters keep verifying. A malformed string is an error.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (bool, error) {
	p, salt, want, err := decodePHC(encoded)
	if err != nil {
		return false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	h.release()
	if h.onVerify != nil {
		h.onVerify()
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// NeedsRehash reports whether encoded was made with other parameters than
// the hasher's.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, salt, key, err := decodePHC(encoded)
	if err != nil {
		return true
	}
	return p.Memory != h.params.Memory || p.Time != h.params.Time || p.Threads != h.params.Threads ||
		uint32(len(salt)) != h.params.SaltLen || uint32(len(key)) != h.params.KeyLen
}

var b64 = base64.RawStdEncoding

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodePHC parses a PHC argon2id string and returns its parameters (SaltLen
// and KeyLen filled from the decoded values), salt and key.
func decodePHC(s string) (Params, []byte, []byte, error) {
	var p Params
	parts := strings.Split(s, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errBadHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: version %q", errBadHash, parts[2])
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || seen[k] {
			return p, nil, nil, fmt.Errorf("%w: parameters %q", errBadHash, parts[3])
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", errBadHash, kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("%w: parameter %q", errBadHash, kv)
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, fmt.Errorf("%w: parameter %q", errBadHash, kv)
		}
	}
	if len(seen) != 3 {
		return p, nil, nil, fmt.Errorf("%w: parameters %q", errBadHash, parts[3])
	}
	if p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory {
		return p, nil, nil, fmt.Errorf("%w: parameters out of bounds", errBadHash)
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen {
		return p, nil, nil, fmt.Errorf("%w: salt", errBadHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: hash", errBadHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
