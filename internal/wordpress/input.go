package wordpress

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/transform"
)

// input sits between the file and encoding/xml's decoder. It does three
// jobs, reading ahead no more than a UTF-8 sequence or a CDATA section:
//
//   - It keeps the stream within what XML 1.0 can carry, so that one stray
//     control character pasted into a post (WordPress exports them as they
//     are) does not make the whole file unreadable: U+000B and U+000C
//     become a space (WordPress shows them as whitespace), the other C0
//     controls and U+FFFE/U+FFFF are removed, and each byte that is not
//     valid UTF-8 becomes U+FFFD — the rules of package xmlchar.
//   - It bounds a single token: encoding/xml gathers a whole text node,
//     comment, directive or start tag with all its attributes in memory
//     before returning it, so the reader records the decoder's offset after
//     every token (mark) and input refuses to hand over more than limit
//     bytes past it. A 5 GB text node then fails after limit bytes instead
//     of exhausting memory.
//   - It lifts CDATA sections out of the stream. WordPress wraps every
//     value in CDATA, and those payloads (bodies, comments) are most of an
//     export's bytes, which encoding/xml would scan one at a time through
//     several function calls each. input reads a section with bytes.Index
//     up to its "]]>" (at most limit bytes), cleans it, keeps it, and hands
//     the decoder an empty section in its place; the reader swaps the
//     payload back in when the decoder returns the token that ends where
//     the placeholder ends. Only a "<![CDATA[" that the decoder would read
//     as one is lifted: not inside a comment or a processing instruction.
//
// Because the decoder no longer sees every byte, input also counts lines
// and file offsets for error messages.
//
// The decoder sees input as an io.ByteReader and so reads it directly,
// without a bufio.Reader of its own.
type input struct {
	src  io.Reader
	buf  []byte
	r, w int
	eof  error // the source's error once it has none left to give

	cont int    // continuation bytes of a validated UTF-8 sequence still to pass
	pend []byte // bytes to hand out before reading on: U+FFFD, a CDATA placeholder
	pi   int    // next byte of pend

	state  int // what the decoder is reading: stNormal, stComment, stPI
	dashes int // consecutive '-' seen in a comment
	skip   int // bytes of "<!--" not to count as a comment's dashes
	qmark  bool

	pos   int64 // bytes handed to the decoder: its InputOffset domain
	mark  int64 // pos at the last token boundary
	limit int64 // most bytes the decoder may read past mark, and most bytes of a CDATA section

	raw       int64 // bytes of the file consumed
	line      int64 // newlines consumed
	lineStart int64 // raw offset after the last newline

	payload    []byte // the last CDATA section lifted, cleaned
	payloadEnd int64  // pos where its placeholder ends; -1 once taken
	scratch    []byte
}

const (
	stNormal = iota
	stComment
	stPI
)

var (
	cdataOpen   = []byte("<![CDATA[")
	cdataClose  = []byte("]]>")
	placeholder = []byte("<![CDATA[ ]]>")
	replacement = []byte("\uFFFD")
)

// errTokenTooLarge is input's own error; the reader turns it into a
// FormatError wrapping ErrTooLarge.
var errTokenTooLarge = errors.New("token too large")

func newInput(src io.Reader, limit int64) *input {
	return &input{src: src, buf: make([]byte, 64<<10), limit: limit, payloadEnd: -1}
}

// fill makes at least n bytes available (or as many as the source has
// left), keeping the unread ones.
func (in *input) fill(n int) error {
	if in.w-in.r >= n {
		return nil
	}
	if in.r > 0 {
		in.w = copy(in.buf, in.buf[in.r:in.w])
		in.r = 0
	}
	for in.w < n && in.eof == nil {
		m, err := in.src.Read(in.buf[in.w:])
		in.w += m
		if err != nil {
			in.eof = err
		}
	}
	if in.w > in.r {
		return nil
	}
	return in.eof
}

