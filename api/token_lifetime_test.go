package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"masthead/api/apitest"
	"masthead/internal/config"
)

// Tokens signed with the app's own key are refused, 401 token_invalid with
// a Bearer challenge, when they live longer than their role's cap
// (jwt-max-ttl, jwt-max-ttl-partner), carry dates that are not numbers, or
// carry no iat or one in the future; a token exactly at its cap is served.
func TestTokenLifetimeLimits(t *testing.T) {
	t.Parallel()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) {
		c.JWTMaxTTL, c.JWTMaxTTLPartner, c.PartnerTokenTTL = 3*time.Hour, 72*time.Hour, 72*time.Hour
	}})
	now := a.Clock.Now()
	wells := a.Article("wells")
	path := "/v1/articles/" + wells.Slug
	// living signs a token for role issued a minute ago, living for life.
	living := func(role string, life time.Duration, edit func(jwt.MapClaims)) string {
		iat := now.Add(-time.Minute)
		c := jwt.MapClaims{"iss": apitest.Issuer, "aud": []string{apitest.Audience}, "sub": "u-1", "role": role,
			"iat": iat.Unix(), "nbf": iat.Unix(), "exp": iat.Add(life).Unix(), "jti": "test-jti"}
		if role == "partner" {
			c["scope"] = "headlines"
		}
		if edit != nil {
			edit(c)
		}
		return sign(t, a, jwt.SigningMethodEdDSA, a.Key, c)
	}
	for role, limit := range map[string]time.Duration{
		"reader": 3 * time.Hour, "subscriber": 3 * time.Hour, "editor": 3 * time.Hour, "admin": 3 * time.Hour,
		"partner": 72 * time.Hour,
	} {
		t.Run(role, func(t *testing.T) {
			mustStatus(t, a.Get(path, living(role, limit, nil)), http.StatusOK, "at the cap")
			checkRefused(t, a.Get(path, living(role, limit+time.Second, nil)), "token_invalid", wells.Preview.Text)
			checkRefused(t, a.Get(path, living(role, 100*8766*time.Hour, nil)), "token_invalid", wells.Preview.Text)
		})
	}
	for name, edit := range map[string]func(jwt.MapClaims){
		"string exp": func(c jwt.MapClaims) { c["exp"] = fmt.Sprint(c["exp"]) },
		"string iat": func(c jwt.MapClaims) { c["iat"] = fmt.Sprint(c["iat"]) },
		"string nbf": func(c jwt.MapClaims) { c["nbf"] = fmt.Sprint(c["nbf"]) },
		"no iat":     func(c jwt.MapClaims) { delete(c, "iat") },
		// The harness runs with no leeway: one second ahead is the future.
		"iat in the future": func(c jwt.MapClaims) { c["iat"] = now.Add(time.Second).Unix() },
		"100-year exp, no iat": func(c jwt.MapClaims) {
			delete(c, "iat")
			c["exp"] = now.Add(100 * 8766 * time.Hour).Unix()
		},
	} {
		t.Run(name, func(t *testing.T) {
			checkRefused(t, a.Get(path, living("subscriber", time.Hour, edit)), "token_invalid", wells.Preview.Text)
		})
	}
}

// With the default caps, what the server mints itself verifies: login's
// access tokens, the 12-hour demo tokens, the admin API's year-long partner
// tokens; a 100-year token does not.
func TestTokenLifetimeDefaults(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	wells := a.Article("wells")
	path := "/v1/articles/" + wells.Slug
	now := a.Clock.Now()
	at := func(role string, life time.Duration) string {
		return sign(t, a, jwt.SigningMethodEdDSA, a.Key, jwt.MapClaims{"iss": apitest.Issuer, "aud": apitest.Audience,
			"sub": "u-1", "role": role, "iat": now.Unix(), "exp": now.Add(life).Unix()})
	}
	mustStatus(t, a.Get(path, at("subscriber", 12*time.Hour)), http.StatusOK, "a 12-hour demo token")
	mustStatus(t, a.Get(path, at("editor", 24*time.Hour)), http.StatusOK, "a day-long editor token")
	checkRefused(t, a.Get(path, at("editor", 24*time.Hour+time.Second)), "token_invalid", wells.Preview.Text)
	mustStatus(t, a.Get(path, at("partner", a.Config.PartnerTokenTTL)), http.StatusOK, "a partner token of partner-token-ttl")
	checkRefused(t, a.Get(path, at("partner", 8760*time.Hour+time.Second)), "token_invalid", wells.Preview.Text)
	checkRefused(t, a.Get(path, at("admin", 100*8766*time.Hour)), "token_invalid", wells.Preview.Text)
}
