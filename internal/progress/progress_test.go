package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestPlainLines: off a terminal, a line at each 5 % step and one at the
// end, whatever the size of the increments.
func TestPlainLines(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	for _, by := range []int{1, 3, 7} {
		var out bytes.Buffer
		b := newBar(&out, 1000, "articles", false, now)
		for n := 0; n < 1000; n += by {
			b.Add(min(by, 1000-n))
		}
		b.Done()
		b.Done()
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 20 {
			t.Fatalf("by %d: %d lines:\n%s", by, len(lines), out.String())
		}
		if !strings.HasPrefix(lines[0], "articles: 50/1000 (5%)") && by == 1 {
			t.Errorf("first line %q", lines[0])
		}
		if !strings.HasPrefix(lines[19], "articles: 1000 done in") {
			t.Errorf("last line %q", lines[19])
		}
	}
}

// TestPlainLinesEveryInterval: a slow run prints a line every 10 s between
// the steps.
func TestPlainLinesEveryInterval(t *testing.T) {
	t.Parallel()
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out bytes.Buffer
	b := newBar(&out, 1000, "articles", false, func() time.Time { return clock })
	b.Add(1)
	clock = clock.Add(9 * time.Second)
	b.Add(1)
	if out.Len() != 0 {
		t.Fatalf("a line before 10 s: %q", out.String())
	}
	clock = clock.Add(2 * time.Second)
	b.Add(1)
	if !strings.HasPrefix(out.String(), "articles: 3/1000 (0%), 11s elapsed") {
		t.Errorf("got %q", out.String())
	}
}

// TestTerminal: on a terminal the bar draws, and Done ends its line.
func TestTerminal(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	b := newBar(&out, 10, "articles", true, time.Now)
	b.Add(10)
	b.Done()
	if !strings.Contains(out.String(), "10/10") || !strings.Contains(out.String(), "articles: 10 done in") {
		t.Errorf("got %q", out.String())
	}
	if New(&out, 1, "x").bar != nil {
		t.Error("a buffer is taken for a terminal")
	}
}
