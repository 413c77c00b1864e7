package api_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"masthead/api"
	"masthead/api/apitest"
)

func TestNegotiate(t *testing.T) {
	t.Parallel()
	for header, want := range map[string]string{
		"":                             "identity",
		"identity":                     "identity",
		"gzip":                         "gzip",
		"GZIP":                         "gzip",
		"x-gzip":                       "gzip",
		"deflate":                      "identity",
		"gzip, deflate":                "gzip",
		"gzip, deflate, br":            "br",
		"gzip, deflate, br, zstd":      "br",
		"zstd":                         "zstd",
		"zstd, gzip":                   "gzip",
		"br;q=0, gzip":                 "gzip",
		"gzip;q=0":                     "identity",
		"gzip;q=0.5, zstd;q=0.8":       "zstd",
		"gzip;q=0.5, br;q=0.4":         "gzip",
		"gzip ; q=1.0 , br ; q=0.999":  "gzip",
		"br;q=0.001":                   "br",
		"*":                            "br",
		"*;q=0, gzip":                  "gzip",
		"br;q=0, *":                    "gzip",
		"gzip;q=abc":                   "identity",
		"gzip;q=0.5;level=9":           "gzip",
		",,, ;;; gzip":                 "identity",
		"identity;q=0":                 "identity",
		"compress, deflate, identity ": "identity",
	} {
		if got := api.Negotiate(header); got != want {
			t.Errorf("Accept-Encoding %q: %s, want %s", header, got, want)
		}
	}
}

// decode undoes a Content-Encoding.
func decode(t *testing.T, coding string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch coding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	default:
		t.Fatalf("coding %q", coding)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", coding, err)
	}
	return out
}

// Every coding a client may ask for gives the same bytes as the identity,
// smaller, with their own Content-Length, the same validators, and Vary;
// and the cached representation is compressed once per coding, however
// many clients ask.
func TestCompressedRepresentations(t *testing.T) {
	a := apitest.New(t)
	a.Validate = false // the harness reads identity bodies only
	sub := a.Token("subscriber")
	paths := []string{
		"/v1/articles/" + a.Article("wells").ID,
		"/v1/articles?limit=20",
		"/v1/search?q=water",
		"/v1/feeds/latest.rss",
		"/openapi.json",
	}
	for _, p := range paths {
		for _, token := range []string{"", sub} {
			plain := a.Get(p, token, "Accept-Encoding", "identity")
			mustStatus(t, plain, http.StatusOK, p)
			if plain.Header.Get("Content-Encoding") != "" || !varyHas(plain.Header, "Accept-Encoding") {
				t.Fatalf("%s identity: Content-Encoding %q, Vary %q", p, plain.Header.Get("Content-Encoding"), plain.Header.Values("Vary"))
			}
			for _, coding := range []string{"gzip", "br", "zstd"} {
				before := api.Compressions.Load()
				var first []byte
				for i := range 3 {
					r := a.Get(p, token, "Accept-Encoding", coding)
					mustStatus(t, r, http.StatusOK, p)
					if got := r.Header.Get("Content-Encoding"); got != coding {
						t.Fatalf("%s %s: Content-Encoding %q", p, coding, got)
					}
					if cl := r.Header.Get("Content-Length"); cl != strconv.Itoa(len(r.Body)) {
						t.Errorf("%s %s: Content-Length %q for %d bytes", p, coding, cl, len(r.Body))
					}
					if len(r.Body) >= len(plain.Body) {
						t.Errorf("%s %s: %d bytes, identity %d", p, coding, len(r.Body), len(plain.Body))
					}
					if !bytes.Equal(decode(t, coding, r.Body), plain.Body) {
						t.Fatalf("%s %s: decoded body differs from the identity", p, coding)
					}
					for _, h := range []string{"ETag", "Last-Modified", "Cache-Control", "Content-Type"} {
						if r.Header.Get(h) != plain.Header.Get(h) {
							t.Errorf("%s %s: %s %q, identity %q", p, coding, h, r.Header.Get(h), plain.Header.Get(h))
						}
					}
					if !varyHas(r.Header, "Accept-Encoding") {
						t.Errorf("%s %s: Vary %q", p, coding, r.Header.Values("Vary"))
					}
					if i == 0 {
						first = r.Body
					} else if !bytes.Equal(r.Body, first) {
						t.Errorf("%s %s: request %d sent other bytes", p, coding, i)
					}
				}
				// Reads are cached by class: the anonymous reader's first
				// request compresses, the next two do not; a subscriber's
				// compress once at most (none where a subscriber reads the
				// same bytes as everyone, as in feeds and the spec).
				n := api.Compressions.Load() - before
				if token == "" && n != 1 || n > 1 {
					t.Errorf("%s %s (token %v): %d compressions for 3 requests", p, coding, token != "", n)
				}
				nm := a.Get(p, token, "Accept-Encoding", coding, "If-None-Match", plain.Header.Get("ETag"))
				if nm.Status != http.StatusNotModified || len(nm.Body) != 0 {
					t.Errorf("%s %s with If-None-Match: %d, %d bytes", p, coding, nm.Status, len(nm.Body))
				}
			}
		}
	}

	// Small bodies and refused codings go as they are.
	r := a.Get("/v1/articles/"+a.Article("wells").ID+"?fields=title", "", "Accept-Encoding", "gzip, br")
	mustStatus(t, r, http.StatusOK, "fields=title")
	if r.Header.Get("Content-Encoding") != "" {
		t.Errorf("a %d-byte body was compressed", len(r.Body))
	}
	r = a.Get("/v1/articles?limit=20", "", "Accept-Encoding", "gzip;q=0, br;q=0")
	if r.Header.Get("Content-Encoding") != "" {
		t.Errorf("q=0 codings: Content-Encoding %q", r.Header.Get("Content-Encoding"))
	}
}