// position returns the line and column (in bytes, 1-based) of the file
// where reading stands.
func (in *input) position() (line, col int) {
	return int(in.line) + 1, int(in.raw-in.lineStart) + 1
}

// consume moves past n bytes of the buffer, counting lines.
func (in *input) consume(n int) {
	chunk := in.buf[in.r : in.r+n]
	if c := bytes.Count(chunk, []byte{'\n'}); c > 0 {
		in.line += int64(c)
		in.lineStart = in.raw + int64(bytes.LastIndexByte(chunk, '\n')) + 1
	}
	in.r += n
	in.raw += int64(n)
}

// ReadByte hands the decoder its next byte.
func (in *input) ReadByte() (byte, error) {
	if in.pos-in.mark >= in.limit {
		return 0, errTokenTooLarge
	}
	if in.pi < len(in.pend) {
		b := in.pend[in.pi]
		in.pi++
		in.pos++
		return b, nil
	}
	for {
		if in.r == in.w {
			if err := in.fill(1); err != nil {
				return 0, err
			}
		}
		b := in.buf[in.r]
		if in.cont > 0 {
			in.cont--
			in.r++
			in.raw++
			in.pos++
			return b, nil
		}
		switch in.state {
		case stNormal:
			if b == '<' {
				_ = in.fill(len(cdataOpen)) // too short a rest is not a CDATA section
				rest := in.buf[in.r:in.w]
				switch {
				case bytes.HasPrefix(rest, cdataOpen):
					if err := in.liftCDATA(); err != nil {
						return 0, err
					}
					in.pend, in.pi = placeholder, 1
					in.pos++
					return placeholder[0], nil
				case bytes.HasPrefix(rest, []byte("<!--")):
					in.state, in.dashes, in.skip = stComment, 0, 3
				case len(rest) > 1 && rest[1] == '?':
					in.state, in.qmark = stPI, false
				}
			}
		case stComment:
			switch {
			case in.skip > 0:
				in.skip--
			case b == '-':
				in.dashes++
			default:
				if b == '>' && in.dashes >= 2 {
					in.state = stNormal
				}
				in.dashes = 0
			}
		case stPI:
			if b == '>' && in.qmark {
				in.state = stNormal
			}
			in.qmark = b == '?'
		}
		if 0x20 <= b && b < utf8.RuneSelf || b == '\t' || b == '\r' {
			in.r++
			in.raw++
			in.pos++
			return b, nil
		}
		if b == '\n' {
			in.consume(1)
			in.pos++
			return b, nil
		}
		if b < 0x20 {
			in.r++
			in.raw++
			if b == '\v' || b == '\f' {
				in.pos++
				return ' ', nil
			}
			continue // other C0 controls carry nothing
		}
		if in.w-in.r < utf8.UTFMax {
			_ = in.fill(utf8.UTFMax) // a short sequence at the end is invalid, below
		}
		r, size := utf8.DecodeRune(in.buf[in.r:in.w])
		switch {
		case r == utf8.RuneError && size == 1:
			in.r++
			in.raw++
			in.pend, in.pi = replacement, 1
			in.pos++
			return replacement[0], nil
		case r == 0xFFFE || r == 0xFFFF:
			in.r += size
			in.raw += int64(size)
			continue
		}
		in.cont = size - 1
		in.r++
		in.raw++
		in.pos++
		return b, nil
	}
}

// errCDATAEOF ends a file cut inside a CDATA section.
var errCDATAEOF = errors.New("unexpected end of file in a CDATA section")

