package main

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// A result is one wrk run of loadtest/bench.sh: a line of results.tsv.
type result struct {
	DB, Read, Encoding, Target string
	Size                       string // an article count, or "demo"
	Procs, Connections         int
	RPS                        float64
	P50us, P99us               float64
	Requests, Bad, SocketErrs  int64
	Gzip, Bytes                int64
}

// A runInfo is one database and corpus size: a line of runs.tsv.
type runInfo struct {
	DB, Size       string
	Procs          int
	IDs            int
	ThreadComments int
	StartupMS      int
	PeakRSSKB      int64
	LoadAvg        string
	BodyBytes      map[string]int64 // floor key -> bytes of the captured response
}

// A row sets a Masthead result beside its floor's.
type row struct {
	M     result
	Floor *result
}

func (r row) rpsRatio() (float64, bool) {
	if r.Floor == nil || r.Floor.RPS <= 0 {
		return 0, false
	}
	return r.M.RPS / r.Floor.RPS, true
}

func (r row) p50Ratio() (float64, bool) {
	if r.Floor == nil || r.Floor.P50us <= 0 {
		return 0, false
	}
	return r.M.P50us / r.Floor.P50us, true
}

func (r row) p99Ratio() (float64, bool) {
	if r.Floor == nil || r.Floor.P99us <= 0 {
		return 0, false
	}
	return r.M.P99us / r.Floor.P99us, true
}

// gzipShare is the part of Masthead's responses that came gzip-compressed.
func (r row) gzipShare() float64 {
	if r.M.Requests == 0 {
		return 0
	}
	return float64(r.M.Gzip) / float64(r.M.Requests)
}

// readOrder is the order and the wording of the reads in the tables.
var readOrder = []struct{ key, label string }{
	{"article-hot", "anonymous article, hot"},
	{"article-cold", "anonymous article, cold"},
	{"sub-article-hot", "subscriber article, hot"},
	{"sub-article-cold", "subscriber article, cold"},
	{"list", "list of 20"},
	{"list-section", "list by section"},
	{"list-tag", "list by tag"},
	{"list-lang", "list by language"},
	{"search", "search"},
	{"feed", "feed (RSS)"},
	{"comments", "comments thread"},
	{"changes", "/v1/changes"},
}

func readLabel(key string) string {
	for _, r := range readOrder {
		if r.key == key {
			return r.label
		}
	}
	return key
}

func readRank(key string) int {
	for i, r := range readOrder {
		if r.key == key {
			return i
		}
	}
	return len(readOrder)
}

// floorKey is the floor a read is compared with: hot and cold walks of the
// same kind of article share one (one real article's bytes).
func floorKey(read string) string {
	switch {
	case strings.HasPrefix(read, "sub-article-"):
		return "sub-article"
	case strings.HasPrefix(read, "article-"):
		return "article"
	}
	return read
}

// A dataset is what one run of bench.sh wrote.
type dataset struct {
	Results []result
	Runs    []runInfo
}

// load reads the results of one or more runs of bench.sh: folders
// separated by commas.
func load(dirs string) (dataset, error) {
	var all dataset
	for dir := range strings.SplitSeq(dirs, ",") {
		if dir = strings.TrimSpace(dir); dir == "" {
			continue
		}
		d, err := loadDir(dir)
		if err != nil {
			return all, fmt.Errorf("%s: %w", dir, err)
		}
		all.Results = append(all.Results, d.Results...)
		all.Runs = append(all.Runs, d.Runs...)
	}
	return all, nil
}

func loadDir(dir string) (dataset, error) {
	var d dataset
	rows, err := readTSV(filepath.Join(dir, "results.tsv"))
	if err != nil {
		return d, err
	}
	for i, f := range rows {
		r, err := parseResult(f)
		if err != nil {
			return d, fmt.Errorf("results.tsv line %d: %w", i+2, err)
		}
		d.Results = append(d.Results, r)
	}
	rows, err = readTSV(filepath.Join(dir, "runs.tsv"))
	if err != nil {
		return d, err
	}
	for i, f := range rows {
		r, err := parseRun(f)
		if err != nil {
			return d, fmt.Errorf("runs.tsv line %d: %w", i+2, err)
		}
		d.Runs = append(d.Runs, r)
	}
	return d, nil
}

