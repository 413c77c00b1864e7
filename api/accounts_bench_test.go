package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/accounts"
)

// BenchmarkLogin is a real login over loopback HTTP: JSON decoding, the
// limiter, one argon2id verification with the default parameters, a
// refresh token written, an access token signed. "serial" is one client;
// "parallel8" is eight at once (like wrk -c8), each logging in to its own
// account: an attempt counts against its account while it runs (see
// loginlimit.go), so eight at once on one account would be refused past
// five. Both report p50 and p99.
func BenchmarkLogin(b *testing.B) {
	a := apitest.New(b, apitest.Options{NoDemo: true})
	const users = 16
	bodies := make(chan string, users)
	for i := range users {
		email := fmt.Sprintf("bench%d@example.org", i)
		if _, err := a.Accounts.CreateUser(context.Background(), accounts.NewUser{
			Email: email, Name: "Bench", Password: testPassword, Role: accounts.RoleSubscriber}); err != nil {
			b.Fatal(err)
		}
		bodies <- `{"email":"` + email + `","password":"` + testPassword + `"}`
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	once := func(body string) time.Duration {
		start := time.Now()
		res, err := client.Post(a.URL+"/v1/auth/login", "application/json", strings.NewReader(body))
		if err != nil {
			b.Error(err)
			return 0
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Errorf("status %d", res.StatusCode)
		}
		return time.Since(start)
	}
	report := func(b *testing.B, lat []time.Duration) {
		slices.Sort(lat)
		if len(lat) == 0 {
			return
		}
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(q(0.50), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
	}
	b.Run("serial", func(b *testing.B) {
		var lat []time.Duration
		body := <-bodies
		for b.Loop() {
			lat = append(lat, once(body))
		}
		bodies <- body
		report(b, lat)
	})
	b.Run("parallel8", func(b *testing.B) {
		var (
			mu  sync.Mutex
			lat []time.Duration
		)
		b.SetParallelism(4) // 4 × GOMAXPROCS(2) = 8 clients
		b.RunParallel(func(pb *testing.PB) {
			var mine []time.Duration
			body := <-bodies
			for pb.Next() {
				mine = append(mine, once(body))
			}
			bodies <- body
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
		report(b, lat)
	})
}
