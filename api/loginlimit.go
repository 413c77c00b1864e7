package api

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net"
	"time"

	"masthead/internal/ratelimit"
)

// Failed-login limits, three budgets of Deps.RateLimiter (so shared
// through Redis when it is configured), each over failureWindow:
//
//   - pairFailures for one account from one client address: the lockout
//     a guesser meets. It locks that address out of that account only, so
//     that five wrong passwords from anywhere no longer lock the owner out:
//     the owner, from an address that has not failed, gets in.
//   - ipFailures per client address, whatever the accounts: one address
//     trying many accounts.
//   - LoginFailuresAccount (default 100) per account, from all addresses
//     together: the ceiling for guessing spread over many addresses. At 5
//     per address, locking an owner out through it takes 20 addresses (or
//     IPv6 /64s) failing at once, and a distributed guesser gets at most
//     100 guesses per account per 15 minutes, 9,600 a day, against
//     argon2id hashes; NIST SP 800-63B asks for no more than 100
//     consecutive failures.
//
// A budget refills steadily: one failure comes back every failureWindow /
// budget (3 minutes for a pair, 45 seconds for an address, 9 seconds for
// an account at 100). While one of an attempt's budgets is spent the
// attempt is answered 429, with the right password too; Retry-After says
// when that budget allows the next one.
//
// Accounts are named in the keys by an HMAC of the normalized email
// (loginKey, derived from the signing key, so every process agrees), never
// by the email itself: Redis holds no address book.
//
// Only failures count, and concurrent attempts can never get past the
// budgets, however many run at once and on however many processes: an
// attempt spends one event of each budget before any hashing (the
// limiter's Allow is atomic, in the process or in one Redis script), and a
// success, or a failure of ours, gives them back (Refund) once the password
// is checked. An attempt in flight therefore holds its share of the
// budgets for the time of one hash: a burst of guesses is refused past the
// budget even while they are all still running, and a success is never
// counted once it is done.
const (
	pairFailures  = 5
	ipFailures    = 20
	failureWindow = 15 * time.Minute
)

// loginBudgets are the budgets a login attempt for account (a normalized
// email) from ip spends from: the address's, the pair's, the account's.
func (s *Server) loginBudgets(account, ip string) []ratelimit.Limit {
	mac := hmac.New(sha256.New, s.loginKey)
	mac.Write([]byte(account))
	acct := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
	addr := clientKey(ip)
	return []ratelimit.Limit{
		{Key: "login-ip:" + addr, Rate: ipFailures, Period: failureWindow},
		{Key: "login-pair:" + acct + ":" + addr, Rate: pairFailures, Period: failureWindow},
		{Key: "login-acct:" + acct, Rate: s.LoginFailuresAccount, Period: failureWindow},
	}
}

// startLogin spends one attempt of each login budget. When one is spent it
// gives back what it took and returns the 429; otherwise done must be
// called with whether the attempt failed by the caller's fault (wrong
// credentials): anything else is given back.
func (s *Server) startLogin(ctx context.Context, account, ip string) (done func(failed bool), err error) {
	budgets := s.loginBudgets(account, ip)
	var taken []ratelimit.Limit
	giveBack := func() {
		// Even when the client has gone: a refund lost would count a
		// success as a failure.
		ctx := context.WithoutCancel(ctx)
		for _, b := range taken {
			if err := s.RateLimiter.Refund(ctx, b); err != nil {
				s.Logger.Warn("login limit: refund", slog.String("error", err.Error()))
			}
		}
	}
	for _, b := range budgets {
		res, err := s.RateLimiter.Allow(ctx, b)
		if err != nil {
			giveBack()
			return nil, err
		}
		if !res.Allowed {
			giveBack()
			return nil, tooManyRequests(res.RetryAfter)
		}
		taken = append(taken, b)
	}
	return func(failed bool) {
		if !failed {
			giveBack()
		}
	}, nil
}

// clientKey is the unit a client address is limited by: the address for
// IPv4, its /64 for IPv6 (one host usually holds a whole /64).
func clientKey(ip string) string {
	parsed := net.ParseIP(ip)
	if parsed == nil || parsed.To4() != nil {
		return ip
	}
	return parsed.Mask(net.CIDRMask(64, 128)).String() + "/64"
}
