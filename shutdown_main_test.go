package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"masthead/internal/blocks"
	"masthead/internal/content"
)

// childEnv makes the test binary run main() instead of the tests (see
// TestMain): a real process that a test can send a real SIGTERM.
const childEnv = "MASTHEAD_TEST_CHILD"

// seedArticle migrates the database dsn and stores a published article
// called slug.
func seedArticle(t *testing.T, dsn, slug string) {
	t.Helper()
	ctx := context.Background()
	db := openTestDB(t, dsn)
	defer db.Close()
	words := strings.Repeat("Le courant revient dans la vallée. ", 200)
	_, err := content.NewService(db, content.Options{}).CreateArticle(ctx, content.ArticleInput{
		Lang: "fr", Slug: slug, Title: "Coupure de courant", Access: content.AccessPublic,
		Status: content.StatusPublished, CommentsEnabled: true,
		Body: []blocks.Block{{Type: "paragraph", Text: words}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// childServe is `masthead serve` in a process of its own.
type childServe struct {
	cmd  *exec.Cmd
	addr string
	logs *syncBuffer
	exit chan error
}

// startChild runs `serve` with args on 127.0.0.1:0 in a child process and
// waits for its "ready" line.
func startChild(t *testing.T, args ...string) *childServe {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &childServe{cmd: cmd, logs: newSyncBuffer(), exit: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("server log:\n%s", c.logs.String())
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(c.logs, line)
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "ready" {
				ready <- rec.Addr
			}
		}
		c.exit <- cmd.Wait()
	}()
	select {
	case c.addr = <-ready:
		return c
	case err := <-c.exit:
		t.Fatalf("serve exited before it was ready: %v\n%s", err, c.logs.String())
	case <-time.After(hangAfter):
		t.Fatalf("serve not ready:\n%s", c.logs.String())
	}
	return nil
}

// SIGTERM while serving under load: every request that reached the server
// gets its whole answer (none reset, none cut short, no 5xx), slow ones
// in flight included; afterwards new connections are refused, and the
// process exits 0 within its shutdown timeout.
func TestServeDrainsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir, dbArgs, dsn := testData(t)
	seedArticle(t, dsn, "coupure-de-courant")
	out, _, err := runCmd(t, nil, "token", "--role", "admin", "--sub", "ops", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	admin := oneToken(t, out)

	const shutdownTimeout = 20 * time.Second
	srv := startChild(t, append([]string{"--data", dir, "--shutdown-timeout", shutdownTimeout.String(), "--cache-ttl", "0"}, dbArgs...)...)
	base := "http://" + srv.addr

	var (
		sent, answered, refused atomic.Int64
		mu                      sync.Mutex
		failures                []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	// refusedAtConnect is a request that never reached the server: the
	// listener is closed, which is what a drained server should do.
	refusedAtConnect := func(err error) bool {
		var op *net.OpError
		return errors.As(err, &op) && op.Op == "dial" && errors.Is(err, syscall.ECONNREFUSED)
	}
	// resetUnaccepted is a request on a connection made after the signal
	// that the kernel reset before any answer: closing a listener resets
	// the connections still waiting in its accept queue, which the server
	// never took. Such a request never reached the server, as if refused;
	// one on a connection made before the signal is a failure.
	var signalledAt atomic.Int64
	resetUnaccepted := func(err error, fresh bool, connected time.Time) bool {
		at := signalledAt.Load()
		return fresh && at != 0 && !connected.Before(time.Unix(0, at)) &&
			(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF))
	}
	transport := &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	paths := []string{"/v1/articles?limit=20", "/v1/articles/coupure-de-courant", "/v1/sections", "/v1/feeds/latest.rss", "/healthz"}

	// Readers loop until the server refuses them.
	var wg sync.WaitGroup
	const readers = 24
	for i := range readers {
		wg.Go(func() {
			for n := i; ; n++ {
				path := paths[n%len(paths)]
				sent.Add(1)
				// A dial the transport abandons may report after Do
				// returns: the trace's facts are guarded.
				var (
					traceMu   sync.Mutex
					fresh     bool
					connected time.Time
				)
				req, _ := http.NewRequest(http.MethodGet, base+path, nil)
				req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
					ConnectDone: func(string, string, error) { traceMu.Lock(); connected = time.Now(); traceMu.Unlock() },
					GotConn:     func(i httptrace.GotConnInfo) { traceMu.Lock(); fresh = !i.Reused; traceMu.Unlock() },
				}))
				res, err := client.Do(req)
				if err != nil {
					traceMu.Lock()
					unaccepted := resetUnaccepted(err, fresh, connected)
					traceMu.Unlock()
					if refusedAtConnect(err) || unaccepted {
						sent.Add(-1)
						refused.Add(1)
						return
					}
					fail("GET %s: %v", path, err)
					return
				}
				b, err := io.ReadAll(res.Body)
				res.Body.Close()
				switch {
				case err != nil:
					fail("GET %s: body cut short after %d bytes: %v", path, len(b), err)
				case res.StatusCode >= 500:
					fail("GET %s: status %d: %s", path, res.StatusCode, b)
				case res.ContentLength >= 0 && int64(len(b)) != res.ContentLength:
					fail("GET %s: %d bytes of %d", path, len(b), res.ContentLength)
				default:
					answered.Add(1)
				}
			}
		})
	}

	// Slow writes: a body trickled over a second, begun before the
	// signal, each on a connection of its own.
	const slow = 4
	slowStarted := make(chan struct{}, slow)
	var slowOK atomic.Int64
	for i := range slow {
		wg.Go(func() {
			pr, pw := io.Pipe()
			go func() {
				body := fmt.Sprintf(`{"name":"Drain %d","kind":"topic"}`, i)
				for j, piece := range strings.SplitAfter(body, ",") {
					if _, err := pw.Write([]byte(piece)); err != nil {
						pw.CloseWithError(err)
						return
					}
					if j == 0 {
						slowStarted <- struct{}{}
					}
					time.Sleep(time.Second)
				}
				pw.Close()
			}()
			req, _ := http.NewRequest(http.MethodPost, base+"/v1/admin/tags", pr)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+admin)
			res, err := (&http.Client{Transport: &http.Transport{}, Timeout: time.Minute}).Do(req)
			if err != nil {
				fail("slow POST %d: %v", i, err)
				return
			}
			b, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusCreated {
				fail("slow POST %d: status %d, %v: %s", i, res.StatusCode, err, b)
				return
			}
			slowOK.Add(1)
		})
	}

	// Let the load run, then signal while the slow writes are in flight.
	for range slow {
		<-slowStarted
	}
	for answered.Load() < 200 {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // every slow body is being read
	signalled := time.Now()
	signalledAt.Store(signalled.UnixNano())
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var exitErr error
	select {
	case exitErr = <-srv.exit:
	case <-time.After(shutdownTimeout + 10*time.Second):
		t.Fatalf("serve still runs %s after SIGTERM", time.Since(signalled))
	}
	took := time.Since(signalled)
	wg.Wait()

	if exitErr != nil {
		t.Errorf("serve exited with %v after SIGTERM, want 0", exitErr)
	}
	if took > shutdownTimeout {
		t.Errorf("serve took %s to exit, more than its shutdown timeout %s", took, shutdownTimeout)
	}
	for _, f := range failures {
		t.Error(f)
	}
	if slowOK.Load() != slow {
		t.Errorf("%d of %d slow writes in flight at the signal were answered", slowOK.Load(), slow)
	}
	if sent.Load() != answered.Load() {
		t.Errorf("%d requests sent, %d answered whole", sent.Load(), answered.Load())
	}
	if refused.Load() != readers {
		t.Errorf("%d of %d readers ended refused at connect", refused.Load(), readers)
	}
	// The listener is closed: a new connection is refused at once.
	if c, err := net.DialTimeout("tcp", srv.addr, time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted after the shutdown")
	} else if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("a new connection after the shutdown: %v, want refused", err)
	}
	t.Logf("%d requests answered whole, %d slow writes in flight answered; exit %s after SIGTERM", answered.Load(), slowOK.Load(), took)
}
