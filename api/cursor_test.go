package api

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

var testCursors = cursors{key: []byte("0123456789abcdef0123456789abcdef")}

func samplePosition() position {
	return position{List: "articles", Time: time.Date(2026, 10, 14, 9, 30, 0, 123456000, time.UTC), ID: "01JD3Q8V6K2M7T4X9R5B1N0C8E"}
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	for _, p := range []position{
		samplePosition(),
		{List: "comments:01JD3Q8V6K2M7T4X9R5B1N0C8E", Time: time.Unix(1, 0).UTC(), ID: "x"},
		{List: "articles", Time: time.Date(2100, 1, 1, 0, 0, 0, 999999999, time.UTC), ID: strings.Repeat("Z", 26)},
	} {
		s := testCursors.encode(p)
		if strings.ContainsAny(s, "+/=?&# ") {
			t.Errorf("cursor %q is not URL-safe", s)
		}
		got, err := testCursors.decode(p.List, s)
		if err != nil {
			t.Fatalf("decode(encode(%+v)): %v", p, err)
		}
		if got.List != p.List || got.ID != p.ID || !got.Time.Equal(p.Time) {
			t.Errorf("round trip %+v, want %+v", got, p)
		}
	}
}

func TestCursorRefusals(t *testing.T) {
	t.Parallel()
	p := samplePosition()
	s := testCursors.encode(p)

	t.Run("every changed character", func(t *testing.T) {
		for i := range len(s) {
			for _, c := range []byte{'A', 'z', '0', '_'} {
				if s[i] == c {
					continue
				}
				b := []byte(s)
				b[i] = c
				if _, err := testCursors.decode("articles", string(b)); err == nil {
					t.Errorf("cursor with byte %d changed to %q accepted", i, c)
				}
			}
		}
	})

	t.Run("every bit of the payload", func(t *testing.T) {
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(raw) * 8 {
			b := append([]byte(nil), raw...)
			b[i/8] ^= 1 << (i % 8)
			if _, err := testCursors.decode("articles", base64.RawURLEncoding.EncodeToString(b)); err == nil {
				t.Errorf("bit %d flipped: accepted", i)
			}
		}
	})

	t.Run("truncated", func(t *testing.T) {
		for n := range len(s) {
			if _, err := testCursors.decode("articles", s[:n]); err == nil {
				t.Errorf("prefix of %d characters accepted", n)
			}
		}
	})

	t.Run("extended", func(t *testing.T) {
		for _, x := range []string{s + "A", s + "=", "=" + s, " " + s, s + "\n", s + s} {
			if _, err := testCursors.decode("articles", x); err == nil {
				t.Errorf("%q accepted", x)
			}
		}
	})

	t.Run("wrong list", func(t *testing.T) {
		for _, l := range []string{"comments:01JD3Q8V6K2M7T4X9R5B1N0C8E", "", "Articles", "articles "} {
			if _, err := testCursors.decode(l, s); err == nil {
				t.Errorf("articles cursor accepted by list %q", l)
			}
		}
		c := testCursors.encode(position{List: "comments:a", Time: p.Time, ID: p.ID})
		if _, err := testCursors.decode("comments:b", c); err == nil {
			t.Error("a cursor of one article's comments accepted for another's")
		}
	})

	t.Run("another key", func(t *testing.T) {
		other := cursors{key: []byte("another key, same length........")}
		if _, err := other.decode("articles", s); err == nil {
			t.Error("cursor accepted under another key")
		}
	})

	t.Run("valid MAC, empty position", func(t *testing.T) {
		for _, q := range []position{{List: "articles"}, {List: "articles", ID: "x"}, {List: "articles", Time: p.Time}} {
			if _, err := testCursors.decode("articles", testCursors.encode(q)); err == nil {
				t.Errorf("position %+v accepted", q)
			}
		}
	})

	t.Run("huge and odd input", func(t *testing.T) {
		for _, x := range []string{"", strings.Repeat("A", 1<<20), strings.Repeat("A", 513), strings.Repeat("A", 512),
			"garbage", "!!!!", "\x00\xff", "e30", base64.RawURLEncoding.EncodeToString(make([]byte, 12))} {
			if _, err := testCursors.decode("articles", x); err == nil {
				t.Errorf("%.40q accepted", x)
			}
		}
	})
}

// FuzzCursor: decode never panics, and accepts only the exact strings encode
// produces.
func FuzzCursor(f *testing.F) {
	good := testCursors.encode(samplePosition())
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add(testCursors.encode(position{List: "comments:x", Time: time.Unix(0, 1).UTC(), ID: "y"}))
	f.Add("")
	f.Add("garbage")
	f.Fuzz(func(t *testing.T, s string) {
		for _, list := range []string{"articles", "comments:x"} {
			p, err := testCursors.decode(list, s)
			if err != nil {
				continue
			}
			if p.List != list || p.ID == "" || p.Time.IsZero() {
				t.Fatalf("accepted %q as %+v", s, p)
			}
			if again := testCursors.encode(p); again != s {
				t.Fatalf("accepted %q, which encode spells %q", s, again)
			}
		}
	})
}
