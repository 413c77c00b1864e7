package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A whole scenario with every kind of secret in it, logged as JSON at debug
// level: none of the secrets is found in the log, in any part (a token's
// signature alone is a secret too).
func TestSecretsStayOutOfTheLog(t *testing.T) {
	t.Parallel()
	dir, dbArgs, dsn := testData(t)
	seedArticle(t, dsn, "coupure-de-courant")

	const (
		email      = "ada.secret-mailbox@example.org"
		password   = "Correct-Horse-7342-battery"
		wrongPass  = "Wrong-Pass-9917-staple"
		guestEmail = "guest.hidden-inbox@example.net"
		badToken   = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJtYWxsb3J5In0.Zm9yZ2VkLXNpZ25hdHVyZS1zZWNyZXQ"
	)
	secrets := map[string]string{"email": email, "password": password, "wrong password": wrongPass,
		"guest email": guestEmail, "bad token": badToken}
	token := func(name, tok string) {
		secrets[name] = tok
		if parts := strings.Split(tok, "."); len(parts) == 3 {
			secrets[name+" signature"] = parts[2]
		}
	}
	token("bad token", badToken)
	logs := newSyncBuffer()

	// The account, made by the command, its password on stdin.
	userArgs := append([]string{"user", "create", "--email", email, "--name", "Ada", "--role", "subscriber",
		"--data", dir, "--log-level", "debug"}, dbArgs...)
	if err := run(context.Background(), userArgs, env(nil), strings.NewReader(password+"\n"), io.Discard, logs); err != nil {
		t.Fatalf("user create: %v", err)
	}
	out, _, err := runCmd(t, nil, "token", "--role", "admin", "--sub", "ops", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	admin := oneToken(t, out)
	token("admin token", admin)

	app := serveWith(t, append([]string{"--data", dir, "--log-level", "debug", "--log-format", "json", "--guest-comments"}, dbArgs...), nil)
	base := "http://" + app.addr

	call := func(method, path, bearer string, body any, want int) map[string]any {
		t.Helper()
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, b)
		}
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return m
	}
	str := func(m map[string]any, k string) string {
		t.Helper()
		s, _ := m[k].(string)
		if s == "" {
			t.Fatalf("no %s in %v", k, m)
		}
		return s
	}

	// Log in, read as the subscriber, refresh, log out; a wrong password.
	login := call("POST", "/v1/auth/login", "", map[string]string{"email": email, "password": password}, http.StatusOK)
	token("access token", str(login, "access_token"))
	secrets["refresh token"] = str(login, "refresh_token")
	call("GET", "/v1/me", secrets["access token"], nil, http.StatusOK)
	refreshed := call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": secrets["refresh token"]}, http.StatusOK)
	token("refreshed access token", str(refreshed, "access_token"))
	secrets["refreshed refresh token"] = str(refreshed, "refresh_token")
	call("POST", "/v1/auth/logout", "", map[string]string{"refresh_token": secrets["refreshed refresh token"]}, http.StatusNoContent)
	call("POST", "/v1/auth/login", "", map[string]string{"email": email, "password": wrongPass}, http.StatusUnauthorized)
	// A refresh token used again after the logout.
	call("POST", "/v1/auth/refresh", "", map[string]string{"refresh_token": secrets["refresh token"]}, http.StatusUnauthorized)

	// A guest comment with an email.
	call("POST", "/v1/articles/coupure-de-courant/comments", "",
		map[string]string{"body": "Merci pour cet article.", "author_name": "Claire", "email": guestEmail}, http.StatusAccepted)

	// A webhook, and its secret rotated.
	hook := call("POST", "/v1/admin/webhooks", admin,
		map[string]any{"url": "https://93.184.215.14/masthead", "events": []string{"*"}}, http.StatusCreated)
	secrets["webhook secret"] = str(hook, "secret")
	rotated := call("POST", "/v1/admin/webhooks/"+str(hook, "id")+"/secret", admin, nil, http.StatusOK)
	secrets["rotated webhook secret"] = str(rotated, "secret")

	// A partner's credentials, used: the token, and the feed key in ?key=.
	partner := call("POST", "/v1/admin/partners", admin, map[string]any{"name": "Agence Vallée", "scopes": []string{"headlines"}}, http.StatusCreated)
	token("partner token", str(partner, "token"))
	secrets["feed key"] = str(partner, "feed_key")
	call("GET", "/v1/changes", secrets["partner token"], nil, http.StatusOK)
	call("GET", "/v1/feeds/latest.rss?key="+url.QueryEscape(secrets["feed key"]), "", nil, http.StatusOK)
	call("GET", "/v1/feeds/latest.rss?key=mfk_not-a-key-but-secret-still", "", nil, http.StatusUnauthorized)
	secrets["wrong feed key"] = "mfk_not-a-key-but-secret-still"

	// A bad token, on a public read and on an admin route.
	call("GET", "/v1/articles", badToken, nil, http.StatusUnauthorized)
	call("GET", "/v1/admin/webhooks", badToken, nil, http.StatusUnauthorized)

	app.stop(t)
	log := logs.String() + app.logs.String()
	// The log is the one we meant to search: JSON lines with the access
	// line of the scenario's requests.
	for _, route := range []string{`"route":"/v1/auth/login"`, `"route":"/v1/feeds/:file"`, `"route":"/v1/admin/webhooks/:id/secret"`} {
		if !strings.Contains(log, route) {
			t.Errorf("no access line with %s in the log", route)
		}
	}
	for line := range strings.SplitSeq(strings.TrimSpace(app.logs.String()), "\n") {
		if !json.Valid([]byte(line)) {
			t.Errorf("not a JSON log line: %s", line)
		}
	}
	for name, secret := range secrets {
		for _, form := range []string{secret, url.QueryEscape(secret), strings.Trim(fmt.Sprintf("%q", secret), `"`)} {
			if i := strings.Index(log, form); i >= 0 {
				start, end := max(0, i-200), min(len(log), i+len(form)+50)
				t.Errorf("the %s is in the log: …%s…", name, log[start:end])
				break
			}
		}
	}
}
