// Command floor is the same-run baseline of loadtest/search.sh and
// loadtest/bench.sh: an Echo server that answers every GET with the same
// bytes, read once from a file at start (a real response of the server
// under test), so that the figures of the server under test can be given as
// a ratio to what this machine, this wrk and Echo do with no work at all.
// Every response carries its Content-Length.
//
// With -gzip it also compresses those bytes once, at start, and sends the
// compressed form (Content-Encoding: gzip, Vary: Accept-Encoding) to the
// clients whose Accept-Encoding takes gzip; the others get the identity
// bytes. That is the floor of a server that keeps its representations
// compressed. It listens on 127.0.0.1 only and prints its address on stdout
// once it accepts connections.
//
//	floor -body response.json [-type application/json] [-gzip] [-addr 127.0.0.1:0]
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:0", "address to listen on (127.0.0.1 only)")
	bodyFile := flag.String("body", "", "file whose bytes every response carries (required)")
	ctype := flag.String("type", "application/json", "Content-Type of the responses")
	withGzip := flag.Bool("gzip", false, "also send the bytes gzip-compressed (once, at start) to clients that accept gzip")
	flag.Parse()
	if *bodyFile == "" {
		return errors.New("-body FILE is required")
	}
	body, err := os.ReadFile(*bodyFile)
	if err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil || host != "127.0.0.1" {
		return fmt.Errorf("-addr %q: 127.0.0.1:PORT only", *addr)
	}
	var zipped []byte
	if *withGzip {
		if zipped, err = compress(body); err != nil {
			return err
		}
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	plainLen, zippedLen := strconv.Itoa(len(body)), strconv.Itoa(len(zipped))
	e.GET("/*", func(c echo.Context) error {
		h := c.Response().Header()
		if zipped != nil {
			h.Set(echo.HeaderVary, echo.HeaderAcceptEncoding)
			if acceptsGzip(c.Request().Header.Values(echo.HeaderAcceptEncoding)) {
				h.Set(echo.HeaderContentEncoding, "gzip")
				h.Set(echo.HeaderContentLength, zippedLen)
				return c.Blob(http.StatusOK, *ctype, zipped)
			}
		}
		h.Set(echo.HeaderContentLength, plainLen)
		return c.Blob(http.StatusOK, *ctype, body)
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Println(ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// compress is b gzip-compressed at the default level.
func compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// acceptsGzip tells whether Accept-Encoding values take gzip (or *) with a
// q-value above zero (RFC 9110, 12.5.3).
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(item), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			if !zeroQ(params) {
				return true
			}
		}
	}
	return false
}

// zeroQ tells whether the parameters of an Accept-Encoding item say q=0.
func zeroQ(params string) bool {
	for p := range strings.SplitSeq(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return err == nil && q == 0
		}
	}
	return false
}
