package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/blocks"
	"masthead/internal/config"
	"masthead/internal/content"
	"masthead/internal/metering"
)

// meteredAccess is the access object with the meter.
type meteredAccess struct {
	Granted    bool   `json:"granted"`
	Truncated  bool   `json:"truncated"`
	Reason     string `json:"reason"`
	WordsTotal int    `json:"words_total"`
	WordsShown int    `json:"words_shown"`
	Meter      *struct {
		Limit     int       `json:"limit"`
		Remaining int       `json:"remaining"`
		ResetsAt  time.Time `json:"resets_at"`
	} `json:"meter"`
}

type meteredArticle struct {
	ID     string        `json:"id"`
	Body   articleBody   `json:"body"`
	Access meteredAccess `json:"access"`
}

func meterApp(t *testing.T, free int) *apitest.App {
	t.Helper()
	return apitest.New(t, apitest.Options{Configure: func(c *config.Config) {
		c.MeterFree = free
		c.JWTMaxTTL = readerTokenTTL // readerToken's outlive the month
	}})
}

// readerTokenTTL lets a reader token outlive a month's change.
const readerTokenTTL = 62 * 24 * time.Hour

// readerToken mints a reader token for subject.
func readerToken(t *testing.T, a *apitest.App, subject string) string {
	t.Helper()
	tok, err := a.Tokens.Mint(access.MintRequest{Subject: subject, Role: access.RoleReader, TTL: readerTokenTTL})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func getMetered(t *testing.T, a *apitest.App, id, token string) (meteredArticle, apitest.Response) {
	t.Helper()
	r := a.Get("/v1/articles/"+id, token)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", id, r.Status, r.Body)
	}
	var art meteredArticle
	r.JSON(t, &art)
	return art, r
}

func meterRows(t *testing.T, a *apitest.App) int64 {
	t.Helper()
	var n int64
	if err := a.DB.Read(context.Background()).Table("meter_reads").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// wantFull checks a full body granted under the meter with remaining left.
func wantFull(t *testing.T, what string, art meteredArticle, remaining int) {
	t.Helper()
	ac := art.Access
	if !ac.Granted || ac.Reason != "metered" || ac.Truncated || ac.WordsShown != ac.WordsTotal {
		t.Errorf("%s: access %+v, want the full body, metered", what, ac)
	}
	if ac.Meter == nil || ac.Meter.Limit != 2 || ac.Meter.Remaining != remaining {
		t.Errorf("%s: meter %+v, want limit 2 remaining %d", what, ac.Meter, remaining)
	}
}

// wantPreview checks the preview with a spent meter.
func wantPreview(t *testing.T, what string, art meteredArticle) {
	t.Helper()
	ac := art.Access
	if ac.Granted || ac.Reason != "subscription_required" || !ac.Truncated || ac.WordsShown >= ac.WordsTotal {
		t.Errorf("%s: access %+v, want the preview", what, ac)
	}
	if ac.Meter == nil || ac.Meter.Remaining != 0 || ac.Meter.Limit != 2 {
		t.Errorf("%s: meter %+v, want remaining 0", what, ac.Meter)
	}
}

func TestMeterOffByDefault(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	r := a.Get("/v1/articles/"+a.Article("wells").ID, a.Token(access.RoleReader))
	if r.Status != http.StatusOK {
		t.Fatal(r.Status)
	}
	if strings.Contains(string(r.Body), `"meter"`) {
		t.Errorf("metering is off, yet: %s", r.Body)
	}
	var art meteredArticle
	r.JSON(t, &art)
	if art.Access.Granted || art.Access.Reason != "subscription_required" {
		t.Errorf("access %+v", art.Access)
	}
}

func TestMeter(t *testing.T) {
	t.Parallel()
	a := meterApp(t, 2)
	reader := readerToken(t, a, "reader-1")
	wells, budget, hospital := a.Article("wells").ID, a.Article("budget").ID, a.Article("hospital").ID
	nextMonth := metering.ResetsAt(a.Clock.Now())

	art, r := getMetered(t, a, wells, reader)
	wantFull(t, "A", art, 1)
	if !art.Access.Meter.ResetsAt.Equal(nextMonth) || art.Access.Meter.ResetsAt.Location() != time.UTC {
		t.Errorf("resets_at %v, want %v", art.Access.Meter.ResetsAt, nextMonth)
	}
	if !strings.Contains(string(r.Body), `"resets_at":"`+nextMonth.Format(time.RFC3339)+`"`) {
		t.Errorf("resets_at not RFC 3339 UTC: %s", r.Body)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
		t.Errorf("Cache-Control %q", cc)
	}
	if art.Body.Text != a.Article("wells").Body.Text {
		t.Error("metered body is not the whole body")
	}
	art, _ = getMetered(t, a, wells, reader)
	wantFull(t, "A again", art, 1)
	art, _ = getMetered(t, a, budget, reader)
	wantFull(t, "B", art, 0)
	art, _ = getMetered(t, a, hospital, reader)
	wantPreview(t, "C", art)
	if art.Body.Text == a.Article("hospital").Body.Text {
		t.Error("C: whole body past the quota")
	}
	art, _ = getMetered(t, a, wells, reader)
	wantFull(t, "A once the quota is spent", art, 0)
	if n := meterRows(t, a); n != 2 {
		t.Errorf("%d meter rows, want 2", n)
	}

	// Others are unaffected, and get no meter.
	for _, c := range []struct {
		name, token, reason string
		granted             bool
	}{
		{"anonymous", "", "subscription_required", false},
		{"subscriber", a.Token(access.RoleSubscriber), "subscriber", true},
		{"partner", a.Token(access.RolePartner, access.ScopeHeadlines), "license_required", false},
		{"editor", a.Token(access.RoleEditor), "staff", true},
	} {
		art, r := getMetered(t, a, hospital, c.token)
		if art.Access.Granted != c.granted || art.Access.Reason != c.reason || strings.Contains(string(r.Body), `"meter"`) {
			t.Errorf("%s: access %+v", c.name, art.Access)
		}
	}
	// Registered and public articles are the reader's anyway: no meter.
	for _, ref := range []string{"ferry", "summit-fr"} {
		_, r := getMetered(t, a, a.Article(ref).ID, reader)
		if strings.Contains(string(r.Body), `"meter"`) {
			t.Errorf("%s carries a meter", ref)
		}
	}
	// Another reader has a quota of their own.
	art, _ = getMetered(t, a, hospital, readerToken(t, a, "reader-2"))
	wantFull(t, "another reader", art, 1)
	if n := meterRows(t, a); n != 3 {
		t.Errorf("%d meter rows, want 3", n)
	}

	// Next month, the quota is back.
	a.Clock.Set(nextMonth.Add(time.Hour))
	art, _ = getMetered(t, a, hospital, reader)
	wantFull(t, "C next month", art, 1)
	if want := metering.ResetsAt(nextMonth); !art.Access.Meter.ResetsAt.Equal(want) {
		t.Errorf("resets_at %v, want %v", art.Access.Meter.ResetsAt, want)
	}
}

// TestMeterNotShared: a metered full body never reaches another caller
// through the shared response cache, in either order.
func TestMeterNotShared(t *testing.T) {
	t.Parallel()
	a := meterApp(t, 2)
	wells, budget := a.Article("wells").ID, a.Article("budget").ID
	reader := readerToken(t, a, "reader-1")

	art, _ := getMetered(t, a, wells, reader)
	wantFull(t, "reader", art, 1)
	anon, r := getMetered(t, a, wells, "")
	if anon.Access.Granted || anon.Access.WordsShown >= anon.Access.WordsTotal || anon.Access.Meter != nil {
		t.Errorf("anonymous after a metered reader: %+v", anon.Access)
	}
	if anon.Body.Text == art.Body.Text {
		t.Error("anonymous got the metered body")
	}
	if cc := r.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "public") {
		t.Errorf("anonymous Cache-Control %q", cc)
	}
	// A reader whose quota is spent gets the preview, not another reader's
	// cached full body.
	spent := readerToken(t, a, "reader-spent")
	getMetered(t, a, budget, spent)
	getMetered(t, a, a.Article("hospital").ID, spent)
	other, _ := getMetered(t, a, wells, spent)
	wantPreview(t, "spent reader", other)

	// The other way round: a preview cached for anonymous callers is not
	// served to a reader with quota left.
	fresh := readerToken(t, a, "reader-fresh")
	getMetered(t, a, budget, "")
	got, _ := getMetered(t, a, budget, fresh)
	wantFull(t, "reader after anonymous", got, 1)
}

