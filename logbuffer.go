package main

import (
	"io"
	"sync"
	"time"
)

// logBuffer gathers the server's log lines and writes them in batches: every
// logFlushEvery, at once when logFlushSize bytes wait, and when it is
// closed. Under load the access log is a line per request; written one at a
// time it cost a system call per request, a sixth of the CPU of a read served
// from the cache (docs/performance.md). A line waits at most logFlushEvery
// before it is written; Close writes what is left, so a clean shutdown loses
// nothing.
type logBuffer struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte
	err  error // the first write error, reported once to Write's callers
	stop chan struct{}
	done chan struct{}
}

const (
	logFlushEvery = 100 * time.Millisecond
	logFlushSize  = 64 << 10
)

func newLogBuffer(w io.Writer) *logBuffer {
	b := &logBuffer{w: w, buf: make([]byte, 0, logFlushSize), stop: make(chan struct{}), done: make(chan struct{})}
	go b.run(b.stop)
	return b
}

func (b *logBuffer) run(stop <-chan struct{}) {
	defer close(b.done)
	t := time.NewTicker(logFlushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.mu.Lock()
			b.flushLocked()
			b.mu.Unlock()
		case <-stop:
			return
		}
	}
}

// Write keeps p (a slog handler writes one whole line per call).
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stop == nil {
		// Closed: write through.
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= logFlushSize {
		b.flushLocked()
	}
	if err := b.err; err != nil {
		b.err = nil
		return len(p), err
	}
	return len(p), nil
}

func (b *logBuffer) flushLocked() {
	if len(b.buf) == 0 {
		return
	}
	if _, err := b.w.Write(b.buf); err != nil && b.err == nil {
		b.err = err
	}
	b.buf = b.buf[:0]
}

// Close writes what waits and stops the ticker; later writes go straight
// through.
func (b *logBuffer) Close() {
	b.mu.Lock()
	stop := b.stop
	b.stop = nil
	b.flushLocked()
	b.mu.Unlock()
	if stop != nil {
		close(stop)
		<-b.done
	}
}
