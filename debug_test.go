package main

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// With --debug-addr, serve answers the goroutine profile and expvar on that
// listener, which the load test reads; the API's port does not, and the
// listener closes with serve.
func TestServeDebugAddr(t *testing.T) {
	t.Parallel()
	app := startServe(t, t.TempDir(), map[string]string{"MASTHEAD_DEBUG_ADDR": "127.0.0.1:0"})
	var debugAddr string
	for _, line := range strings.Split(app.logs.String(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "debug server ready" {
			debugAddr = rec.Addr
		}
	}
	if debugAddr == "" || debugAddr == app.addr {
		t.Fatalf("no debug server address (api at %s):\n%s", app.addr, app.logs.String())
	}
	get := func(url string) (int, string) {
		t.Helper()
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, string(b)
	}

	status, body := get("http://" + debugAddr + "/debug/pprof/goroutine?debug=1")
	if status != http.StatusOK || !regexp.MustCompile(`(?m)^goroutine profile: total [1-9][0-9]*$`).MatchString(body) {
		t.Errorf("goroutine profile: %d\n%.300s", status, body)
	}
	status, body = get("http://" + debugAddr + "/debug/vars")
	var vars struct {
		Memstats struct{ HeapAlloc uint64 }
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &vars) != nil || vars.Memstats.HeapAlloc == 0 {
		t.Errorf("expvar: %d\n%.300s", status, body)
	}
	// Not on the API's port.
	if status, _ := get("http://" + app.addr + "/debug/pprof/goroutine?debug=1"); status != http.StatusNotFound {
		t.Errorf("the API's port answers the profile: %d", status)
	}

	app.stop(t)
	if res, err := http.Get("http://" + debugAddr + "/debug/vars"); err == nil {
		res.Body.Close()
		t.Error("the debug listener outlived serve")
	}
}
