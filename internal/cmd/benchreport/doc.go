package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// meta is what the page says about the run beyond its figures.
type meta struct {
	Command  string
	Date     time.Time
	Duration string // seconds of each wrk run
	Warmup   string
	Threads  string
	Machine  string
	Wrk      string
	Chart    string // the SVG's path relative to the page, or ""
}

func ratio(v float64, ok bool) string {
	if !ok {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", v)
}

func ms(us float64) string {
	switch {
	case us <= 0:
		return "—"
	case us >= 100_000:
		return fmt.Sprintf("%.0f", us/1000)
	case us >= 10_000:
		return fmt.Sprintf("%.1f", us/1000)
	}
	return fmt.Sprintf("%.2f", us/1000)
}

func rps(v float64) string { return fmt.Sprintf("%.0f", v) }

// times is a growth factor; an infinite one means no answer at the large size.
func times(v float64) string {
	if math.IsInf(v, 1) {
		return "no answer"
	}
	return fmt.Sprintf("%.2f×", v)
}

func encLabel(enc string) string {
	if enc == "gzip" {
		return "gzip"
	}
	return "—"
}

// writeText prints the tables for a terminal.
func writeText(w io.Writer, d dataset) {
	gs := groups(d)
	for _, g := range gs {
		fmt.Fprintf(w, "\n%s", g.title())
		if g.Run != nil {
			fmt.Fprintf(w, ": start-up %d ms, peak RSS %.0f MB, thread of %d comments, %d ids walked",
				g.Run.StartupMS, float64(g.Run.PeakRSSKB)/1024, g.Run.ThreadComments, g.Run.IDs)
		}
		fmt.Fprintf(w, "\n%-26s %-8s %5s %9s %7s %9s %7s %9s %7s %6s\n",
			"read", "encoding", "conns", "req/s", "×floor", "p50 ms", "×floor", "p99 ms", "×floor", "gzip")
		for _, r := range g.Rows {
			a, aok := r.rpsRatio()
			b, bok := r.p50Ratio()
			c, cok := r.p99Ratio()
			fmt.Fprintf(w, "%-26s %-8s %5d %9s %7s %9s %7s %9s %7s %5.0f%%\n",
				readLabel(r.M.Read), r.M.Encoding, r.M.Connections, rps(r.M.RPS), ratio(a, aok),
				ms(r.M.P50us), ratio(b, bok), ms(r.M.P99us), ratio(c, cok), 100*r.gzipShare())
		}
	}
	for _, db := range dbsOf(gs) {
		small, large, gr := growths(gs, db)
		if gr == nil {
			continue
		}
		fmt.Fprintf(w, "\n%s, %s -> %s articles\n%-26s %-8s %5s %11s %11s %9s %9s %8s\n", dbLabel(db), sizeLabel(small), sizeLabel(large),
			"read", "encoding", "conns", "req/s small", "req/s large", "p99 small", "p99 large", "p99 ×")
		for _, x := range gr {
			fmt.Fprintf(w, "%-26s %-8s %5d %11s %11s %9s %9s %9s\n", readLabel(x.Read), x.Encoding, x.Connections,
				rps(x.Small.M.RPS), rps(x.Large.M.RPS), ms(x.Small.M.P99us), ms(x.Large.M.P99us), times(x.p99Growth()))
		}
	}
	if cs := checks(gs); len(cs) > 0 {
		fmt.Fprintf(w, "\nTargets of issue 12 (%d connections)\n", targetConns)
		for _, c := range cs {
			mark := "no "
			if c.Met {
				mark = "yes"
			}
			fmt.Fprintf(w, "  %s  %-70s %-8s %s\n", mark, c.What, c.Target, c.Measured)
		}
	}
	if f := failures(d); len(f) > 0 {
		fmt.Fprintf(w, "\nFAILED (%d runs):\n  %s\n", len(f), strings.Join(f, "\n  "))
	}
}

func dbsOf(gs []group) []string {
	var out []string
	for _, g := range gs {
		if !contains(out, g.DB) {
			out = append(out, g.DB)
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// writeDoc writes docs/performance.md: how to rerun and read the
// benchmark, then this run's figures.
func writeDoc(w io.Writer, d dataset, m meta) error {
	gs := groups(d)
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	p("# Performance\n\n")
	p("<!-- Written by `make bench` (loadtest/bench.sh, internal/cmd/benchreport): rerun it rather than editing the figures. -->\n\n")
	p("What Masthead costs per read, measured from outside with wrk on 127.0.0.1,\n")
	p("over seeded archives of two sizes, each figure beside the same read sent by a\n")
	p("server that does no work at all, measured in the same run on the same machine.\n\n")
	p("## Rerun it\n\n")
	p("```sh\n")
	p("make bench                                  # SQLite, 1,000 and 100,000 articles, 32 and 128 connections, 10 s runs\n")
	p("make bench BENCH_DB=both                    # and PostgreSQL, two Masthead processes on one database\n")
	p("make bench BENCH_SIZES=1000 BENCH_DURATION=5 BENCH_CONNECTIONS=32\n")
	p("make bench-short                            # CI: the demo content, 3 s runs, 32 connections, SQLite; fails on any error\n")
	p("```\n\n")
	p("`make bench` builds `bin/masthead` (with `-tags sqlite_fts5`), `bin/floor` and\n")
	p("`bin/benchreport`, then runs `loadtest/bench.sh`:\n\n")
	p("1. **Corpora.** `masthead seed --articles N` (with `--comments M` from\n")
	p("   `BENCH_COMMENTS` once the binary has that flag), built once and cached in\n")
	p("   `tmp/corpus` (SQLite folders; PostgreSQL databases\n")
	p("   `masthead_corpus_<size>_s<seed>`); `FRESH=1` rebuilds them. 100,000\n")
	p("   articles take tens of minutes to write and about 3.4 GB on SQLite.\n")
	p("2. **Masthead**, the real binary, on a free port with rate limits off.\n")
	p("   *Start-up* is the time from exec to the first `200` of `/readyz`. On\n")
	p("   PostgreSQL two processes serve one database and wrk's threads are spread\n")
	p("   over them (`loadtest/bench.lua`, `BENCH_ADDRS`): the figures are their sum.\n")
	p("3. **The reads**, each a list of paths that `loadtest/bench.lua` walks:\n")
	p("   articles by id, anonymous and with a subscriber token, *hot* (5 ids: a\n")
	p("   breaking story) and *cold* (5,000 ids, each run starting elsewhere in the\n")
	p("   list: the long tail of crawlers and archive pages); the list of 20; lists\n")
	p("   filtered by each section, each tag and each language; searches; the latest\n")
	p("   RSS feed; one comments thread; and the first 20 pages of `/v1/changes`\n")
	p("   (partner token). Each at each connection count, without and with\n")
	p("   `Accept-Encoding: gzip` (what every app and browser sends), for\n")
	p("   `BENCH_DURATION` seconds after a warm-up (none for the cold walks).\n")
	p("4. **Peak RSS**: `VmHWM` of `/proc/PID/status` after the reads.\n")
	p("5. **The floors**, in the same run: `loadtest/floor` (Echo) sends the bytes of\n")
	p("   one real response of each read, with `Content-Length`, as identity, and to\n")
	p("   clients that accept gzip those bytes compressed once at start. Hot and\n")
	p("   cold walks of one kind of article share one floor.\n\n")
	p("**How to read the ratios.** *req/s × floor* is Masthead's requests per second\n")
	p("over the floor's: 1.00× is as fast as sending fixed bytes; higher is better.\n")
	p("*p50* and *p99 × floor* are Masthead's latency over the floor's: lower is\n")
	p("better. Under `Accept-Encoding: gzip` the floor sends bytes compressed once,\n")
	p("so the ratio shows what compressing (or not) on each request costs; the\n")
	p("*gzip* column says how many of Masthead's answers were compressed.\n")
	p("*Growth* compares the same read from the small to the large archive.\n\n")
	p("**As a check** (`make bench-short` in CI) the run fails on any response\n")
	p("outside 2xx/3xx or any wrk socket error, Masthead's or a floor's.\n\n")
	p("Variables: `BENCH_SIZES` (`1000 100000`; `demo` is the demo content),\n")
	p("`BENCH_DB` (`sqlite`, `postgres`, `both`), `BENCH_DURATION` (10),\n")
	p("`BENCH_CONNECTIONS` (`32 128`), `BENCH_COMMENTS`, and for\n")
	p("`loadtest/bench.sh` itself `READS`, `HOT_IDS`, `COLD_IDS`, `PG_PROCS`,\n")
	p("`WARMUP`, `THREADS`, `SERVE_FLAGS`, `KEEP=1` (keep the logs), `PG_DROP=1`.\n\n")

	p("## This run\n\n")
	p("- Command: `%s`\n", m.Command)
	p("- Date: %s\n", m.Date.UTC().Format("2006-01-02 15:04 UTC"))
	p("- Machine: %s\n", m.Machine)
	p("- wrk: %s, %s threads, %s s per run after a %s s warm-up\n", m.Wrk, m.Threads, m.Duration, m.Warmup)
	p("\n| database | articles | processes | start-up | peak RSS | comments in the thread | load average before |\n")
	p("|---|---:|---:|---:|---:|---:|---:|\n")
	for _, g := range gs {
		if g.Run == nil {
			continue
		}
		p("| %s | %s | %d | %d ms | %.0f MB | %d | %s |\n", dbLabel(g.DB), sizeLabel(g.Size), g.Procs,
			g.Run.StartupMS, float64(g.Run.PeakRSSKB)/1024, g.Run.ThreadComments, g.Run.LoadAvg)
	}
	p("\nThe load average is the machine's before each database and size, other work\n")
	p("included: above the number of cores the figures are noisy. The ratios to a\n")
	p("floor measured minutes later absorb part of that noise; the absolute figures\n")
	p("do not.\n\n")
	if f := failures(d); len(f) > 0 {
		p("**This run failed the check** (%d runs):\n\n", len(f))
		for _, s := range f {
			p("- %s\n", s)
		}
		p("\n")
	}
	if cs := checks(gs); len(cs) > 0 {
		met := 0
		for _, c := range cs {
			if c.Met {
				met++
			}
		}
		p("### The targets of issue 12 (%d connections): %d of %d met\n\n", targetConns, met, len(cs))
		p("| what | target | measured | met |\n|---|---|---:|---|\n")
		for _, c := range cs {
			mark := "no"
			if c.Met {
				mark = "yes"
			}
			p("| %s | %s | %s | %s |\n", c.What, c.Target, c.Measured, mark)
		}
		p("\n")
	}
	if m.Chart != "" {
		p("![Requests per second as a ratio to the floor, and p99 growth from the small to the large archive](%s)\n\n", m.Chart)
	}

	for _, db := range dbsOf(gs) {
		small, large, gr := growths(gs, db)
		if gr == nil {
			continue
		}
		p("### %s: from %s to %s articles\n\n", dbLabel(db), sizeLabel(small), sizeLabel(large))
		p("| read | gzip | conns | req/s %s | req/s %s | p99 ms %s | p99 ms %s | p99 growth |\n",
			sizeLabel(small), sizeLabel(large), sizeLabel(small), sizeLabel(large))
		p("|---|---|---:|---:|---:|---:|---:|---:|\n")
		for _, x := range gr {
			p("| %s | %s | %d | %s | %s | %s | %s | %s |\n", readLabel(x.Read), encLabel(x.Encoding), x.Connections,
				rps(x.Small.M.RPS), rps(x.Large.M.RPS), ms(x.Small.M.P99us), ms(x.Large.M.P99us), times(x.p99Growth()))
		}
		p("\n")
	}

	for _, g := range gs {
		p("### %s\n\n", g.title())
		p("| read | gzip | conns | req/s | × floor | p50 ms | × floor | p99 ms | × floor | gzipped |\n")
		p("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, r := range g.Rows {
			a, aok := r.rpsRatio()
			bb, bok := r.p50Ratio()
			c, cok := r.p99Ratio()
			p("| %s | %s | %d | %s | %s | %s | %s | %s | %s | %.0f%% |\n", readLabel(r.M.Read), encLabel(r.M.Encoding),
				r.M.Connections, rps(r.M.RPS), ratio(a, aok), ms(r.M.P50us), ratio(bb, bok), ms(r.M.P99us), ratio(c, cok),
				100*r.gzipShare())
		}
		p("\n")
		if g.Run != nil && len(g.Run.BodyBytes) > 0 {
			p("Floor bodies (bytes of the captured response): ")
			var parts []string
			for _, r := range readOrder {
				k := floorKey(r.key)
				if n, ok := g.Run.BodyBytes[k]; ok && !contains(parts, fmt.Sprintf("%s %d", k, n)) {
					parts = append(parts, fmt.Sprintf("%s %d", k, n))
				}
			}
			p("%s.\n\n", strings.Join(parts, ", "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
