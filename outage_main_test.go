package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	osuser "os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pgBin is where Debian puts PostgreSQL 15's server programs.
const pgBin = "/usr/lib/postgresql/15/bin"

// pgCluster is a throwaway PostgreSQL server of one test's own, which the
// test may stop and start: never the shared server the other tests use.
type pgCluster struct {
	dir  string // owned by the server's user: data, socket, log
	port int
	as   []string // "runuser -u postgres --" when the test runs as root
}

// newCluster makes and starts a cluster on a free port of 127.0.0.1, or
// skips the test, saying why, when PostgreSQL 15 is not installed (it
// fails instead on the PostgreSQL run of CI, TEST_DATABASE_URL set, which
// must prove the outage).
func newCluster(t *testing.T) *pgCluster {
	t.Helper()
	if _, err := os.Stat(filepath.Join(pgBin, "pg_ctl")); err != nil {
		if os.Getenv("TEST_DATABASE_URL") != "" {
			t.Fatalf("the PostgreSQL outage test needs PostgreSQL 15's programs in %s: %v", pgBin, err)
		}
		t.Skipf("SKIPPED: no PostgreSQL 15 in %s, so no throwaway server to stop and start (SQLite has no outage of this kind)", pgBin)
	}
	dir, err := os.MkdirTemp("", "masthead-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c := &pgCluster{dir: dir, port: freePort(t)}
	if os.Geteuid() == 0 {
		// initdb refuses root: the server runs as postgres, in a folder
		// it owns.
		u, err := osuser.Lookup("postgres")
		if err != nil {
			t.Skipf("SKIPPED: running as root and there is no postgres user to run the throwaway server: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		c.as = []string{"runuser", "-u", "postgres", "--"}
	}
	c.cmd(t, "initdb", "--no-sync", "-D", c.data(), "-U", "postgres", "--auth=trust")
	c.start(t)
	t.Cleanup(func() { _ = c.run("pg_ctl", "-D", c.data(), "-w", "stop", "-m", "immediate") })
	return c
}

func (c *pgCluster) data() string { return filepath.Join(c.dir, "data") }

// DSN is the URL of the cluster's postgres database.
func (c *pgCluster) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

func (c *pgCluster) run(prog string, args ...string) error {
	argv := append(append(append([]string{}, c.as...), filepath.Join(pgBin, prog)), args...)
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
	}
	return nil
}

func (c *pgCluster) cmd(t *testing.T, prog string, args ...string) {
	t.Helper()
	if err := c.run(prog, args...); err != nil {
		t.Fatal(err)
	}
}

func (c *pgCluster) start(t *testing.T) {
	t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.port, c.dir)
	c.cmd(t, "pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-o", opts, "-w", "start")
}

// stop stops the server the hard way: no goodbye to the clients.
func (c *pgCluster) stop(t *testing.T) {
	t.Helper()
	c.cmd(t, "pg_ctl", "-D", c.data(), "-w", "stop", "-m", "immediate")
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// With its PostgreSQL server stopped, the API says so at once and keeps
// saying so in problem documents (no hang, no 500), and it serves again by
// itself when the server is back, without a restart. SQLite is a file in
// the process: it has no outage of this kind.
func TestPostgresOutage(t *testing.T) {
	t.Parallel()
	pg := newCluster(t)

	seedArticle(t, pg.DSN(), "coupure-de-courant")

	dir := t.TempDir()
	const timeout = 2 * time.Second
	app := serveWith(t, []string{"--data", dir, "--db", pg.DSN(), "--request-timeout", timeout.String(), "--cache-ttl", "0"}, nil)
	defer app.stop(t)
	out, _, err := runCmd(t, nil, "token", "--role", "admin", "--sub", "ops", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	admin := oneToken(t, out)
	base := "http://" + app.addr
	client := &http.Client{Timeout: 4 * timeout}

	tagN := 0
	// answer is what the test reads of a response, its body already read
	// and closed.
	type answer struct {
		StatusCode int
		Header     http.Header
	}
	do := func(name string) (answer, problemDoc, time.Duration) {
		t.Helper()
		var req *http.Request
		switch name {
		case "readyz":
			req, _ = http.NewRequest(http.MethodGet, base+"/readyz", nil)
		case "read":
			req, _ = http.NewRequest(http.MethodGet, base+"/v1/articles/coupure-de-courant", nil)
		case "write":
			tagN++
			body := fmt.Sprintf(`{"name":"Panne %d","kind":"topic"}`, tagN)
			req, _ = http.NewRequest(http.MethodPost, base+"/v1/admin/tags", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+admin)
		}
		began := time.Now()
		res, err := client.Do(req)
		took := time.Since(began)
		if err != nil {
			t.Fatalf("%s: %v after %s (a hang or a dropped connection)\n%s", name, err, took, app.logs.String())
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var p problemDoc
		if res.StatusCode >= 400 {
			if err := json.Unmarshal(b, &p); err != nil || res.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s: status %d is not a problem document: %s", name, res.StatusCode, b)
			}
		}
		return answer{res.StatusCode, res.Header}, p, took
	}
	want := map[string]int{"readyz": http.StatusOK, "read": http.StatusOK, "write": http.StatusCreated}

	for _, name := range []string{"readyz", "read", "write"} {
		if res, _, _ := do(name); res.StatusCode != want[name] {
			t.Fatalf("%s before the outage: status %d", name, res.StatusCode)
		}
	}

	pg.stop(t)
	for _, name := range []string{"readyz", "read", "write", "read", "write"} {
		res, p, took := do(name)
		if res.StatusCode != http.StatusServiceUnavailable || p.Code != "unavailable" {
			t.Errorf("%s during the outage: status %d, code %q (want 503 unavailable)", name, res.StatusCode, p.Code)
		}
		if res.Header.Get("Retry-After") == "" {
			t.Errorf("%s during the outage: no Retry-After", name)
		}
		limit := timeout + time.Second
		if name == "readyz" {
			limit = 2 * time.Second
		}
		if took > limit {
			t.Errorf("%s during the outage took %s, more than %s", name, took, limit)
		}
	}

	pg.start(t)
	// The pool drops its dead connections and makes new ones by itself:
	// no restart. The wait is bounded.
	deadline := time.Now().Add(15 * time.Second)
	for _, name := range []string{"readyz", "read", "write"} {
		for {
			res, p, _ := do(name)
			if res.StatusCode == want[name] {
				break
			}
			if res.StatusCode != http.StatusServiceUnavailable {
				t.Errorf("%s while the server comes back: status %d %q", name, res.StatusCode, p.Code)
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s still fails 15 s after the server came back: %d %q", name, res.StatusCode, p.Code)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if logs := app.logs.String(); strings.Contains(logs, `"panic"`) || strings.Contains(logs, `"status":500`) {
		t.Errorf("a panic or a 500 in the log:\n%s", logs)
	}
}

// problemDoc is what the tests read of a problem document.
type problemDoc struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}
