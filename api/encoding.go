package api

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Content codings. A representation is compressed at most once per coding,
// when the first client that accepts that coding asks for it, and the
// compressed bytes live with the representation in the response cache: a
// breaking story read by every app at once is compressed once, not once per
// request.
//
// Each coding uses a level chosen for JSON of a few kilobytes (docs/performance.md
// has the sizes): fast enough that a cache miss pays little for it, and
// smaller than the identity by a factor that pays for the client's CPU.
type coding uint8

const (
	identity coding = iota
	codingGzip
	codingBrotli
	codingZstd
	numCodings
)

// token is the coding's name in Accept-Encoding and Content-Encoding.
func (e coding) token() string {
	switch e {
	case codingGzip:
		return "gzip"
	case codingBrotli:
		return "br"
	case codingZstd:
		return "zstd"
	}
	return "identity"
}

// minCompress is the smallest body worth compressing: below it, the coding's
// framing and the client's work cost more than the bytes saved.
const minCompress = 1024

// negotiate picks the coding of a response from the request's
// Accept-Encoding (RFC 9110, 12.5.3): the acceptable coding with the highest
// quality, and among equals the one that makes our JSON smallest (brotli,
// then gzip, then zstd: for a 7 KB article, 2.0, 2.1 and 2.2 KB). "*" stands for any coding not named. Without the header,
// or when nothing we have is acceptable, the identity. It does not allocate.
func negotiate(header string) coding {
	if header == "" {
		return identity
	}
	var q [numCodings]int // quality in thousandths; -1: not named
	for i := range q {
		q[i] = -1
	}
	star := -1
	for header != "" {
		var item string
		item, header, _ = strings.Cut(header, ",")
		name, params, _ := strings.Cut(item, ";")
		name = strings.TrimSpace(name)
		quality := 1000
		if params != "" {
			quality = parseQuality(params)
		}
		switch {
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			q[codingGzip] = max(q[codingGzip], quality)
		case strings.EqualFold(name, "br"):
			q[codingBrotli] = max(q[codingBrotli], quality)
		case strings.EqualFold(name, "zstd"):
			q[codingZstd] = max(q[codingZstd], quality)
		case name == "*":
			star = max(star, quality)
		}
	}
	best, bestQ := identity, 0
	for _, e := range [...]coding{codingBrotli, codingGzip, codingZstd} {
		qe := q[e]
		if qe < 0 {
			qe = star
		}
		if qe > bestQ {
			best, bestQ = e, qe
		}
	}
	return best
}

// parseQuality reads "q=0.5" among a coding's parameters, in thousandths; a
// malformed value counts as 0 (not acceptable), as a cautious reading of a
// header we do not understand.
func parseQuality(params string) int {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
			continue
		}
		v = strings.TrimSpace(v)
		switch {
		case v == "1" || strings.HasPrefix(v, "1."):
			return 1000
		case v == "0":
			return 0
		case strings.HasPrefix(v, "0.") && len(v) <= 5:
			digits := v[2:] + "000"[len(v)-2:]
			n, err := strconv.Atoi(digits)
			if err != nil {
				return 0
			}
			return n
		}
		return 0
	}
	return 1000
}

// forms holds a representation's compressed bytes, each computed once. A
// nil result means the coding does not pay for this body: send it as is.
type forms struct {
	once [numCodings]sync.Once
	body [numCodings][]byte
}

// get returns body in coding e, compressing it the first time.
func (f *forms) get(e coding, body []byte) []byte {
	if e == identity || len(body) < minCompress {
		return nil
	}
	f.once[e].Do(func() {
		z := compress(e, body)
		if len(z) < len(body) {
			f.body[e] = z
		}
	})
	return f.body[e]
}

// The levels: gzip 6 and brotli 5 compress a 7 KB article in well under a
// millisecond and gain most of what their highest levels would; zstd's
// default level is already fast.
const (
	gzipLevel   = 6
	brotliLevel = 5
)

var (
	gzipWriters = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, gzipLevel)
		return w
	}}
	brotliWriters = sync.Pool{New: func() any {
		return brotli.NewWriterLevel(nil, brotliLevel)
	}}
	// One zstd encoder serves every goroutine: EncodeAll is safe for
	// concurrent use and keeps its own pool of states.
	zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
		enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault),
			zstd.WithEncoderConcurrency(1), zstd.WithZeroFrames(true))
		if err != nil {
			panic("zstd encoder: " + err.Error()) // fixed options: cannot fail
		}
		return enc
	})
)

// streamWriter is a pooled compressor, gzip's or brotli's.
type streamWriter interface {
	io.WriteCloser
	Reset(io.Writer)
}

// stream compresses body into out with a writer from pool.
func stream(pool *sync.Pool, out *bytes.Buffer, body []byte) {
	w := pool.Get().(streamWriter)
	w.Reset(out)
	_, _ = w.Write(body)
	_ = w.Close()
	pool.Put(w)
}

// compressions counts the bodies compressed, for the test that checks that
// a cached representation is compressed once.
var compressions atomic.Int64

// compress returns body in coding e. Writing to a bytes.Buffer cannot fail.
func compress(e coding, body []byte) []byte {
	compressions.Add(1)
	var out bytes.Buffer
	out.Grow(len(body) / 3)
	switch e {
	case codingGzip:
		stream(&gzipWriters, &out, body)
	case codingBrotli:
		stream(&brotliWriters, &out, body)
	case codingZstd:
		return zstdEncoder().EncodeAll(body, make([]byte, 0, len(body)/3))
	default:
		return body
	}
	return out.Bytes()
}
