package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestLogBuffer(t *testing.T) {
	t.Parallel()
	out := newSyncBuffer()
	b := newLogBuffer(out)
	var want strings.Builder
	for i := range 1000 {
		line := fmt.Sprintf("line %d\n", i)
		want.WriteString(line)
		if _, err := b.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	// Without Close, the ticker writes everything within a few intervals.
	deadline := time.Now().Add(20 * logFlushEvery)
	for out.String() != want.String() && time.Now().Before(deadline) {
		time.Sleep(logFlushEvery / 4)
	}
	if out.String() != want.String() {
		t.Fatalf("after %v: %d of %d bytes written", 20*logFlushEvery, len(out.String()), want.Len())
	}

	// Close writes what waits, in order, and later lines go through.
	_, _ = b.Write([]byte("before close\n"))
	b.Close()
	_, _ = b.Write([]byte("after close\n"))
	if got := out.String(); !strings.HasSuffix(got, "before close\nafter close\n") {
		t.Fatalf("tail %q", got[max(0, len(got)-40):])
	}
	b.Close() // twice is fine
}

func TestLogBufferFlushesWhenFull(t *testing.T) {
	t.Parallel()
	out := newSyncBuffer()
	b := newLogBuffer(out)
	defer b.Close()
	line := bytes.Repeat([]byte("x"), 1023)
	line = append(line, '\n')
	for range logFlushSize / len(line) {
		_, _ = b.Write(line)
	}
	// logFlushSize bytes are waiting: the last Write wrote them itself.
	if n := len(out.String()); n != logFlushSize {
		t.Fatalf("%d bytes written, want %d at once", n, logFlushSize)
	}
}