// readTSV reads a tab-separated file with a header line into maps keyed by
// the header's names.
func readTSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseTSV(f)
}

func parseTSV(r io.Reader) ([]map[string]string, error) {
	sc := bufio.NewScanner(r)
	var head []string
	var out []map[string]string
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		cells := strings.Split(line, "\t")
		if head == nil {
			head = cells
			continue
		}
		if len(cells) != len(head) {
			return nil, fmt.Errorf("line %d: %d cells, the header has %d", len(out)+2, len(cells), len(head))
		}
		m := make(map[string]string, len(head))
		for i, h := range head {
			m[h] = cells[i]
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if head == nil {
		return nil, fmt.Errorf("no header line")
	}
	return out, nil
}

// fields parses named cells, remembering the first error.
type fields struct {
	m   map[string]string
	err error
}

func (f *fields) str(k string) string {
	v, ok := f.m[k]
	if !ok && f.err == nil {
		f.err = fmt.Errorf("no %s column", k)
	}
	return v
}

func (f *fields) float(k string) float64 {
	s := f.str(k)
	if s == "" {
		return 0 // wrk printed nothing: counted as zero
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && f.err == nil {
		f.err = fmt.Errorf("%s: %q is not a number", k, s)
	}
	return v
}

func (f *fields) int(k string) int64 { return int64(f.float(k)) }

func parseResult(m map[string]string) (result, error) {
	f := fields{m: m}
	r := result{
		DB: f.str("db"), Size: f.str("size"), Procs: int(f.int("procs")),
		Read: f.str("read"), Encoding: f.str("encoding"), Connections: int(f.int("connections")),
		Target: f.str("target"), RPS: f.float("rps"), P50us: f.float("p50_us"), P99us: f.float("p99_us"),
		Requests: f.int("requests"), Bad: f.int("bad"), SocketErrs: f.int("socket_errors"),
		Gzip: f.int("gzip"), Bytes: f.int("bytes"),
	}
	if f.err == nil && r.Target != "masthead" && r.Target != "floor" {
		f.err = fmt.Errorf("target %q: masthead or floor", r.Target)
	}
	return r, f.err
}

func parseRun(m map[string]string) (runInfo, error) {
	f := fields{m: m}
	r := runInfo{
		DB: f.str("db"), Size: f.str("size"), Procs: int(f.int("procs")), IDs: int(f.int("ids")),
		ThreadComments: int(f.int("thread_comments")), StartupMS: int(f.int("startup_ms")),
		PeakRSSKB: f.int("peak_rss_kb"), LoadAvg: f.str("loadavg"), BodyBytes: map[string]int64{},
	}
	for kv := range strings.FieldsSeq(f.str("body_bytes")) {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil {
			if f.err == nil {
				f.err = fmt.Errorf("body_bytes: %q is not key=bytes", kv)
			}
			continue
		}
		r.BodyBytes[k] = n
	}
	return r, f.err
}

// A group is the rows of one database, corpus size and process count.
type group struct {
	DB, Size string
	Procs    int
	Rows     []row
	Run      *runInfo
}

func (g group) title() string {
	s := fmt.Sprintf("%s, %s articles", dbLabel(g.DB), sizeLabel(g.Size))
	if g.Procs > 1 {
		s += fmt.Sprintf(", %d processes (figures are their sum)", g.Procs)
	}
	return s
}

func dbLabel(db string) string {
	switch db {
	case "sqlite":
		return "SQLite"
	case "postgres":
		return "PostgreSQL"
	}
	return db
}

func sizeLabel(size string) string {
	n, err := strconv.Atoi(size)
	if err != nil {
		return size
	}
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// groups pairs each Masthead result with its floor and orders them: runs
// in the order bench.sh made them, reads in readOrder, identity before
// gzip, fewer connections first.
func groups(d dataset) []group {
	type gk struct {
		db, size string
		procs    int
	}
	type fk struct {
		gk
		key, enc string
		conns    int
	}
	floors := map[fk]*result{}
	var order []gk
	byKey := map[gk]*group{}
	for i := range d.Results {
		r := &d.Results[i]
		k := gk{r.DB, r.Size, r.Procs}
		if _, ok := byKey[k]; !ok {
			byKey[k] = &group{DB: r.DB, Size: r.Size, Procs: r.Procs}
			order = append(order, k)
		}
		if r.Target == "floor" {
			floors[fk{k, r.Read, r.Encoding, r.Connections}] = r
		}
	}
	for _, r := range d.Results {
		if r.Target != "masthead" {
			continue
		}
		k := gk{r.DB, r.Size, r.Procs}
		byKey[k].Rows = append(byKey[k].Rows, row{M: r, Floor: floors[fk{k, floorKey(r.Read), r.Encoding, r.Connections}]})
	}
	out := make([]group, 0, len(order))
	for _, k := range order {
		g := byKey[k]
		for i := range d.Runs {
			if d.Runs[i].DB == g.DB && d.Runs[i].Size == g.Size && d.Runs[i].Procs == g.Procs {
				g.Run = &d.Runs[i]
			}
		}
		slices.SortStableFunc(g.Rows, func(a, b row) int {
			if c := readRank(a.M.Read) - readRank(b.M.Read); c != 0 {
				return c
			}
			if a.M.Encoding != b.M.Encoding {
				if a.M.Encoding == "identity" {
					return -1
				}
				return 1
			}
			return a.M.Connections - b.M.Connections
		})
		out = append(out, *g)
	}
	return out
}

// A growth compares one read between the smallest and the largest corpus of
// a database.
type growth struct {
	Read, Encoding string
	Connections    int
	Small, Large   row
}

// p99Growth is +Inf when the large archive answered nothing in the run.
func (g growth) p99Growth() float64 {
	if g.Large.M.Requests == 0 {
		return math.Inf(1)
	}
	if g.Small.M.P99us <= 0 {
		return 0
	}
	return g.Large.M.P99us / g.Small.M.P99us
}

func (g growth) rpsChange() float64 {
	if g.Small.M.RPS <= 0 {
		return 0
	}
	return g.Large.M.RPS / g.Small.M.RPS
}

// growths pairs, per database, the rows of its smallest and largest numeric
// corpus sizes; it returns the two sizes too. None when a database has
// fewer than two sizes.
func growths(gs []group, db string) (small, large string, out []growth) {
	var sizes []group
	for _, g := range gs {
		if g.DB == db {
			if _, err := strconv.Atoi(g.Size); err == nil {
				sizes = append(sizes, g)
			}
		}
	}
	if len(sizes) < 2 {
		return "", "", nil
	}
	slices.SortFunc(sizes, func(a, b group) int {
		x, _ := strconv.Atoi(a.Size)
		y, _ := strconv.Atoi(b.Size)
		return x - y
	})
	s, l := sizes[0], sizes[len(sizes)-1]
	for _, a := range s.Rows {
		for _, b := range l.Rows {
			if a.M.Read == b.M.Read && a.M.Encoding == b.M.Encoding && a.M.Connections == b.M.Connections {
				out = append(out, growth{Read: a.M.Read, Encoding: a.M.Encoding, Connections: a.M.Connections, Small: a, Large: b})
			}
		}
	}
	return s.Size, l.Size, out
}

// failures lists the runs with responses outside 2xx/3xx or socket errors,
// and those that got no response at all (every request slower than the run).
func failures(d dataset) []string {
	var out []string
	for _, r := range d.Results {
		if r.Requests == 0 {
			out = append(out, fmt.Sprintf("%s %s %s %s %s c=%d: no response within the run",
				r.Target, r.DB, r.Size, r.Read, r.Encoding, r.Connections))
			continue
		}
		if r.Bad > 0 || r.SocketErrs > 0 {
			out = append(out, fmt.Sprintf("%s %s %s %s %s c=%d: %d responses outside 2xx/3xx, %d socket errors",
				r.Target, r.DB, r.Size, r.Read, r.Encoding, r.Connections, r.Bad, r.SocketErrs))
		}
	}
	return out
}
