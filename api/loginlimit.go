package api

import (
	"context"
	"log/slog"
	"net"
	"time"

	"masthead/internal/ratelimit"
)

// Failed-login limits: accountFailures per account (the normalized email)
// and ipFailures per client address in failureWindow, two budgets of
// Deps.RateLimiter (so shared through Redis when it is configured). A
// budget refills steadily: one failure comes back every failureWindow /
// budget (3 minutes for an account, 45 seconds for an address). While
// either budget is spent every attempt is answered 429, with the right
// password too; Retry-After says when the next attempt is allowed.
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
	accountFailures = 5
	ipFailures      = 20
	failureWindow   = 15 * time.Minute
)

// loginBudgets are the budgets a login attempt for account from ip spends
// from, the address's first.
func loginBudgets(account, ip string) []ratelimit.Limit {
	return []ratelimit.Limit{
		{Key: "login-ip:" + clientKey(ip), Rate: ipFailures, Period: failureWindow},
		{Key: "login-acct:" + account, Rate: accountFailures, Period: failureWindow},
	}
}

// startLogin spends one attempt of each login budget. When one is spent it
// gives back what it took and returns the 429; otherwise done must be
// called with whether the attempt failed by the caller's fault (wrong
// credentials): anything else is given back.
func (s *Server) startLogin(ctx context.Context, account, ip string) (done func(failed bool), err error) {
	budgets := loginBudgets(account, ip)
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
