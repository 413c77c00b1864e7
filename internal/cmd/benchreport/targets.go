package main

import "fmt"

// A check is one target of issue 12 against this run's figures.
type check struct {
	What, Target, Measured string
	Met                    bool
}

// targetConns is the connection count the targets are set at.
const targetConns = 32

// ratioTargets: requests per second as a ratio to the floor (issue 12).
var ratioTargets = []struct {
	read, enc string
	min       float64
}{
	{"article-hot", "identity", 0.8},
	{"article-hot", "gzip", 0.8},
	{"sub-article-hot", "identity", 0.7},
	{"list", "identity", 0.7},
}

// growthReads must grow their p99 by less than 2× from the small archive to
// the large one.
var growthReads = []string{"list", "list-section", "list-tag", "list-lang", "search", "changes"}

const (
	maxRSSMB     = 250
	maxStartupMS = 1000
	maxGrowth    = 2.0
)

// checks compares the run with the targets of issue 12, at 32 connections.
func checks(gs []group) []check {
	var out []check
	for _, g := range gs {
		where := fmt.Sprintf("%s %s", dbLabel(g.DB), sizeLabel(g.Size))
		for _, t := range ratioTargets {
			for _, r := range g.Rows {
				if r.M.Read != t.read || r.M.Encoding != t.enc || r.M.Connections != targetConns {
					continue
				}
				if v, ok := r.rpsRatio(); ok {
					out = append(out, check{
						What:   fmt.Sprintf("%s: %s, %s, req/s × floor", where, readLabel(t.read), t.enc),
						Target: fmt.Sprintf("≥ %.1f×", t.min), Measured: fmt.Sprintf("%.2f×", v), Met: v >= t.min,
					})
				}
			}
		}
		if g.Run != nil {
			mb := float64(g.Run.PeakRSSKB) / 1024
			out = append(out,
				check{What: where + ": peak RSS", Target: fmt.Sprintf("< %d MB", maxRSSMB),
					Measured: fmt.Sprintf("%.0f MB", mb), Met: mb < maxRSSMB},
				check{What: where + ": start-up", Target: fmt.Sprintf("< %d ms", maxStartupMS),
					Measured: fmt.Sprintf("%d ms", g.Run.StartupMS), Met: g.Run.StartupMS < maxStartupMS})
		}
	}
	for _, db := range dbsOf(gs) {
		small, large, gr := growths(gs, db)
		for _, read := range growthReads {
			for _, x := range gr {
				if x.Read != read || x.Encoding != "identity" || x.Connections != targetConns {
					continue
				}
				v := x.p99Growth()
				out = append(out, check{
					What:   fmt.Sprintf("%s: %s, p99 from %s to %s articles", dbLabel(db), readLabel(read), sizeLabel(small), sizeLabel(large)),
					Target: fmt.Sprintf("< %.0f×", maxGrowth), Measured: times(v), Met: v < maxGrowth,
				})
			}
		}
	}
	return out
}
