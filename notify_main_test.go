package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Two processes on one PostgreSQL database, with a cache TTL far longer
// than the test: a write through A reaches B's readers within a second,
// because A announces it and B, listening, drops what it cached. B also
// serves /metrics on its own listener, which says it is listening and
// counts the hit before the write.
func TestTwoProcessesInvalidateEachOther(t *testing.T) {
	t.Parallel()
	dir, dbArgs, dsn := testData(t)
	if len(dbArgs) == 0 {
		t.Skip("SQLite: one process per database; set TEST_DATABASE_URL")
	}
	seedArticle(t, dsn, "coupure-de-courant")
	out, _, err := runCmd(t, nil, "token", "--role", "editor", "--sub", "desk", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	editor := oneToken(t, out)

	common := append([]string{"--data", dir, "--cache-ttl", "10m", "--log-level", "debug"}, dbArgs...)
	a := startChild(t, common...)
	metricsAddr := freeAddr(t)
	b := startChild(t, append(common, "--metrics-addr", metricsAddr)...)
	waitLog(t, a, "cache notifications: listening")
	waitLog(t, b, "cache notifications: listening")

	read := func(c *childServe) (title, etag string) {
		t.Helper()
		res, err := http.Get("http://" + c.addr + "/v1/articles/coupure-de-courant")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var art struct{ ID, Title string }
		if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&art) != nil {
			t.Fatalf("read through %s: %d", c.addr, res.StatusCode)
		}
		return art.Title + "|" + art.ID, res.Header.Get("ETag")
	}
	before, etag1 := read(b)
	if again, _ := read(b); again != before {
		t.Fatalf("two reads differ: %q %q", before, again)
	}
	if v := scrapeValue(t, metricsAddr, `masthead_cache_lookups_total{kind="article",result="hit"}`); v != "1" {
		t.Errorf("cache hits before the write: %s, want 1", v)
	}
	if v := scrapeValue(t, metricsAddr, "masthead_cache_notifications_listening"); v != "1" {
		t.Errorf("listening gauge %s", v)
	}
	id := before[strings.Index(before, "|")+1:]

	// The write, through A, as the newsroom does it.
	req, _ := http.NewRequest(http.MethodGet, "http://"+a.addr+"/v1/admin/articles/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+editor)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("admin read: %v %v", res, err)
	}
	res.Body.Close()
	req, _ = http.NewRequest(http.MethodPatch, "http://"+a.addr+"/v1/admin/articles/"+id,
		strings.NewReader(`{"title":"Le courant est revenu"}`))
	req.Header.Set("Authorization", "Bearer "+editor)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("If-Match", res.Header.Get("ETag"))
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("PATCH through A: %d %s", res.StatusCode, body)
	}
	written := time.Now()

	deadline := written.Add(time.Second)
	for {
		title, etag := read(b)
		if strings.HasPrefix(title, "Le courant est revenu|") {
			if etag == etag1 {
				t.Errorf("new title under the old ETag %s", etag)
			}
			t.Logf("B served the write %s after A answered", time.Since(written))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("B still serves %q a second after the write through A", title)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitLog waits for a line of c's log containing msg.
func waitLog(t *testing.T, c *childServe, msg string) {
	t.Helper()
	hang := time.NewTimer(hangAfter)
	defer hang.Stop()
	for !strings.Contains(c.logs.String(), msg) {
		select {
		case <-c.logs.wrote:
		case <-hang.C:
			t.Fatalf("no %q in the log:\n%s", msg, c.logs.String())
		}
	}
}

// freeAddr is a loopback address nothing listens on (for a child's
// listener: the port is free again when this returns).
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// scrapeValue reads addr's /metrics and returns the value of the series
// written exactly as series ("" when absent).
func scrapeValue(t *testing.T, addr, series string) string {
	t.Helper()
	res, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", res.StatusCode)
	}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			return v
		}
	}
	return ""
}
