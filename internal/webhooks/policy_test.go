package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRefusalByNetwork(t *testing.T) {
	t.Parallel()
	p, err := NewPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{
		"127.0.0.1":        "loopback",
		"127.255.0.9":      "loopback",
		"::1":              "loopback",
		"::ffff:127.0.0.1": "loopback", // IPv4-mapped
		"10.1.2.3":         "private",
		"172.16.0.1":       "private",
		"172.31.255.255":   "private",
		"192.168.1.1":      "private",
		"fc00::1":          "private",
		"fd12:3456::1":     "private",
		"169.254.169.254":  "link-local", // cloud metadata
		"fe80::1":          "link-local",
		"0.0.0.0":          "unspecified",
		"::":               "unspecified",
		"224.0.0.1":        "multicast",
		"ff02::1":          "multicast",
		"100.64.0.1":       "shared (carrier-grade NAT)",
		"100.127.255.254":  "shared (carrier-grade NAT)",
		"255.255.255.255":  "reserved",
		"64:ff9b::a00:1":   "private (inside 64:ff9b::a00:1)", // NAT64 of 10.0.0.1
		"2002:7f00:1::":    "loopback (inside 2002:7f00:1::)", // 6to4 of 127.0.0.1
		// A zone: no prefix would contain it, so it is refused as such.
		"::1%lo":                    zoned,
		"fe80::1%eth0":              zoned,
		"::ffff:127.0.0.1%lo":       zoned,
		"2001:4860:4860::8888%eth0": zoned,
		// Public addresses pass.
		"8.8.8.8":              "",
		"172.32.0.1":           "",
		"100.128.0.1":          "",
		"93.184.215.14":        "",
		"2001:4860:4860::8888": "",
		"64:ff9b::808:808":     "",
	} {
		if got := p.Refusal(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Refusal(%s) = %q, want %q", addr, got, want)
		}
	}
}

