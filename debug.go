package main

import (
	"context"
	"expvar"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveDebug serves the runtime's profiles (/debug/pprof/) and expvar
// (/debug/vars) on a listener of their own at addr, which config keeps to
// loopback: goroutine counts and heap profiles for the load test and for an
// operator on the host, never through the API's port. stop shuts it down.
func serveDebug(addr string, log *slog.Logger) (stop func(), err error) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/debug/vars", expvar.Handler())
	// No write timeout: a CPU profile or a trace takes as long as asked.
	return serveAside("debug", addr, mux, 0, log)
}

// serveMetrics serves /metrics (Prometheus) on a listener of its own at
// addr (metrics-addr), without authentication: keep it on loopback or a
// private network the scraper reaches. stop shuts it down.
func serveMetrics(addr string, h http.Handler, log *slog.Logger) (stop func(), err error) {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return serveAside("metrics", addr, mux, 30*time.Second, log)
}

// serveAside serves h on a listener of its own at addr, beside the API,
// and returns what shuts it down (waiting up to 5 s for requests in
// flight). what names it in errors and logs ("debug": debug-addr, debug
// server).
func serveAside(what, addr string, h http.Handler, writeTimeout time.Duration, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s-addr: %w", what, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		WriteTimeout:      writeTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Error(what+" server", slog.String("error", err.Error()))
		}
	}()
	log.Info(what+" server ready", "addr", ln.Addr().String())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if srv.Shutdown(ctx) != nil {
			srv.Close()
		}
		<-done
	}, nil
}
