package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"masthead/api/apitest"
	"masthead/internal/config"
)

// The read path is measured against its floor: an Echo handler that sends
// the same number of fixed bytes over the same loopback HTTP. The ratio of
// the two is what to watch; absolute numbers depend on the machine.

func benchGet(b *testing.B, url string, header ...string) {
	b.Helper()
	// Identity encoding on both sides: the comparison is of the work before
	// the bytes, not of gzip.
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 4}}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
		b.SetBytes(n)
	}
}

func fixedBytesServer(b *testing.B, size int) string {
	b.Helper()
	body := make([]byte, size)
	for i := range body {
		body[i] = 'a' + byte(i%26)
	}
	e := echo.New()
	e.GET("/fixed", func(c echo.Context) error { return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, body) })
	srv := httptest.NewServer(e)
	b.Cleanup(srv.Close)
	return srv.URL + "/fixed"
}

func sizeOf(b *testing.B, a *apitest.App, path, token string) int {
	b.Helper()
	a.Validate = false
	r := a.Get(path, token)
	if r.Status != http.StatusOK {
		b.Fatalf("%s: %d", path, r.Status)
	}
	return len(r.Body)
}

func BenchmarkRead(b *testing.B) {
	a := apitest.New(b)
	wells := "/v1/articles/" + a.Article("wells").ID
	list := "/v1/articles?limit=20"
	sub := a.Token("subscriber")

	b.Run("fixed-bytes-article-size", func(b *testing.B) {
		benchGet(b, fixedBytesServer(b, sizeOf(b, a, wells, "")))
	})
	b.Run("article-anonymous", func(b *testing.B) { benchGet(b, a.URL+wells) })
	b.Run("article-subscriber", func(b *testing.B) {
		benchGet(b, a.URL+wells, "Authorization", "Bearer "+sub)
	})
	b.Run("fixed-bytes-list-size", func(b *testing.B) {
		benchGet(b, fixedBytesServer(b, sizeOf(b, a, list, "")))
	})
	b.Run("list-20", func(b *testing.B) { benchGet(b, a.URL+list) })

	// The same reads with the representation cache off: the cost of the
	// queries and the encoding that the cache saves.
	u := apitest.New(b, apitest.Options{Configure: func(c *config.Config) { c.CacheTTL = 0 }})
	b.Run("article-anonymous-uncached", func(b *testing.B) {
		benchGet(b, u.URL+"/v1/articles/"+u.Article("wells").ID)
	})
	b.Run("list-20-uncached", func(b *testing.B) { benchGet(b, u.URL+list) })
}
