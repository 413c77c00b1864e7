// Command benchreport reads what loadtest/bench.sh measured (results.tsv
// and runs.tsv in one folder), prints Masthead's figures beside the
// floors' as ratios, and with -doc writes docs/performance.md and with
// -svg its chart, drawn with gonum.org/v1/plot.
//
//	benchreport -results tmp/bench/RUN [-doc docs/performance.md -svg docs/performance.svg] [-command 'make bench']
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("benchreport", flag.ContinueOnError)
	dir := fs.String("results", "", "folders with results.tsv and runs.tsv, comma-separated (required)")
	doc := fs.String("doc", "", "markdown page to write, e.g. docs/performance.md")
	svg := fs.String("svg", "", "chart to write, e.g. docs/performance.svg")
	var m meta
	fs.StringVar(&m.Command, "command", "make bench", "the command to quote on the page")
	fs.StringVar(&m.Duration, "duration", "?", "seconds of each wrk run")
	fs.StringVar(&m.Warmup, "warmup", "?", "seconds of warm-up before a hot read")
	fs.StringVar(&m.Threads, "threads", "?", "wrk threads")
	fs.StringVar(&m.Wrk, "wrk", "wrk", "wrk's version")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-results DIR is required")
	}
	d, err := load(*dir)
	if err != nil {
		return err
	}
	if len(d.Results) == 0 {
		return errors.New("no results")
	}
	writeText(os.Stdout, d)

	if *svg != "" {
		var buf bytes.Buffer
		if err := writeChart(&buf, d); err != nil {
			return fmt.Errorf("chart: %w", err)
		}
		if err := os.WriteFile(*svg, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "\nwrote %s\n", *svg)
	}
	if *doc != "" {
		m.Date = time.Now()
		m.Machine = machine()
		if *svg != "" {
			rel, err := filepath.Rel(filepath.Dir(*doc), *svg)
			if err != nil {
				return err
			}
			m.Chart = filepath.ToSlash(rel)
		}
		var buf bytes.Buffer
		if err := writeDoc(&buf, d, m); err != nil {
			return err
		}
		if err := os.WriteFile(*doc, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "wrote %s\n", *doc)
	}
	return nil
}

// machine describes this machine in one line: CPU model and count, memory,
// kernel, Go.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			var kb int64
			if _, err := fmt.Sscanf(line, "MemTotal: %d kB", &kb); err == nil {
				mem = fmt.Sprintf(", %.0f GB memory", float64(kb)/1024/1024)
				break
			}
		}
	}
	kernel := ""
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = ", Linux " + strings.TrimSpace(string(b))
	}
	return fmt.Sprintf("%s, %d cores%s%s, %s %s/%s", model, runtime.NumCPU(), mem, kernel, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