// TestMeterConcurrent: 20 requests for 20 articles at once with a quota of
// 3: exactly 3 are granted and 3 rows stored; 20 requests for one article
// count it once.
func TestMeterConcurrent(t *testing.T) {
	t.Parallel()
	a := meterApp(t, 3)
	ctx := context.Background()
	ids := make([]string, 20)
	body := make([]blocks.Block, 0, 8)
	for i := 0; i < 8; i++ {
		body = append(body, blocks.Block{Type: blocks.TypeParagraph, Text: strings.Repeat("Une phrase assez longue pour le compteur de mots. ", 8)})
	}
	past := a.Clock.Now().Add(-time.Hour)
	for i := range ids {
		art, err := a.Content.CreateArticle(ctx, content.ArticleInput{
			Lang: "fr", Slug: fmt.Sprintf("compteur-%02d", i), Title: fmt.Sprintf("Compteur %d", i),
			Access: content.AccessSubscribers, Status: content.StatusPublished, PublishAt: &past, Body: body,
		})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = art.ID
	}
	reader := readerToken(t, a, "reader-race")
	results := make([]meteredAccess, len(ids))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := a.Get("/v1/articles/"+id, reader)
			var art meteredArticle
			if r.Status == http.StatusOK {
				r.JSON(t, &art)
			}
			results[i] = art.Access
		}()
	}
	close(start)
	wg.Wait()
	granted := 0
	for i, ac := range results {
		switch {
		case ac.Granted && ac.Reason == "metered":
			granted++
		case !ac.Granted && ac.Reason == "subscription_required":
		default:
			t.Errorf("article %d: access %+v", i, ac)
		}
	}
	if granted != 3 {
		t.Errorf("%d granted, want exactly 3", granted)
	}
	if n := meterRows(t, a); n != 3 {
		t.Errorf("%d meter rows, want exactly 3", n)
	}

	// One article, 20 requests at once, by another reader: counted once.
	other := readerToken(t, a, "reader-same")
	start = make(chan struct{})
	remaining := make([]int, 20)
	for i := range remaining {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r := a.Get("/v1/articles/"+ids[0], other)
			var art meteredArticle
			if r.Status == http.StatusOK {
				r.JSON(t, &art)
			}
			remaining[i] = -1
			if art.Access.Granted && art.Access.Meter != nil {
				remaining[i] = art.Access.Meter.Remaining
			}
		}()
	}
	close(start)
	wg.Wait()
	for i, n := range remaining {
		if n != 2 {
			t.Errorf("request %d: remaining %d, want 2 and granted", i, n)
		}
	}
	if n := meterRows(t, a); n != 4 {
		t.Errorf("%d meter rows, want 4", n)
	}
}
