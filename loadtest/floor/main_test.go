package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{"identity"}, false},
		{[]string{"gzip"}, true},
		{[]string{"br, gzip, deflate"}, true},
		{[]string{"GZIP;q=0.5"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.0"}, false},
		{[]string{"br", "x-gzip"}, true},
		{[]string{"*"}, true},
		{[]string{"gzipx"}, false},
	}
	for _, c := range cases {
		if got := acceptsGzip(c.values); got != c.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", c.values, got, c.want)
		}
	}
}

func TestCompressRoundTrip(t *testing.T) {
	in := bytes.Repeat([]byte(`{"title":"Le budget de l'eau"}`), 100)
	z, err := compress(in)
	if err != nil {
		t.Fatal(err)
	}
	if len(z) >= len(in) {
		t.Fatalf("compressed %d bytes into %d", len(in), len(z))
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, in) {
		t.Fatal("the round trip changed the bytes")
	}
}