// liftCDATA reads the CDATA section at the head of the buffer into
// payload, cleaned, leaving the buffer after its "]]>".
func (in *input) liftCDATA() error {
	in.consume(len(cdataOpen))
	in.payload = in.payload[:0]
	for {
		if k := bytes.Index(in.buf[in.r:in.w], cdataClose); k >= 0 {
			if int64(len(in.payload)+k) > in.limit {
				return errTokenTooLarge
			}
			in.payload = append(in.payload, in.buf[in.r:in.r+k]...)
			in.consume(k + len(cdataClose))
			break
		}
		// Keep two bytes back: they may begin the "]]>".
		if n := in.w - in.r - (len(cdataClose) - 1); n > 0 {
			if int64(len(in.payload)+n) > in.limit {
				return errTokenTooLarge
			}
			in.payload = append(in.payload, in.buf[in.r:in.r+n]...)
			in.consume(n)
		}
		if in.eof != nil {
			return errCDATAEOF
		}
		if err := in.fill(in.w - in.r + 1); err != nil && in.w == in.r {
			return errCDATAEOF
		}
	}
	in.payload = in.cleanCDATA(in.payload)
	in.payloadEnd = in.pos + int64(len(placeholder))
	return nil
}

// cleanCDATA applies the stream's rules to a lifted payload, and turns
// CR LF and lone CR into LF, as the decoder does with text.
func (in *input) cleanCDATA(p []byte) []byte {
	dirty, high := false, false
	for _, c := range p {
		if c < 0x20 && c != '\t' && c != '\n' {
			dirty = true
			break
		}
		if c >= utf8.RuneSelf {
			high = true
		}
	}
	if !dirty && (!high || utf8.Valid(p) && !bytes.Contains(p, []byte("\uFFFE")) && !bytes.Contains(p, []byte("\uFFFF"))) {
		return p
	}
	out := in.scratch[:0]
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\r':
			out = append(out, '\n')
			i++
			if i < len(p) && p[i] == '\n' {
				i++
			}
			continue
		case c == '\v' || c == '\f':
			out = append(out, ' ')
		case c < 0x20 && c != '\t' && c != '\n':
		case c < utf8.RuneSelf:
			out = append(out, c)
		default:
			r, size := utf8.DecodeRune(p[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				out = append(out, replacement...)
			case r != 0xFFFE && r != 0xFFFF:
				out = append(out, p[i:i+size]...)
			}
			i += size
			continue
		}
		i++
	}
	// The cleaned copy becomes the payload; the old payload buffer is
	// the next scratch.
	in.scratch = p[:0]
	return out
}

// takePayload returns the lifted CDATA payload when the decoder's last
// token ended where its placeholder ends.
func (in *input) takePayload(offset int64) ([]byte, bool) {
	if in.payloadEnd != offset {
		return nil, false
	}
	in.payloadEnd = -1
	return in.payload, true
}

// Read implements io.Reader for completeness; the decoder uses ReadByte.
func (in *input) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		b, err := in.ReadByte()
		if err != nil {
			if n > 0 && errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
		p[n] = b
		n++
	}
	return n, nil
}

// xmlDecl finds the encoding named by an XML declaration.
var xmlDecl = regexp.MustCompile(`^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']`)

// decodeCharset returns src as UTF-8: it drops a UTF-8 byte order mark and,
// when the XML declaration names another encoding (WordPress writes the
// blog's charset there, nearly always UTF-8), converts from it. The second
// result tells whether a conversion was put in place, in which case the
// decoder must be told to accept the declaration as it is.
func decodeCharset(src io.Reader) (io.Reader, bool, error) {
	br := bufio.NewReaderSize(src, 1024)
	head, _ := br.Peek(1024) // a short file is fine; a read error comes back on the first read
	if bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")) {
		_, _ = br.Discard(3)
		head = head[3:]
	}
	if bytes.HasPrefix(head, []byte("\xFE\xFF")) || bytes.HasPrefix(head, []byte("\xFF\xFE")) {
		return nil, false, errors.New("UTF-16 is not supported: export the site as UTF-8")
	}
	m := xmlDecl.FindSubmatch(head)
	if m == nil {
		return br, false, nil
	}
	label := strings.ToLower(string(m[1]))
	switch label {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return br, false, nil
	}
	enc, err := htmlindex.Get(label)
	if err != nil {
		return nil, false, fmt.Errorf("unsupported encoding %q", m[1])
	}
	return transform.NewReader(br, enc.NewDecoder()), true, nil
}