func TestAllowList(t *testing.T) {
	t.Parallel()
	p, err := NewPolicy([]string{" 127.0.0.1", "10.0.0.0/8", "Hooks.Internal.", "[::1]", ""})
	if err != nil {
		t.Fatal(err)
	}
	for addr, refused := range map[string]bool{
		"127.0.0.1": false, "127.0.0.2": true, "10.9.9.9": false, "::1": false, "192.168.0.1": true,
	} {
		if got := p.Refusal(netip.MustParseAddr(addr)) != ""; got != refused {
			t.Errorf("%s refused = %v, want %v", addr, got, refused)
		}
	}
	if fe := p.CheckURL(context.Background(), "https://hooks.internal/x"); fe != nil {
		t.Errorf("a host allowed by name is refused: %v", fe)
	}
	for _, bad := range []string{"10.0.0.0/33", "not a host!", "-x.example"} {
		if _, err := NewPolicy([]string{bad}); err == nil {
			t.Errorf("NewPolicy accepted %q", bad)
		}
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	p, _ := NewPolicy(nil)
	ctx := context.Background()
	for raw, want := range map[string]string{
		"":                                   "is required",
		"ftp://93.184.215.14/x":              "http or https",
		"javascript:alert(1)":                "http or https",
		"file:///etc/passwd":                 "http or https",
		"http:///only-a-path":                "must name a host",
		"https://user:pw@93.184.215.14/":     "user name or password",
		"https://93.184.215.14/#frag":        "fragment",
		"http://127.0.0.1:8080/hook":         "127.0.0.1, a loopback address",
		"http://[::1]/hook":                  "::1, a loopback address",
		"http://localhost/hook":              "loopback address", // resolved: the name does not help
		"http://169.254.169.254/latest/meta": "link-local",
		"http://10.0.0.7/":                   "private",
		"http://100.64.1.1/":                 "shared",
		"http://[::1%25lo]:8081/x":           "network interface",
		"http://[fe80::1%25eth0]/":           "network interface",
		"http://[::ffff:127.0.0.1%25lo]/":    "network interface",
		"http://[2001:4860::8888%25eth0]/":   "network interface",
		"http://2130706433/":                 "usual form",
		"http://127.1/":                      "usual form",
		"http://0x7f.1/":                     "usual form",
		"http://0177.0.0.1/":                 "usual form",
		"https://" + strings.Repeat("a", MaxURLBytes) + ".example/": "at most",
		"https://93.184.215.14/hook?token=abc":                      "",
		"http://[2001:4860:4860::8888]:8443/h":                      "",
	} {
		fe := p.CheckURL(ctx, raw)
		switch {
		case want == "" && fe != nil:
			t.Errorf("CheckURL(%q) = %v, want accepted", raw, fe)
		case want != "" && (len(fe) != 1 || fe[0].Field != "url" || !strings.Contains(fe[0].Message, want)):
			t.Errorf("CheckURL(%q) = %v, want a url error containing %q", raw, fe, want)
		}
	}
}

// TestClientChecksTheDialledAddress: whatever the URL said when it was
// saved, the address actually dialled is checked.
func TestClientChecksTheDialledAddress(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]

	strict, _ := NewPolicy(nil)
	res, err := strict.Client(5 * time.Second).Get(srv.URL)
	if err == nil {
		res.Body.Close()
	}
	var blocked *BlockedError
	if !errors.As(err, &blocked) || blocked.Addr.String() != "127.0.0.1" || blocked.What != "loopback" {
		t.Fatalf("strict policy: err = %v, want a BlockedError for 127.0.0.1", err)
	}
	// By name too: localhost resolves to a loopback address, refused at dial.
	res, err = strict.Client(5 * time.Second).Get("http://localhost" + port)
	if err == nil {
		res.Body.Close()
	}
	if !errors.As(err, &blocked) {
		t.Errorf("strict policy, localhost: err = %v, want a BlockedError", err)
	}

	for _, allow := range []string{"127.0.0.1", "127.0.0.0/8", "localhost"} {
		p, err := NewPolicy([]string{allow})
		if err != nil {
			t.Fatal(err)
		}
		url := srv.URL
		if allow == "localhost" {
			url = "http://localhost" + port
		}
		res, err := p.Client(5 * time.Second).Get(url)
		if err != nil {
			t.Errorf("allow %s: %v", allow, err)
			continue
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNoContent {
			t.Errorf("allow %s: status %d", allow, res.StatusCode)
		}
	}

	// Redirects are not followed: the 3xx is the answer.
	redir := httptest.NewServer(http.RedirectHandler("http://10.0.0.1/", http.StatusFound))
	defer redir.Close()
	p, _ := NewPolicy([]string{"127.0.0.1"})
	res, err = p.Client(5 * time.Second).Get(redir.URL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound {
		t.Errorf("redirect: status %d, want the 302 itself", res.StatusCode)
	}
}

// TestClientRefusesZones: a zoned address is refused when dialled, even
// when the address without its zone is allowed, and the listener it names
// receives nothing.
func TestClientRefusesZones(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	port := ln.Addr().(*net.TCPAddr).Port

	p, err := NewPolicy([]string{"::1", "127.0.0.1", "fe80::/10"})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Client(5 * time.Second)
	res, err := c.Get(fmt.Sprintf("http://[::1]:%d/", port))
	if err != nil {
		t.Fatalf("allowed ::1: %v", err)
	}
	res.Body.Close()
	hits.Store(0)
	for _, u := range []string{
		fmt.Sprintf("http://[::1%%25lo]:%d/", port), fmt.Sprintf("http://[::1%%251]:%d/", port),
		fmt.Sprintf("http://[::ffff:127.0.0.1%%25lo]:%d/", port),
	} {
		res, err := c.Get(u)
		if err == nil {
			res.Body.Close()
		}
		var blocked *BlockedError
		if !errors.As(err, &blocked) || blocked.What != zoned {
			t.Errorf("%s: err = %v, want a BlockedError for a zone", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the listener on ::1 got %d requests through zoned URLs", n)
	}
	// The dialler's own check, whatever the dial it is given.
	for _, addr := range []string{"[::1%lo]:80", "127.0.0.1%lo:80", "[fe80::1%eth0]:443", "nonsense"} {
		var blocked *BlockedError
		if err := p.control("tcp", addr, nil); !errors.As(err, &blocked) {
			t.Errorf("control(%q) = %v, want a BlockedError", addr, err)
		}
	}
	if err := p.control("tcp6", "[::1]:80", nil); err != nil {
		t.Errorf("control of allowed ::1: %v", err)
	}
}

// FuzzWebhookURL: the check made when a webhook is saved never panics, and
// whatever it accepts names neither a zone nor a special address. Every
// host name is made to resolve to a loopback address here, so a URL is
// accepted only when its host is a literal public address.
func FuzzWebhookURL(f *testing.F) {
	for _, s := range []string{
		"https://93.184.215.14/hook?token=abc", "http://[2001:4860:4860::8888]:8443/h",
		"http://[::1%25lo]:8081/x", "http://[fe80::1%25eth0]/", "http://[::ffff:127.0.0.1%25lo]/",
		"http://127.0.0.1/", "http://2130706433/", "http://0x7f.1/", "http://[::ffff:7f00:1]/",
		"http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/", "https://hooks.example/x",
	} {
		f.Add(s)
	}
	p := strictPolicy()
	p.lookup = func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")}, nil
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, raw string) {
		fe := p.CheckURL(ctx, raw)
		for _, e := range fe {
			if e.Field != "url" || e.Message == "" {
				t.Fatalf("CheckURL(%q): field error %+v", raw, e)
			}
		}
		if fe != nil {
			return
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatalf("accepted %q, which does not parse: %v", raw, err)
		}
		host := u.Hostname()
		if strings.Contains(host, "%") {
			t.Fatalf("accepted %q, with a zone", raw)
		}
		a, err := netip.ParseAddr(host)
		if err != nil {
			t.Fatalf("accepted %q, whose host %q resolves only to loopback", raw, host)
		}
		if why := p.Refusal(a); why != "" || a.Unmap().IsLoopback() || a.Unmap().IsPrivate() ||
			a.Unmap().IsLinkLocalUnicast() || a.Unmap().IsUnspecified() || a.Unmap().IsMulticast() {
			t.Fatalf("accepted %q, whose address %s is special (%s)", raw, a, why)
		}
	})
}

func TestNormalizeEvents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   []string
		want string // joined, or "!" for an error
	}{
		{[]string{EventUnpublished, EventPublished, EventPublished}, "article.published article.unpublished"},
		{[]string{"*"}, "*"},
		{[]string{"*", "*"}, "*"},
		{[]string{"*", EventUpdated}, "!"},
		{[]string{}, "!"},
		{nil, "!"},
		{[]string{"article.deleted"}, "!"},
		{[]string{"Article.Published"}, "!"},
	} {
		got, errs := normalizeEvents(tc.in)
		if tc.want == "!" {
			if len(errs) != 1 || errs[0].Field != "events" {
				t.Errorf("normalizeEvents(%q) = %q, %v; want an events error", tc.in, got, errs)
			}
			continue
		}
		if errs != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("normalizeEvents(%q) = %q, %v; want %q", tc.in, got, errs, tc.want)
		}
	}
}

func TestBackoffSchedule(t *testing.T) {
	t.Parallel()
	for _, j := range []float64{0, 0.5, 0.999999} {
		d := NewDispatcher(NewService(nil, nil, Options{}), DispatchOptions{Jitter: func() float64 { return j }})
		for n, base := range DefaultSchedule {
			got := d.backoff(n + 1)
			low, high := time.Duration(float64(base)*0.8), time.Duration(float64(base)*1.2)
			if got < low || got >= high || (j == 0 && got != low) || (j == 0.5 && got != base) {
				t.Errorf("jitter %v, after attempt %d: wait %s, want within [%s, %s)", j, n+1, got, low, high)
			}
		}
	}
	var total time.Duration
	for _, d := range DefaultSchedule {
		total += d
	}
	if len(DefaultSchedule)+1 != 9 || total < 22*time.Hour || total > 23*time.Hour {
		t.Errorf("schedule: %d attempts over %s; the README says 9 over about 22 hours", len(DefaultSchedule)+1, total)
	}
}
