// Command floor is the same-run baseline of loadtest/search.sh: an Echo
// server that answers every GET with the same bytes, read once from a file
// at start (a real response of the server under test), so that the figures
// of the server under test can be given as a ratio to what this machine,
// this wrk and Echo do with no work at all. It listens on 127.0.0.1 only
// and prints its address on stdout once it accepts connections.
//
//	floor -body response.json [-type application/json] [-addr 127.0.0.1:0]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
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

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/*", func(c echo.Context) error { return c.Blob(http.StatusOK, *ctype, body) })

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
