package main

import (
	"bytes"
	"encoding/xml"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const resultsHead = "db\tsize\tprocs\tread\tencoding\tconnections\ttarget\trps\tp50_us\tp99_us\trequests\tbad\tsocket_errors\tgzip\tbytes\n"
const runsHead = "db\tsize\tprocs\tids\tthread_comments\tstartup_ms\tpeak_rss_kb\tloadavg\tbody_bytes\n"

// fixture writes a run of bench.sh: two sizes on SQLite, two reads, the
// floors, and returns its folder.
func fixture(t *testing.T, bad string) string {
	t.Helper()
	dir := t.TempDir()
	res := resultsHead +
		"sqlite\t1000\t1\tarticle-hot\tgzip\t32\tmasthead\t5000\t2000\t10000\t25000\t0\t0\t25000\t1000\n" +
		"sqlite\t1000\t1\tarticle-cold\tgzip\t32\tmasthead\t1000\t9000\t40000\t5000\t0\t0\t5000\t1000\n" +
		"sqlite\t1000\t1\tlist\tgzip\t32\tmasthead\t4000\t3000\t12000\t20000\t0\t0\t20000\t1000\n" +
		"sqlite\t1000\t1\tarticle\tgzip\t32\tfloor\t10000\t1000\t5000\t50000\t0\t0\t50000\t1000\n" +
		"sqlite\t1000\t1\tlist\tgzip\t32\tfloor\t8000\t1500\t6000\t40000\t0\t0\t40000\t1000\n" +
		"sqlite\t100000\t1\tlist\tgzip\t32\tmasthead\t2000\t6000\t36000\t10000\t" + bad + "\t0\t10000\t1000\n" +
		"sqlite\t100000\t1\tarticle-hot\tgzip\t32\tmasthead\t5000\t2000\t11000\t25000\t0\t0\t25000\t1000\n" +
		"sqlite\t100000\t1\tarticle\tgzip\t32\tfloor\t10000\t1000\t5000\t50000\t0\t0\t50000\t1000\n" +
		"sqlite\t100000\t1\tlist\tgzip\t32\tfloor\t8000\t1500\t6000\t40000\t0\t0\t40000\t1000\n"
	runs := runsHead +
		"sqlite\t1000\t1\t1000\t60\t180\t102400\t1.0 1.0 1.0\tarticle=7000 list=18000\n" +
		"sqlite\t100000\t1\t5005\t60\t240\t204800\t2.0 2.0 2.0\tarticle=7100 list=18100\n"
	if err := os.WriteFile(filepath.Join(dir, "results.tsv"), []byte(res), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "runs.tsv"), []byte(runs), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestGroupsPairEachReadWithItsFloor(t *testing.T) {
	d, err := load(fixture(t, "0"))
	if err != nil {
		t.Fatal(err)
	}
	gs := groups(d)
	if len(gs) != 2 || gs[0].Size != "1000" || gs[1].Size != "100000" {
		t.Fatalf("groups: %+v", gs)
	}
	g := gs[0]
	if g.Run == nil || g.Run.StartupMS != 180 || g.Run.BodyBytes["list"] != 18000 {
		t.Fatalf("run of the first group: %+v", g.Run)
	}
	want := []string{"article-hot", "article-cold", "list"} // the order of the tables
	if len(g.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(g.Rows), len(want))
	}
	for i, w := range want {
		if g.Rows[i].M.Read != w {
			t.Errorf("row %d: %s, want %s", i, g.Rows[i].M.Read, w)
		}
	}
	// Hot and cold articles share the article floor.
	cold := g.Rows[1]
	if cold.Floor == nil || cold.Floor.Read != "article" {
		t.Fatalf("article-cold's floor: %+v", cold.Floor)
	}
	if r, ok := cold.rpsRatio(); !ok || !near(r, 0.1) {
		t.Errorf("rps ratio %v %v, want 0.1", r, ok)
	}
	if r, ok := cold.p50Ratio(); !ok || !near(r, 9) {
		t.Errorf("p50 ratio %v %v, want 9", r, ok)
	}
	if r, ok := cold.p99Ratio(); !ok || !near(r, 8) {
		t.Errorf("p99 ratio %v %v, want 8", r, ok)
	}
	if s := cold.gzipShare(); !near(s, 1) {
		t.Errorf("gzip share %v, want 1", s)
	}
}

func TestGrowthFromTheSmallToTheLargeCorpus(t *testing.T) {
	d, err := load(fixture(t, "0"))
	if err != nil {
		t.Fatal(err)
	}
	small, large, gr := growths(groups(d), "sqlite")
	if small != "1000" || large != "100000" {
		t.Fatalf("sizes %s, %s", small, large)
	}
	if len(gr) != 2 { // article-cold was measured at 1,000 only
		t.Fatalf("%d growths, want 2: %+v", len(gr), gr)
	}
	for _, g := range gr {
		switch g.Read {
		case "list":
			if !near(g.p99Growth(), 3) || !near(g.rpsChange(), 0.5) {
				t.Errorf("list: p99 ×%v, req/s ×%v", g.p99Growth(), g.rpsChange())
			}
		case "article-hot":
			if !near(g.p99Growth(), 1.1) {
				t.Errorf("article-hot: p99 ×%v", g.p99Growth())
			}
		default:
			t.Errorf("unexpected read %s", g.Read)
		}
	}
	if _, _, gr := growths(groups(d), "postgres"); gr != nil {
		t.Errorf("growths on a database without runs: %+v", gr)
	}
}

func TestFailuresAreReported(t *testing.T) {
	d, err := load(fixture(t, "3"))
	if err != nil {
		t.Fatal(err)
	}
	f := failures(d)
	if len(f) != 1 || !strings.Contains(f[0], "list") || !strings.Contains(f[0], "3 responses outside 2xx/3xx") {
		t.Fatalf("failures: %q", f)
	}
	var doc bytes.Buffer
	if err := writeDoc(&doc, d, meta{Command: "make bench", Date: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.String(), "This run failed the check") {
		t.Error("the page does not say the run failed")
	}
}

func TestDocHasTheTablesAndTheChart(t *testing.T) {
	d, err := load(fixture(t, "0"))
	if err != nil {
		t.Fatal(err)
	}
	var doc bytes.Buffer
	m := meta{Command: "make bench BENCH_SIZES=\"1000 100000\"", Date: time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC),
		Machine: "test machine", Wrk: "wrk 4.1.0", Duration: "5", Warmup: "1", Threads: "2", Chart: "performance.svg"}
	if err := writeDoc(&doc, d, m); err != nil {
		t.Fatal(err)
	}
	s := doc.String()
	for _, want := range []string{
		"- Command: `make bench BENCH_SIZES=\"1000 100000\"`",
		"- Date: 2026-12-02 17:00 UTC",
		"| SQLite | 100,000 | 1 | 240 ms | 200 MB | 60 | 2.0 2.0 2.0 |",
		"![Requests per second",
		"(performance.svg)",
		"### SQLite: from 1,000 to 100,000 articles",
		"| list of 20 | gzip | 32 | 4000 | 2000 | 12.0 | 36.0 | 3.00× |",
		"| anonymous article, cold | gzip | 32 | 1000 | 0.10× | 9.00 | 9.00× | 40.0 | 8.00× | 100% |",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(s, "failed the check") {
		t.Error("a clean run is said to have failed")
	}
}

func TestChartIsAnSVGWithTheReads(t *testing.T) {
	d, err := load(fixture(t, "0"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeChart(&buf, d); err != nil {
		t.Fatal(err)
	}
	// Well-formed XML, an svg root, and the labels of the reads drawn.
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	var root string
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v", err)
			}
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = e.Name.Local
			}
		case xml.CharData:
			text.Write(e)
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	for _, want := range []string{"anonymous article, hot", "list of 20", "p99 growth", "SQLite 100,000"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the chart lacks the text %q", want)
		}
	}
}

func TestLoadRejectsBadFiles(t *testing.T) {
	dir := fixture(t, "0")
	if err := os.WriteFile(filepath.Join(dir, "results.tsv"), []byte(resultsHead+"sqlite\t1000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load(dir); err == nil {
		t.Error("a short line was accepted")
	}
	bad := resultsHead + "sqlite\t1000\t1\tlist\tgzip\t32\tmasthead\tfast\t1\t1\t1\t0\t0\t0\t0\n"
	if err := os.WriteFile(filepath.Join(dir, "results.tsv"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := load(dir); err == nil || !strings.Contains(err.Error(), "rps") {
		t.Errorf("a non-number was accepted: %v", err)
	}
	if _, err := load(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing folder was accepted")
	}
}

func TestLoadMergesFolders(t *testing.T) {
	a, b := fixture(t, "0"), fixture(t, "0")
	d, err := load(a + "," + b)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Results) != 18 || len(d.Runs) != 4 {
		t.Fatalf("%d results, %d runs; want 18 and 4", len(d.Results), len(d.Runs))
	}
}

func TestChecksAgainstTheTargets(t *testing.T) {
	d, err := load(fixture(t, "0"))
	if err != nil {
		t.Fatal(err)
	}
	cs := checks(groups(d))
	find := func(what string) check {
		t.Helper()
		for _, c := range cs {
			if c.What == what {
				return c
			}
		}
		t.Fatalf("no check %q in %+v", what, cs)
		return check{}
	}
	// The fixture's runs are gzip at 32 connections: the identity ratio
	// targets have nothing to compare, the gzip one has.
	if c := find("SQLite 1,000: anonymous article, hot, gzip, req/s × floor"); c.Met || c.Measured != "0.50×" {
		t.Errorf("gzip article: %+v", c)
	}
	if c := find("SQLite 100,000: peak RSS"); !c.Met || c.Measured != "200 MB" {
		t.Errorf("RSS: %+v", c)
	}
	if c := find("SQLite 1,000: start-up"); !c.Met || c.Measured != "180 ms" {
		t.Errorf("start-up: %+v", c)
	}
	for _, c := range cs {
		if c.What == "SQLite: list of 20, p99 from 1,000 to 100,000 articles" {
			t.Errorf("a growth check on gzip runs: %+v", c)
		}
	}
}

func TestGrowthCheckOnIdentityAt32(t *testing.T) {
	mk := func(size string, p99 float64) result {
		return result{DB: "postgres", Size: size, Procs: 2, Read: "search", Encoding: "identity", Connections: 32,
			Target: "masthead", RPS: 100, P50us: 10, P99us: p99, Requests: 100}
	}
	d := dataset{Results: []result{mk("1000", 1000), mk("100000", 2500)}}
	var found bool
	for _, c := range checks(groups(d)) {
		if c.What == "PostgreSQL: search, p99 from 1,000 to 100,000 articles" {
			found = true
			if c.Met || c.Measured != "2.50×" {
				t.Errorf("search growth: %+v", c)
			}
		}
	}
	if !found {
		t.Error("no growth check for search")
	}
}

func TestNoAnswerIsAFailureAndNoGrowthTarget(t *testing.T) {
	mk := func(size string, requests int64, p99 float64) result {
		return result{DB: "sqlite", Size: size, Procs: 1, Read: "list-lang", Encoding: "identity", Connections: 32,
			Target: "masthead", RPS: float64(requests) / 5, P50us: p99 / 2, P99us: p99, Requests: requests}
	}
	d := dataset{Results: []result{mk("1000", 5000, 10000), mk("100000", 0, 0)}}
	if f := failures(d); len(f) != 1 || !strings.Contains(f[0], "no response within the run") {
		t.Fatalf("failures: %q", f)
	}
	var found bool
	for _, c := range checks(groups(d)) {
		if strings.HasPrefix(c.What, "SQLite: list by language, p99") {
			found = true
			if c.Met || c.Measured != "no answer" {
				t.Errorf("growth with no answer: %+v", c)
			}
		}
	}
	if !found {
		t.Error("no growth check for the list by language")
	}
}
