package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"masthead/internal/fault"
)

// MaxURLBytes bounds a webhook URL.
const MaxURLBytes = 2000

// Policy says which addresses webhooks may call. A webhook URL is chosen by
// a newsroom account, and the server calls it from inside the publisher's
// network: without a policy, a URL naming 127.0.0.1, the cloud metadata
// service or a database on the private network would turn the dispatcher
// into a proxy to them (server-side request forgery). So the addresses of
// private, loopback, link-local and other special networks are refused
// unless the configuration allows them, when a webhook is saved and again
// on every connection (a name can resolve elsewhere by then).
//
// An IPv6 address with a zone (fe80::1%eth0, written %25 in a URL) is
// refused whatever the configuration says: no prefix contains a zoned
// address, so it would slip past every check, and a webhook has no
// business choosing the server's network interface.
type Policy struct {
	hosts    map[string]bool // host names allowed whatever they resolve to
	prefixes []netip.Prefix  // addresses allowed although special
	// lookup resolves a host name when a URL is checked.
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
}

// strictPolicy allows no special network at all.
func strictPolicy() *Policy {
	return &Policy{hosts: map[string]bool{}, lookup: func(ctx context.Context, host string) ([]netip.Addr, error) {
		return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}}
}

// NewPolicy reads the allow list: host names (exact, any case), IP
// addresses and CIDR prefixes.
func NewPolicy(allow []string) (*Policy, error) {
	p := strictPolicy()
	var errs []error
	for _, raw := range allow {
		e := strings.TrimSpace(raw)
		switch {
		case e == "":
			continue
		case strings.Contains(e, "/"):
			pr, err := netip.ParsePrefix(e)
			if err != nil {
				errs = append(errs, fmt.Errorf("webhook allow list: %q is not a CIDR prefix", e))
				continue
			}
			p.prefixes = append(p.prefixes, pr.Masked())
		default:
			if a, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
				a = a.Unmap()
				p.prefixes = append(p.prefixes, netip.PrefixFrom(a, a.BitLen()))
				continue
			}
			if !validHostName(e) {
				errs = append(errs, fmt.Errorf("webhook allow list: %q is not a host name, an IP address or a CIDR prefix", e))
				continue
			}
			p.hosts[strings.ToLower(strings.TrimSuffix(e, "."))] = true
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

func validHostName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// special lists the networks a webhook may not reach unless allowed, with
// the word the refusal uses.
var special = []struct {
	prefix netip.Prefix
	what   string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (carrier-grade NAT)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fc00::/7"), "private"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "private"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// embedded are IPv6 ranges that carry an IPv4 address (NAT64, 6to4): the
// IPv4 address inside is what they reach.
var embedded = []struct {
	prefix netip.Prefix
	at     int // byte offset of the IPv4 address
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12},
	{netip.MustParsePrefix("2002::/16"), 2},
}

// zoned is the refusal of an address that names a network interface.
const zoned = "scoped to a network interface (a zone)"

// Refusal says why an address may not be called ("" when it may).
func (p *Policy) Refusal(a netip.Addr) string {
	if !a.IsValid() {
		return "not an IP address"
	}
	if a.Zone() != "" {
		return zoned
	}
	a = a.Unmap()
	for _, pr := range p.prefixes {
		if pr.Contains(a) {
			return ""
		}
	}
	for _, e := range embedded {
		if e.prefix.Contains(a) {
			b := a.As16()
			inner := netip.AddrFrom4([4]byte(b[e.at : e.at+4]))
			if why := p.Refusal(inner); why != "" {
				return why + " (inside " + a.String() + ")"
			}
			return ""
		}
	}
	for _, s := range special {
		if s.prefix.Contains(a) {
			return s.what
		}
	}
	return ""
}

// BlockedError is a connection the policy refused.
type BlockedError struct {
	Addr netip.Addr
	What string // private, loopback…
}

func (e *BlockedError) Error() string {
	if !e.Addr.IsValid() {
		return fmt.Sprintf("webhook address refused: %s", e.What)
	}
	return fmt.Sprintf("address %s is %s and not allowed", e.Addr, e.What)
}

// CheckURL validates a webhook URL: http or https, a host, no user
// information or fragment, and every address the host resolves to allowed.
// It returns the problems by field ("url"), or an error when the check
// itself failed.
func (p *Policy) CheckURL(ctx context.Context, raw string) []fault.FieldError {
	bad := func(msg string) []fault.FieldError { return []fault.FieldError{{Field: "url", Message: msg}} }
	if raw == "" {
		return bad("is required")
	}
	if len(raw) > MaxURLBytes || !utf8.ValidString(raw) {
		return bad(fmt.Sprintf("must be valid text of at most %d bytes", MaxURLBytes))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return bad("must be an http or https URL")
	}
	if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return bad("must name a host, as in https://hooks.partner.example/masthead")
	}
	if u.User != nil {
		return bad("must not carry a user name or password; put a token in the path or query instead")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return bad("must not have a fragment (#…)")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if strings.ContainsAny(host, "%[]") {
		return bad("must not name a network interface: an IPv6 address with a zone (such as %25eth0) is never allowed")
	}
	if numericHost(host) {
		return bad("must give an IP address in its usual form (such as 192.0.2.10 or [2001:db8::1]) or a host name")
	}
	if p.hosts[host] {
		return nil
	}
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err = p.lookup(rctx, host)
		if err != nil || len(addrs) == 0 {
			return bad(fmt.Sprintf("host %q does not resolve", host))
		}
	}
	for _, a := range addrs {
		if why := p.Refusal(a); why != "" {
			return bad(fmt.Sprintf("reaches %s, a %s address: webhooks may not call internal networks unless the server's configuration allows it (MASTHEAD_WEBHOOK_ALLOW)", a.WithZone("").Unmap(), why))
		}
	}
	return nil
}

// numericHost reports whether host is not a standard IP address but looks
// like a number that some resolvers read as an IPv4 address (2130706433,
// 0x7f.1, 127.1, 0177.0.0.1): its last label is all digits, or hexadecimal
// after 0x. No real top-level domain is numeric, so nothing is lost, and
// what such a host reaches would depend on the resolver.
func numericHost(host string) bool {
	if _, err := netip.ParseAddr(host); err == nil {
		return false
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	digits := strings.TrimPrefix(last, "0x")
	hex := digits != last
	if digits == "" {
		return hex
	}
	for _, r := range digits {
		if !(r >= '0' && r <= '9' || hex && (r >= 'a' && r <= 'f')) {
			return false
		}
	}
	return true
}

// Client is the HTTP client of deliveries: no proxy from the environment
// (it would be what the policy checks), no redirects followed (a 3xx is a
// failed attempt: following one could lead anywhere), and every
// connection's address checked as it is dialled.
func (p *Policy) Client(timeout time.Duration) *http.Client {
	plain := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	checked := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: p.control}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, &BlockedError{What: "not a host and port"}
			}
			if strings.Contains(host, "%") {
				// Refused before any lookup; control would refuse it too.
				return nil, &BlockedError{What: zoned}
			}
			// A host allowed by name may resolve anywhere.
			if p.hosts[strings.ToLower(strings.TrimSuffix(host, "."))] {
				return plain.DialContext(ctx, network, addr)
			}
			return checked.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// control runs after the name is resolved and before the socket connects,
// for every address tried: the address it sees is the one actually
// dialled. Anything it cannot read as a plain address is refused (Go
// writes a zoned IPv4-mapped address as 127.0.0.1%lo, which no parser
// takes).
func (p *Policy) control(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return &BlockedError{What: "not a host and port"}
	}
	if strings.Contains(host, "%") {
		return &BlockedError{What: zoned}
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return &BlockedError{What: "not an IP address"}
	}
	if why := p.Refusal(a); why != "" {
		return &BlockedError{Addr: a.Unmap(), What: why}
	}
	return nil
}
