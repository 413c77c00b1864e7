package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/access"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
	"masthead/migrations"
)

// TestMain drops the test databases this binary made on PostgreSQL. With
// childEnv set, the binary is `masthead` itself, for tests that need a
// process of its own (a real SIGTERM): it runs main with its arguments.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		main()
		os.Exit(0)
	}
	storetest.Main(m)
}

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// runCmd runs the binary's entry point in process.
func runCmd(t *testing.T, getenv map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), hangAfter)
	defer cancel()
	err := run(ctx, args, env(getenv), strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// verify checks raw against the key now in dir, with the default issuer and
// audience.
func verify(t *testing.T, dir, raw string) access.Principal {
	t.Helper()
	key, err := access.LoadKey(filepath.Join(dir, access.KeyFileName))
	if err != nil {
		t.Fatalf("no key in %s: %v", dir, err)
	}
	p, err := access.NewTokens(key, access.TokenOptions{Issuer: "masthead", Audience: "masthead"}).Verify(raw)
	if err != nil {
		t.Fatalf("token does not verify with the key in %s: %v", dir, err)
	}
	return p
}

var jwtShape = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`)

func oneToken(t *testing.T, out string) string {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 1 || !jwtShape.MatchString(lines[0]) {
		t.Fatalf("want one JWT on stdout, got %q", out)
	}
	return lines[0]
}

func TestTokenCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, _, err := runCmd(t, nil, "token", "--role", "subscriber", "--sub", "u1", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	p := verify(t, dir, oneToken(t, out))
	if p.Role != access.RoleSubscriber || p.Subject != "u1" || len(p.Scopes) != 0 {
		t.Errorf("principal = %+v", p)
	}
	// A second token uses the same key.
	out, _, err = runCmd(t, nil, "token", "--role", "partner", "--sub", "p1", "--scope", "headlines full_text", "--ttl", "5m", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	p = verify(t, dir, oneToken(t, out))
	if p.Role != access.RolePartner || !slices.Equal(p.Scopes, []string{"headlines", "full_text"}) {
		t.Errorf("partner principal = %+v", p)
	}
	// At the default cap of staff tokens exactly: a day.
	out, _, err = runCmd(t, nil, "token", "--role", "editor", "--sub", "e1", "--ttl", "24h", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	if p = verify(t, dir, oneToken(t, out)); p.Role != access.RoleEditor {
		t.Errorf("editor principal = %+v", p)
	}
	if info, err := os.Stat(filepath.Join(dir, access.KeyFileName)); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v", info, err)
	}
}

func TestTokenCommandRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := map[string][]string{
		"missing role":          {"token", "--sub", "u1", "--data", dir},
		"missing sub":           {"token", "--role", "reader", "--data", dir},
		"unknown role":          {"token", "--role", "overlord", "--sub", "u1", "--data", dir},
		"zero ttl":              {"token", "--role", "reader", "--sub", "u1", "--ttl", "0s", "--data", dir},
		"bad ttl":               {"token", "--role", "reader", "--sub", "u1", "--ttl", "soon", "--data", dir},
		"unknown flag":          {"token", "--role", "reader", "--sub", "u1", "--colour", "red", "--data", dir},
		"above the cap":         {"token", "--role", "editor", "--sub", "u1", "--ttl", "100000h", "--data", dir},
		"partner above the cap": {"token", "--role", "partner", "--sub", "p1", "--ttl", "8761h", "--data", dir},
		"above a lowered cap":   {"token", "--role", "reader", "--sub", "u1", "--ttl", "2h", "--jwt-max-ttl", "1h", "--data", dir},
	}
	for name, args := range cases {
		out, _, err := runCmd(t, nil, args...)
		if err == nil {
			t.Errorf("%s: no error", name)
		}
		if strings.HasSuffix(name, "cap") && (err == nil || !strings.Contains(err.Error(), "live at most") || !strings.Contains(err.Error(), "--jwt-max-ttl")) {
			t.Errorf("%s: error %v does not say the cap and its setting", name, err)
		}
		if out != "" {
			t.Errorf("%s: printed %q", name, out)
		}
	}
}

func TestTokenCommandDataFromEnv(t *testing.T) {
	t.Parallel()
	envDir, flagDir := t.TempDir(), t.TempDir()
	e := map[string]string{"MASTHEAD_DATA": envDir}

	out, _, err := runCmd(t, e, "token", "--role", "reader", "--sub", "u1")
	if err != nil {
		t.Fatal(err)
	}
	verify(t, envDir, oneToken(t, out))

	out, _, err = runCmd(t, e, "token", "--role", "reader", "--sub", "u2", "--data", flagDir)
	if err != nil {
		t.Fatal(err)
	}
	raw := oneToken(t, out)
	verify(t, flagDir, raw)
	// Signed with the flag folder's key, not the environment's.
	envKey, _ := access.LoadKey(filepath.Join(envDir, access.KeyFileName))
	if _, err := access.NewTokens(envKey, access.TokenOptions{Issuer: "masthead", Audience: "masthead"}).Verify(raw); err == nil {
		t.Error("the token verifies with the environment folder's key: --data did not win")
	}

	// Issuer and audience from the environment are honoured too.
	e2 := map[string]string{"MASTHEAD_DATA": envDir, "MASTHEAD_JWT_ISSUER": "iss-x", "MASTHEAD_JWT_AUDIENCE": "aud-x"}
	out, _, err = runCmd(t, e2, "token", "--role", "reader", "--sub", "u3")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := access.NewTokens(envKey, access.TokenOptions{Issuer: "iss-x", Audience: "aud-x"}).Verify(oneToken(t, out)); err != nil {
		t.Errorf("issuer/audience from the environment: %v", err)
	}
}

// testDB returns the --db flag for a fresh, unmigrated database: nothing
// (SQLite in the data folder) or, with TEST_DATABASE_URL, an empty
// database of its own.
func testDB(t *testing.T) []string {
	t.Helper()
	if dsn := storetest.PostgresDSN(t); dsn != "" {
		return []string{"--db", dsn}
	}
	return nil
}

// testData is a test's data folder and database: the flags that name the
// database to the commands (testDB) and its DSN, to open it directly.
func testData(t *testing.T) (dir string, dbArgs []string, dsn string) {
	t.Helper()
	dir, dbArgs = t.TempDir(), testDB(t)
	return dir, dbArgs, dsnOf(dir, dbArgs)
}

// dsnOf is the DSN of the database the flags dbArgs name for the data
// folder dir: PostgreSQL's URL, or the folder's SQLite file.
func dsnOf(dir string, dbArgs []string) string {
	if len(dbArgs) == 2 {
		return dbArgs[1]
	}
	return filepath.Join(dir, "masthead.db")
}

// openTestDB opens dsn and applies the migrations; the caller closes it.
func openTestDB(t *testing.T, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{ReadConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		t.Fatal(err)
	}
	return db
}

func TestMigrateCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := testDB(t)
	args := func(a ...string) []string { return append(append(a, "--data", dir), db...) }

	out, _, err := runCmd(t, nil, args("migrate", "status")...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "pending") || strings.Contains(out, "applied") {
		t.Errorf("status before migrating:\n%s", out)
	}

	out, _, err = runCmd(t, nil, args("migrate")...)
	if err != nil {
		t.Fatal(err)
	}
	files, err := fs.ReadDir(migrations.FS, "sqlite")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, fmt.Sprintf(": %d migration(s) applied", len(files))) {
		t.Errorf("migrate said %q", out)
	}

	out, _, err = runCmd(t, nil, args("migrate", "status")...)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^00001\s+applied\s+\S*00001_content\.sql$`).MatchString(out) {
		t.Errorf("status after migrating:\n%s", out)
	}
	if strings.Contains(out, "pending") {
		t.Errorf("still pending:\n%s", out)
	}

	// Flags first, action last, works as well.
	out, _, err = runCmd(t, nil, append(append([]string{"migrate", "--data", dir}, db...), "status")...)
	if err != nil || !strings.Contains(out, "applied") {
		t.Errorf("migrate --data d status: %q %v", out, err)
	}

	out, _, err = runCmd(t, nil, args("migrate", "up")...)
	if err != nil || !strings.Contains(out, "0 migration(s) applied") {
		t.Errorf("second migrate: %q %v", out, err)
	}
	if db == nil {
		if _, err := os.Stat(filepath.Join(dir, "masthead.db")); err != nil {
			t.Errorf("no SQLite file in the data folder: %v", err)
		}
	}

	for _, bad := range [][]string{{"migrate", "down"}, {"migrate", "up", "status"}, {"migrate", "--nope"}} {
		if _, _, err := runCmd(t, nil, args(bad...)...); err == nil {
			t.Errorf("%v: no error", bad)
		}
	}
}

