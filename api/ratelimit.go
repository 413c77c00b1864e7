package api

import (
	"log/slog"
	"strconv"

	"github.com/labstack/echo/v4"

	"masthead/internal/access"
	"masthead/internal/partners"
	"masthead/internal/ratelimit"
)

// Request budgets, one of the budgets counted by Deps.RateLimiter (in this
// process, or in Redis shared by every process; see internal/ratelimit).
// Each kind of budget has its own key prefix so that none collides with
// another: "req:" here, "login-…" (loginlimit.go), "comment-…"
// (comments.go).
//
//   - Anonymous callers: Deps.RateLimitAnon requests per minute per client
//     address (an IPv6 address counts by its /64, as the login limiter
//     does).
//   - Partners with a row: the row's rate_limit, per partner (its token and
//     its feed key share one budget); partner tokens without a row:
//     Deps.RateLimitPartner, per subject.
//   - Readers, subscribers and staff are not limited here: they are known
//     accounts, and logins and comments have their own limits.
//
// A budget of 0 is not limited. Every limited response carries
// X-RateLimit-Limit (the budget per minute), X-RateLimit-Remaining and
// X-RateLimit-Reset: the seconds, rounded up, until the whole budget is
// back (a delay, not a date). Past the budget the answer is 429
// rate_limited with Retry-After: the seconds until the next request is
// allowed.
//
// The limiter runs inside authenticate, once the caller is known, so it
// covers every route that authenticates (all of /v1 but login, refresh and
// logout). A limiter error (only a canceled request: Redis outages fall
// back to counting in the process) lets the request through.

const (
	headerLimit     = "X-RateLimit-Limit"
	headerRemaining = "X-RateLimit-Remaining"
	headerReset     = "X-RateLimit-Reset"
)

// budgetOf says which budget a request spends from; a Rate of 0 or less
// is not limited.
func (s *Server) budgetOf(c echo.Context) ratelimit.Limit {
	p := principalOf(c)
	switch {
	case p.Anonymous():
		return ratelimit.PerMinute("req:ip:"+clientKey(c.RealIP()), s.RateLimitAnon)
	case p.Role == access.RolePartner:
		if n, ok := c.Get(partnerBudgetKey).(int); ok {
			id, _ := partners.IDFromSubject(p.Subject)
			return ratelimit.PerMinute("req:partner:"+id, n)
		}
		return ratelimit.PerMinute("req:partner-token:"+p.Subject, s.RateLimitPartner)
	}
	return ratelimit.Limit{}
}

// rateLimit spends one request of the caller's budget, or answers 429.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		b := s.budgetOf(c)
		if b.Rate <= 0 {
			return next(c)
		}
		res, err := s.RateLimiter.Allow(c.Request().Context(), b)
		if err != nil {
			s.Logger.Warn("rate limit not applied", slog.String("error", err.Error()))
			return next(c)
		}
		h := c.Response().Header()
		h.Set(headerLimit, strconv.Itoa(res.Limit))
		h.Set(headerRemaining, strconv.Itoa(res.Remaining))
		h.Set(headerReset, strconv.Itoa(ceilSeconds(res.ResetAfter)))
		if !res.Allowed {
			return tooMany("rate_limited",
				"too many requests: "+strconv.Itoa(res.Limit)+" per minute are allowed; retry after the delay in Retry-After", res.RetryAfter)
		}
		return next(c)
	}
}
