// Package progress reports how far a long command has gone: a bar when it
// writes to a terminal, plain lines otherwise (logs, pipes, CI), so that a
// redirected run stays readable. `masthead seed` and `masthead search
// reindex` use it.
package progress

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// Bar counts units of work done out of a total. Its methods are safe for
// concurrent use.
type Bar struct {
	mu    sync.Mutex
	w     io.Writer
	what  string
	total int
	done  int
	start time.Time
	now   func() time.Time
	bar   *progressbar.ProgressBar // on a terminal; nil otherwise

	// Plain lines: one each time another step of the total is done, or
	// every interval, whichever comes first.
	interval time.Duration
	step5    int // the next 5 % step to report (1 to 19)
	lastLine time.Time
	finished bool
}

// New returns a Bar for total units of what (a plural noun, "articles")
// writing to w: a progress bar when w is a terminal, a line every 5 % or
// every 10 s otherwise.
func New(w io.Writer, total int, what string) *Bar {
	return newBar(w, total, what, isTerminal(w), time.Now)
}

func newBar(w io.Writer, total int, what string, terminal bool, now func() time.Time) *Bar {
	if total < 0 {
		total = 0
	}
	b := &Bar{w: w, what: what, total: total, now: now, start: now(), interval: 10 * time.Second}
	b.lastLine = b.start
	b.step5 = 1
	if terminal {
		b.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(what),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		)
	}
	return b
}

// stepOf is the count at which the k-th 5 % step is reached.
func (b *Bar) stepOf(k int) int {
	n := (b.total*k + 19) / 20
	if n < 1 {
		n = 1
	}
	return n
}

// isTerminal reports whether w is a terminal (a character device with a
// file descriptor).
func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Add records n more units done.
func (b *Bar) Add(n int) {
	if n <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.done += n
	if b.bar != nil {
		_ = b.bar.Add(n)
		return
	}
	now := b.now()
	if b.done >= b.total {
		return // Done prints the last line
	}
	if b.done < b.stepOf(b.step5) && now.Sub(b.lastLine) < b.interval {
		return
	}
	for b.step5 < 20 && b.stepOf(b.step5) <= b.done {
		b.step5++
	}
	b.lastLine = now
	fmt.Fprintf(b.w, "%s: %d/%d (%d%%), %s elapsed, %s\n", b.what, b.done, b.total,
		b.done*100/max(b.total, 1), round(now.Sub(b.start)), rate(b.done, now.Sub(b.start)))
}

// Done ends the report with a last line: how many units, how long, how
// fast. Calling it again does nothing.
func (b *Bar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.finished {
		return
	}
	b.finished = true
	if b.bar != nil {
		_ = b.bar.Finish()
	}
	d := b.now().Sub(b.start)
	fmt.Fprintf(b.w, "%s: %d done in %s, %s\n", b.what, b.done, round(d), rate(b.done, d))
}

func round(d time.Duration) time.Duration {
	if d > time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

func rate(n int, d time.Duration) string {
	if d <= 0 {
		return "- per second"
	}
	return fmt.Sprintf("%.0f per second", float64(n)/d.Seconds())
}