func TestServeFailsFast(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"addr without port":   {"--addr", "localhost"},
		"port out of range":   {"--addr", "127.0.0.1:99999"},
		"bad preview words":   {"--preview-words", "3"},
		"bad log format":      {"--log-format", "yaml"},
		"bad cors origin":     {"--cors-origins", "not-an-origin"},
		"jwks without issuer": {"--jwks-url", "https://id.example/jwks.json", "--jwks-audience", "masthead"},
		"jwks with alg none":  {"--jwks-url", "https://id.example/jwks.json", "--jwks-issuer", "https://id.example", "--jwks-audience", "m", "--jwks-algorithms", "none"},
		"unknown flag":        {"--verbose"},
		"bad webhook allow":   {"--webhook-allow", "10.0.0.0/33,not a host"},
		"debug addr public":   {"--debug-addr", "0.0.0.0:6060"},
		"bad demo env value":  nil, // set through the environment below
	}
	for name, extra := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			e := map[string]string{}
			if extra == nil {
				e["MASTHEAD_DEMO"] = "perhaps"
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			var out bytes.Buffer
			errOut := newSyncBuffer()
			go func() {
				done <- run(ctx, append([]string{"serve", "--data", dir}, extra...), env(e), strings.NewReader(""), &out, errOut)
			}()
			// Failing fast is failing before serving: serve must return
			// an error, never having logged that it is ready.
			hang := time.NewTimer(hangAfter)
			defer hang.Stop()
			for {
				select {
				case err := <-done:
					if err == nil {
						t.Error("serve returned without an error")
					}
					return
				case <-errOut.wrote:
					if strings.Contains(errOut.String(), `"msg":"ready"`) {
						cancel()
						<-done
						t.Fatalf("serve started instead of failing:\n%s", errOut.String())
					}
				case <-hang.C:
					cancel()
					<-done
					t.Fatalf("serve neither failed nor started:\n%s", errOut.String())
				}
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for a server goroutine and a test,
// which tells wrote after each write (one notice pending at most).
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{wrote: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	n, err := s.b.Write(p)
	s.mu.Unlock()
	select {
	case s.wrote <- struct{}{}:
	default:
	}
	return n, err
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// servedApp is a `masthead serve` running in process for a test.
type servedApp struct {
	addr   string
	out    *syncBuffer
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

// hangAfter bounds the waits on `serve` (to start, to stop): far longer
// than either takes, even loading the demo content under the race
// detector on a busy machine; it only keeps a hang from stalling the run
// until go test's own timeout.
const hangAfter = 10 * time.Minute

// startServe runs `serve` on 127.0.0.1:0 with the data folder dir and waits
// for its "ready" log line.
func startServe(t *testing.T, dir string, getenv map[string]string) *servedApp {
	t.Helper()
	return startServeDB(t, dir, getenv, testDB(t))
}

// startServeDB is startServe on the database db names (nil: SQLite in dir).
func startServeDB(t *testing.T, dir string, getenv map[string]string, db []string) *servedApp {
	t.Helper()
	return serveWith(t, append([]string{"--data", dir}, db...), getenv)
}

// serveWith runs `serve` on 127.0.0.1:0 with the flags args and waits for
// its "ready" log line.
func serveWith(t *testing.T, args []string, getenv map[string]string) *servedApp {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a := &servedApp{out: newSyncBuffer(), logs: newSyncBuffer(), cancel: cancel, done: make(chan error, 1)}
	go func() {
		a.done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), env(getenv), strings.NewReader(""), a.out, a.logs)
	}()
	hang := time.NewTimer(hangAfter)
	defer hang.Stop()
	for {
		for _, line := range strings.Split(a.logs.String(), "\n") {
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "ready" {
				a.addr = rec.Addr
				return a
			}
		}
		select {
		case err := <-a.done:
			t.Fatalf("serve returned early: %v\n%s", err, a.logs.String())
		case <-a.logs.wrote: // a new log line: look again
		case <-hang.C:
			cancel()
			<-a.done
			t.Fatalf("serve not ready:\n%s", a.logs.String())
		}
	}
}

// stop cancels serve and fails the test unless it returns cleanly.
func (a *servedApp) stop(t *testing.T) {
	t.Helper()
	a.cancel()
	select {
	case err := <-a.done:
		if err != nil {
			t.Errorf("serve after cancel: %v", err)
		}
	case <-time.After(hangAfter):
		t.Fatal("serve did not stop after its context was cancelled")
	}
}

func TestServeStartsAndStops(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	app := startServe(t, dir, nil)
	addr := app.addr
	res, err := http.Get("http://" + addr + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []access.JWK }
	derr := json.NewDecoder(res.Body).Decode(&set)
	res.Body.Close()
	if derr != nil {
		t.Fatalf("decode the key set: %v", derr)
	}
	if res.StatusCode != http.StatusOK || len(set.Keys) != 1 {
		t.Errorf("jwks: status %d, %d keys", res.StatusCode, len(set.Keys))
	}
	// The key it serves is the one it made in the data folder.
	key, err := access.LoadKey(filepath.Join(dir, access.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) == 1 && set.Keys[0].Kid != access.KeyID(key.Public().(ed25519.PublicKey)) {
		t.Errorf("served kid %s is not the data folder's key", set.Keys[0].Kid)
	}

	// The container health check probes the same server.
	if hout, _, err := runCmd(t, nil, "health", "--addr", addr); err != nil || strings.TrimSpace(hout) != "ok" {
		t.Errorf("health: %q, %v", hout, err)
	}

	app.stop(t)
	// Once it has stopped, the health check fails.
	if _, _, err := runCmd(t, nil, "health", "--addr", addr); err == nil {
		t.Error("health succeeded against a stopped server")
	}
}

// The tokens `serve --demo` prints work as they say: the subscriber reads a
// subscribers-only story whole, the headlines partner follows the change
// log, and the feed it suggests answers.
func TestServeDemoPrintsWorkingTokens(t *testing.T) {
	t.Parallel()
	app := startServe(t, t.TempDir(), map[string]string{"MASTHEAD_DEMO": "true"})
	defer app.stop(t)
	tokenAfter := func(label string) string {
		t.Helper()
		_, rest, ok := strings.Cut(app.out.String(), label+" token:\n")
		tok, _, _ := strings.Cut(rest, "\n")
		if !ok || strings.Count(tok, ".") != 2 {
			t.Fatalf("no %s token in:\n%s", label, app.out.String())
		}
		return tok
	}
	get := func(path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+app.addr+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/v1/articles/lanne-ete-puits-a-sec", tokenAfter("subscriber")); code != http.StatusOK || !strings.Contains(body, `"granted":true`) {
		t.Errorf("subscriber: %d %.200s", code, body)
	}
	partner := tokenAfter("partner (headlines)")
	code, body := get("/v1/changes?limit=5", partner)
	if code != http.StatusOK || !strings.Contains(body, `"kind":"published"`) || strings.Contains(body, `"body"`) {
		t.Errorf("partner changes: %d %.300s", code, body)
	}
	if code, body := get("/v1/feeds/latest.rss", ""); code != http.StatusOK || !strings.Contains(body, "<rss") {
		t.Errorf("feed: %d %.200s", code, body)
	}
	// The search the help suggests finds the demo's articles on the Lanne.
	code, body = get("/v1/search?q=lanne", "")
	var found struct {
		Data []struct {
			Snippet string `json:"snippet"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &found); code != http.StatusOK || err != nil || len(found.Data) == 0 ||
		!strings.Contains(found.Data[0].Snippet, "<mark>Lanne</mark>") {
		t.Errorf("search: %d %v %.300s", code, err, body)
	}
	for _, hint := range []string{"/v1/search?q=lanne", "/v1/feeds/latest.rss", "/v1/changes?limit=5", partner} {
		if !strings.Contains(app.out.String(), hint) {
			t.Errorf("the demo help does not mention %s", hint)
		}
	}
}

func TestRunCommands(t *testing.T) {
	t.Parallel()
	if _, errOut, err := runCmd(t, nil, "frobnicate"); err == nil || !strings.Contains(err.Error(), "frobnicate") || !strings.Contains(errOut, "usage") {
		t.Errorf("unknown command: err %v, stderr %q", err, errOut)
	}
	if _, _, err := runCmd(t, nil); err == nil {
		t.Error("no command: no error")
	}
	for _, h := range []string{"help", "-h", "--help"} {
		out, _, err := runCmd(t, nil, h)
		if err != nil || !strings.Contains(out, "usage: masthead") {
			t.Errorf("%s: %q %v", h, out, err)
		}
	}
}

func TestTokenCommandFromEnv(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, _, err := runCmd(t, map[string]string{
		"MASTHEAD_DATA": dir, "MASTHEAD_TOKEN_ROLE": "partner", "MASTHEAD_TOKEN_SUB": "p1",
		"MASTHEAD_TOKEN_SCOPE": "headlines", "MASTHEAD_TOKEN_TTL": "5m",
	}, "token", "--sub", "p2")
	if err != nil {
		t.Fatal(err)
	}
	p := verify(t, dir, strings.TrimSpace(out))
	if p.Role != access.RolePartner || p.Subject != "p2" || !p.HasScope("headlines") {
		t.Errorf("principal %+v: want partner p2 (the flag wins over MASTHEAD_TOKEN_SUB) with headlines", p)
	}
	if _, _, err := runCmd(t, map[string]string{"MASTHEAD_DATA": dir, "MASTHEAD_TOKEN_TTL": "soon"}, "token", "--role", "reader", "--sub", "x"); err == nil {
		t.Error("a bad MASTHEAD_TOKEN_TTL was accepted")
	}
}

func TestServeWithUnreachableJWKS(t *testing.T) {
	t.Parallel()
	// An external issuer whose key set cannot be fetched: serve starts
	// anyway (bounded), warns, and our own tokens work.
	dir := t.TempDir()
	e := map[string]string{
		"MASTHEAD_JWKS_URL":      "http://127.0.0.1:1/jwks.json",
		"MASTHEAD_JWKS_ISSUER":   "https://id.example",
		"MASTHEAD_JWKS_AUDIENCE": "masthead",
	}
	// Ready at all means start-up was bounded: the key set never comes.
	app := startServe(t, dir, e)
	addr, errOut := app.addr, app.logs
	if !strings.Contains(errOut.String(), "key set not loaded") {
		t.Errorf("no warning about the key set:\n%s", errOut.String())
	}
	key, err := access.LoadKey(filepath.Join(dir, access.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := access.NewTokens(key, access.TokenOptions{Issuer: "masthead", Audience: "masthead"}).
		Mint(access.MintRequest{Subject: "u1", Role: access.RoleReader, TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		token string
		want  int
	}{{tok, http.StatusOK}, {"not-a-token", http.StatusUnauthorized}} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/sections", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != c.want {
			t.Errorf("token %.10s…: status %d, want %d", c.token, res.StatusCode, c.want)
		}
	}
	app.stop(t)
}
