package apitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Scenario is one HTTP exchange and what it must produce.
type Scenario struct {
	Name    string
	Method  string // GET when empty
	Path    string
	Body    string
	Token   func(a *App) string // nil: anonymous
	Headers []string            // name, value pairs

	WantStatus      int
	WantCode        string   // the problem's code: required with an error WantStatus
	WantContains    []string // substrings of the body
	WantNotContains []string // never in the body
	WantHeaders     map[string]string
	Check           func(t *testing.T, a *App, r Response)
}

// Run runs each scenario as a parallel subtest against a fresh
// application.
func Run(t *testing.T, scenarios []Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			a := New(t)
			sc.Exec(t, a)
		})
	}
}

// RunShared runs read-only scenarios against one application.
func RunShared(t *testing.T, a *App, scenarios []Scenario) {
	t.Helper()
	// Exec points a at each subtest; give it back to the caller afterwards,
	// so that later a.Get calls do not report to a finished subtest.
	prev := a.t
	defer func() { a.t = prev }()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) { sc.Exec(t, a) })
	}
}

// Exec runs the scenario against a.
func (sc Scenario) Exec(t *testing.T, a *App) {
	t.Helper()
	a.t = t
	method := sc.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if sc.Body != "" {
		body = strings.NewReader(sc.Body)
	}
	token := ""
	if sc.Token != nil {
		token = sc.Token(a)
	}
	headers := sc.Headers
	if sc.Body != "" {
		headers = append([]string{"Content-Type", "application/json"}, headers...)
	}
	r := a.Do(method, sc.Path, token, body, headers...)
	if sc.WantStatus != 0 && r.Status != sc.WantStatus {
		t.Fatalf("%s %s: status %d, want %d\n%s", method, sc.Path, r.Status, sc.WantStatus, truncate(r.Body))
	}
	if sc.WantCode != "" || sc.WantStatus >= 400 {
		var p struct {
			Code string `json:"code"`
		}
		err := json.Unmarshal(r.Body, &p)
		switch {
		case sc.WantCode == "":
			t.Errorf("an error row must name the problem code it expects: WantCode (the answer says %q)", p.Code)
		case err != nil || p.Code != sc.WantCode:
			t.Errorf("problem code %q, want %q\n%s", p.Code, sc.WantCode, truncate(r.Body))
		}
	}
	for _, s := range sc.WantContains {
		if !bytes.Contains(r.Body, []byte(s)) {
			t.Errorf("body lacks %q\n%s", s, truncate(r.Body))
		}
	}
	for _, s := range sc.WantNotContains {
		if bytes.Contains(r.Body, []byte(s)) {
			t.Errorf("body contains %q, which it must not", s)
		}
	}
	for k, v := range sc.WantHeaders {
		if got := strings.Join(r.Header.Values(k), ", "); !strings.Contains(got, v) {
			t.Errorf("header %s = %q, want it to contain %q", k, got, v)
		}
	}
	if sc.Check != nil {
		sc.Check(t, a, r)
	}
}

// As returns a Token func for role.
func As(role string, scopes ...string) func(a *App) string {
	return func(a *App) string { return a.Token(roleOf(role), scopes...) }
}
