package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"masthead/api/apitest"
	"masthead/internal/access"
	"masthead/internal/app"
	"masthead/internal/blocks"
	"masthead/internal/config"
	"masthead/internal/content"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
	"masthead/internal/webhooks"
)

// hookReceiver is a partner's endpoint on 127.0.0.1. It verifies every
// delivery with the reference Standard Webhooks library (against each
// secret it was given; the timestamp against the application's clock) and
// records it; it answers 500 to the first fail requests, 401 to a bad
// signature, 204 otherwise.
type hookReceiver struct {
	srv     *httptest.Server
	now     func() time.Time
	mu      sync.Mutex
	secrets []string
	fail    int
	got     []hookRequest
	gate    *hookGate
}

type hookRequest struct {
	ID, Timestamp, Signature, ContentType, UserAgent string
	Body                                             []byte
	Payload                                          webhooks.Payload
	VerifyErr                                        error
}

// hookGate holds the requests of the receivers given it until it is
// opened, telling arrived of each.
type hookGate struct {
	arrived chan struct{}
	open    chan struct{}
}

func newHookGate() *hookGate {
	return &hookGate{arrived: make(chan struct{}, 1000), open: make(chan struct{})}
}

// newHookReceiver starts a receiver for a's webhooks.
func newHookReceiver(t *testing.T, a *apitest.App) *hookReceiver {
	r := &hookReceiver{now: a.Clock.Now}
	r.srv = httptest.NewServer(r)
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) URL() string { return r.srv.URL + "/masthead?token=partner-secret-token" }

func (r *hookReceiver) trust(secret string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, secret)
}

func (r *hookReceiver) failNext(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = n
}

func (r *hookReceiver) holdWith(g *hookGate) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.gate = g
}

// webhookTolerance is how far a webhook-timestamp may be from the
// receiver's time (the standard's reference libraries allow 5 minutes).
const webhookTolerance = 5 * time.Minute

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	g := r.gate
	r.mu.Unlock()
	if g != nil {
		g.arrived <- struct{}{}
		<-g.open
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	hr := hookRequest{
		ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
		Signature: req.Header.Get("webhook-signature"), ContentType: req.Header.Get("Content-Type"),
		UserAgent: req.Header.Get("User-Agent"), Body: body,
	}
	if len(r.secrets) == 0 {
		hr.VerifyErr = errors.New("the receiver has no secret")
	}
	for _, s := range r.secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err == nil {
			// The library would check the timestamp against the wall
			// clock; the application runs on the test's.
			err = wh.VerifyIgnoringTimestamp(body, req.Header)
		}
		if err != nil {
			hr.VerifyErr = err
		}
	}
	if ts, err := strconv.ParseInt(hr.Timestamp, 10, 64); err != nil {
		hr.VerifyErr = errors.Join(hr.VerifyErr, fmt.Errorf("webhook-timestamp %q: %w", hr.Timestamp, err))
	} else if d := time.Unix(ts, 0).Sub(r.now()); d > webhookTolerance || d < -webhookTolerance {
		hr.VerifyErr = errors.Join(hr.VerifyErr, fmt.Errorf("webhook-timestamp %s is %s from now", hr.Timestamp, d))
	}
	hr.VerifyErr = errors.Join(hr.VerifyErr, json.Unmarshal(body, &hr.Payload))
	r.got = append(r.got, hr)
	switch {
	case hr.VerifyErr != nil:
		w.WriteHeader(http.StatusUnauthorized)
	case r.fail > 0:
		r.fail--
		w.WriteHeader(http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (r *hookReceiver) requests() []hookRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// hookApp starts the application with webhooks allowed to call the
// addresses in allow, and returns its webhooks service.
func hookApp(t *testing.T, allow ...string) (*apitest.App, *webhooks.Service) {
	t.Helper()
	a := apitest.New(t, apitest.Options{Configure: func(c *config.Config) { c.WebhookAllow = allow }})
	return a, a.Webhooks
}

type createdHook struct {
	ID, Secret, ETag string
}

func createHook(t *testing.T, a *apitest.App, rawURL string, events ...string) createdHook {
	t.Helper()
	ev, _ := json.Marshal(events)
	r := a.Do(http.MethodPost, "/v1/admin/webhooks", a.Token(access.RoleAdmin),
		strings.NewReader(fmt.Sprintf(`{"url":%q,"events":%s,"description":"test hook"}`, rawURL, ev)),
		"Content-Type", "application/json")
	if r.Status != http.StatusCreated {
		t.Fatalf("create webhook: %d %s", r.Status, r.Body)
	}
	var body struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	r.JSON(t, &body)
	if !strings.HasPrefix(body.Secret, "whsec_") || r.Header.Get("Location") != "/v1/admin/webhooks/"+body.ID {
		t.Fatalf("create webhook: secret %q, Location %q", body.Secret, r.Header.Get("Location"))
	}
	return createdHook{ID: body.ID, Secret: body.Secret, ETag: r.Header.Get("ETag")}
}

// hookBodyMarker is in the body of hookArticle's articles, past the
// preview: it must never travel in a webhook.
const hookBodyMarker = "CORPS-NE-VOYAGE-PAS"

func hookArticle(t *testing.T, a *apitest.App, title string) content.Article {
	t.Helper()
	long := strings.Repeat("Le fleuve monte depuis trois jours et les digues tiennent encore. ", 30)
	art, err := a.Content.CreateArticleBy(context.Background(), content.ArticleInput{
		Lang: "fr", Title: title, Standfirst: "Chapeau de " + title, Access: content.AccessSubscribers,
		Status: content.StatusPublished,
		Body: []blocks.Block{
			{Type: blocks.TypeParagraph, Text: long},
			{Type: blocks.TypeParagraph, Text: "Plus loin : " + hookBodyMarker + "."},
		},
	}, "ed-1")
	if err != nil {
		t.Fatal(err)
	}
	return art
}

type deliveryView struct {
	ID            string          `json:"id"`
	Event         string          `json:"event"`
	ChangeSeq     int64           `json:"change_seq"`
	ArticleID     string          `json:"article_id"`
	Status        string          `json:"status"`
	Attempts      int             `json:"attempts"`
	LastStatus    *int            `json:"last_status"`
	LastError     *string         `json:"last_error"`
	NextAttemptAt *time.Time      `json:"next_attempt_at"`
	LastAttemptAt *time.Time      `json:"last_attempt_at"`
	DeliveredAt   *time.Time      `json:"delivered_at"`
	Payload       json.RawMessage `json:"payload"`
}

func hookDeliveries(t *testing.T, a *apitest.App, id string) []deliveryView {
	t.Helper()
	r := a.Get("/v1/admin/webhooks/"+id+"/deliveries?limit=100", a.Token(access.RoleAdmin))
	if r.Status != http.StatusOK {
		t.Fatalf("deliveries: %d %s", r.Status, r.Body)
	}
	var page struct {
		Data []deliveryView `json:"data"`
	}
	r.JSON(t, &page)
	return page.Data
}

func runOnce(t *testing.T, d *webhooks.Dispatcher) webhooks.Round {
	t.Helper()
	r, err := d.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	return r
}

func TestWebhookDeliveriesSignedAndFiltered(t *testing.T) {
	t.Parallel()
	a, svc := hookApp(t, "127.0.0.1")
	ctx := context.Background()
	d := webhooks.NewDispatcher(svc, webhooks.DispatchOptions{})
	some, all := newHookReceiver(t, a), newHookReceiver(t, a)
	hs := createHook(t, a, some.URL(), "article.unpublished", "article.published")
	ha := createHook(t, a, all.URL(), "*")
	some.trust(hs.Secret)
	all.trust(ha.Secret)

	// The demo's ten published articles are in the log already: a new
	// webhook starts after them.
	if r := runOnce(t, d); r.Enqueued != 0 || r.Attempted != 0 {
		t.Fatalf("first round on old changes: %+v", r)
	}

	art := hookArticle(t, a, "Crue de la Vive")
	if r := runOnce(t, d); r.Enqueued != 2 || r.Attempted != 2 || r.Delivered != 2 {
		t.Fatalf("after a publication: %+v, want 2 enqueued and delivered", r)
	}
	title := "Crue de la Vive : la digue tient"
	art, err := a.Content.UpdateArticle(ctx, art.ID, content.ArticlePatch{Title: &title}, art.Version, "ed-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Content.UnpublishArticle(ctx, art.ID, art.Version, "ed-1"); err != nil {
		t.Fatal(err)
	}
	if r := runOnce(t, d); r.Enqueued != 3 || r.Delivered != 3 {
		t.Fatalf("after an update and a withdrawal: %+v, want 3 (1 + 2)", r)
	}
	if r := runOnce(t, d); r.Enqueued != 0 || r.Attempted != 0 {
		t.Fatalf("a round with nothing new sent something: %+v", r)
	}

	types := func(rs []hookRequest) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Payload.Type)
		}
		slices.Sort(out)
		return out
	}
	if got := types(some.requests()); !slices.Equal(got, []string{"article.published", "article.unpublished"}) {
		t.Errorf("filtered webhook got %v", got)
	}
	if got := types(all.requests()); !slices.Equal(got, []string{"article.published", "article.unpublished", "article.updated"}) {
		t.Errorf(`"*" webhook got %v`, got)
	}

	log := hookDeliveries(t, a, hs.ID)
	if len(log) != 2 || log[0].Event != "article.unpublished" || log[1].Event != "article.published" || log[0].ChangeSeq <= log[1].ChangeSeq {
		t.Fatalf("delivery log (newest first): %+v", log)
	}
	byID := map[string]deliveryView{}
	for _, dv := range log {
		byID[dv.ID] = dv
		if dv.Status != "delivered" || dv.Attempts != 1 || dv.LastStatus == nil || *dv.LastStatus != 204 ||
			dv.LastError != nil || dv.DeliveredAt == nil || dv.NextAttemptAt != nil || dv.ArticleID != art.ID {
			t.Errorf("delivery %+v", dv)
		}
	}
	for _, rq := range some.requests() {
		if rq.VerifyErr != nil {
			t.Errorf("signature of %s: %v", rq.ID, rq.VerifyErr)
		}
		if rq.ContentType != "application/json" || !strings.HasPrefix(rq.UserAgent, "Masthead-Webhooks/") {
			t.Errorf("headers: Content-Type %q, User-Agent %q", rq.ContentType, rq.UserAgent)
		}
		dv, ok := byID[rq.ID]
		if !ok {
			t.Fatalf("webhook-id %q is no delivery of the log", rq.ID)
		}
		if string(dv.Payload) != string(rq.Body) {
			t.Errorf("the log's payload differs from the body sent:\n%s\n%s", dv.Payload, rq.Body)
		}
		if bytesContain(rq.Body, hookBodyMarker, "fleuve monte", `"body"`) {
			t.Errorf("a delivery carries body text: %s", rq.Body)
		}
		data := rq.Payload.Data
		if data.ArticleID != art.ID || data.Lang != "fr" || data.Seq != dv.ChangeSeq || data.Kind != strings.TrimPrefix(rq.Payload.Type, "article.") {
			t.Errorf("payload data %+v", data)
		}
		switch rq.Payload.Type {
		case "article.published":
			// Live when it was enqueued: the headline.
			if data.Title != "Crue de la Vive" || data.Standfirst != "Chapeau de Crue de la Vive" ||
				data.CanonicalURL != "https://publisher.example/fr/"+art.Slug || data.PublishedAt == nil || data.Version != 1 {
				t.Errorf("published payload %s", rq.Body)
			}
		case "article.unpublished":
			// A tombstone: the id, and when.
			if data.Title != "" || data.CanonicalURL != "" || rq.Payload.Timestamp.IsZero() || data.Version != 3 {
				t.Errorf("unpublished payload %s", rq.Body)
			}
		}
	}
}

func bytesContain(b []byte, subs ...string) bool {
	for _, s := range subs {
		if strings.Contains(string(b), s) {
			return true
		}
	}
	return false
}

func TestWebhookRetriesWithBackoff(t *testing.T) {
	t.Parallel()
	a, svc := hookApp(t, "127.0.0.1")
	d := webhooks.NewDispatcher(svc, webhooks.DispatchOptions{})
	rcv := newHookReceiver(t, a)
	h := createHook(t, a, rcv.URL(), "article.published")
	rcv.trust(h.Secret)
	rcv.failNext(2)
	hookArticle(t, a, "Pont fermé")

	if r := runOnce(t, d); r.Attempted != 1 || r.Delivered != 0 {
		t.Fatalf("first attempt: %+v", r)
	}
	dv := hookDeliveries(t, a, h.ID)[0]
	if dv.Status != "pending" || dv.Attempts != 1 || dv.LastStatus == nil || *dv.LastStatus != 500 ||
		dv.LastError == nil || *dv.LastError != "HTTP 500" || dv.NextAttemptAt == nil || dv.DeliveredAt != nil {
		t.Fatalf("after a 500: %+v", dv)
	}
	if wait := dv.NextAttemptAt.Sub(*dv.LastAttemptAt); wait < 4*time.Second || wait > 7*time.Second {
		t.Errorf("first retry after %s, want 5s ± 20%%", wait)
	}

	if r := runOnce(t, d); r.Attempted != 0 {
		t.Fatalf("retried at once: %+v", r)
	}
	a.Clock.Advance(3 * time.Second)
	if r := runOnce(t, d); r.Attempted != 0 {
		t.Fatalf("retried 3s later, before the backoff: %+v", r)
	}
	a.Clock.Advance(3500 * time.Millisecond)
	if r := runOnce(t, d); r.Attempted != 1 || r.Delivered != 0 {
		t.Fatalf("second attempt: %+v", r)
	}
	dv = hookDeliveries(t, a, h.ID)[0]
	if wait := dv.NextAttemptAt.Sub(*dv.LastAttemptAt); dv.Attempts != 2 || wait < 24*time.Second || wait > 37*time.Second {
		t.Errorf("after the second failure: attempts %d, next retry after %s, want 30s ± 20%%", dv.Attempts, wait)
	}
	a.Clock.Advance(23 * time.Second)
	if r := runOnce(t, d); r.Attempted != 0 {
		t.Fatalf("retried before the second backoff: %+v", r)
	}
	a.Clock.Advance(14 * time.Second)
	if r := runOnce(t, d); r.Attempted != 1 || r.Delivered != 1 {
		t.Fatalf("third attempt: %+v", r)
	}

	dv = hookDeliveries(t, a, h.ID)[0]
	if dv.Status != "delivered" || dv.Attempts != 3 || *dv.LastStatus != 204 || dv.LastError != nil || dv.NextAttemptAt != nil {
		t.Errorf("after the success: %+v", dv)
	}
	got := rcv.requests()
	if len(got) != 3 {
		t.Fatalf("the receiver got %d requests, want 3", len(got))
	}
	var prev int64
	for i, rq := range got {
		if rq.VerifyErr != nil {
			t.Errorf("attempt %d: %v", i+1, rq.VerifyErr)
		}
		if rq.ID != dv.ID || string(rq.Body) != string(got[0].Body) {
			t.Errorf("attempt %d: webhook-id %s and body must stay those of delivery %s", i+1, rq.ID, dv.ID)
		}
		ts, _ := strconv.ParseInt(rq.Timestamp, 10, 64)
		if ts <= prev {
			t.Errorf("attempt %d: webhook-timestamp %d not after %d: each attempt is signed anew", i+1, ts, prev)
		}
		prev = ts
	}
}

func TestWebhookGivesUpAfterTheLastRetry(t *testing.T) {
	t.Parallel()
	a, svc := hookApp(t, "127.0.0.1")
	d := webhooks.NewDispatcher(svc, webhooks.DispatchOptions{Schedule: []time.Duration{time.Second, time.Second}})
	rcv := newHookReceiver(t, a)
	h := createHook(t, a, rcv.URL(), "*")
	rcv.trust(h.Secret)
	rcv.failNext(1000)
	hookArticle(t, a, "Grève des bacs")
	for range 3 {
		runOnce(t, d)
		a.Clock.Advance(2 * time.Second)
	}
	a.Clock.Advance(time.Hour)
	runOnce(t, d)
	if n := len(rcv.requests()); n != 3 {
		t.Errorf("the receiver got %d attempts, want 3 (two retries)", n)
	}
	r := a.Get("/v1/admin/webhooks/"+h.ID+"/deliveries?status=failed", a.Token(access.RoleAdmin))
	var page struct{ Data []deliveryView }
	r.JSON(t, &page)
	if len(page.Data) != 1 || page.Data[0].Attempts != 3 || page.Data[0].NextAttemptAt != nil || *page.Data[0].LastError != "HTTP 500" {
		t.Fatalf("failed deliveries: %s", r.Body)
	}
	r = a.Get("/v1/admin/webhooks/"+h.ID+"/deliveries?status=pending", a.Token(access.RoleAdmin))
	r.JSON(t, &page)
	if len(page.Data) != 0 {
		t.Errorf("pending deliveries: %s", r.Body)
	}
}

// reopen opens the test's database again, with a pool of its own: another
// process on the same database.
func reopen(t *testing.T, a *apitest.App) *store.DB {
	t.Helper()
	return storetest.Reopen(t, a.DB)
}

// restarted is a new process's webhooks on db: new content and webhooks
// services, same clock.
func restarted(t *testing.T, a *apitest.App, db *store.DB, o webhooks.DispatchOptions) *webhooks.Dispatcher {
	t.Helper()
	cs := content.NewService(db, content.Options{Now: a.Clock.Now, PublicURL: a.Config.PublicURL})
	p, err := webhooks.NewPolicy([]string{"127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	svc := webhooks.NewService(db, app.WebhookLog(cs), webhooks.Options{Now: a.Clock.Now, Policy: p})
	return webhooks.NewDispatcher(svc, o)
}

func TestWebhookDeliveryAfterRestart(t *testing.T) {
	t.Parallel()
	a, svc := hookApp(t, "127.0.0.1")
	rcv := newHookReceiver(t, a)
	h := createHook(t, a, rcv.URL(), "*")
	rcv.trust(h.Secret)

	// A change is written and the process stops before any dispatcher ran.
	hookArticle(t, a, "Avant l'arrêt")
	next := restarted(t, a, reopen(t, a), webhooks.DispatchOptions{})
	if r := runOnce(t, next); r.Enqueued != 1 || r.Delivered != 1 {
		t.Fatalf("after the restart: %+v", r)
	}

	// A change is enqueued, and the process dies while it holds the
	// delivery (its lease is still running).
	old := webhooks.NewDispatcher(svc, webhooks.DispatchOptions{})
	hookArticle(t, a, "Pendant l'envoi")
	if n, err := old.Enqueue(context.Background()); err != nil || n != 1 {
		t.Fatalf("Enqueue = %d, %v", n, err)
	}
	lease := a.Clock.Now().UTC().Add(30 * time.Second)
	if err := a.DB.Write(context.Background()).Exec(
		"UPDATE webhook_deliveries SET lease_until = ?, lease_token = 'dead-process' WHERE status = 'pending'", lease).Error; err != nil {
		t.Fatal(err)
	}
	if r := runOnce(t, next); r.Attempted != 0 {
		t.Fatalf("a delivery leased by another process was sent: %+v", r)
	}
	a.Clock.Advance(31 * time.Second)
	if r := runOnce(t, next); r.Enqueued != 0 || r.Delivered != 1 {
		t.Fatalf("after the dead process's lease: %+v", r)
	}
	for _, d := range []*webhooks.Dispatcher{next, old} {
		if r := runOnce(t, d); r.Enqueued != 0 || r.Attempted != 0 {
			t.Fatalf("sent again: %+v", r)
		}
	}

	got := rcv.requests()
	seen := map[string]bool{}
	for _, rq := range got {
		if rq.VerifyErr != nil || seen[rq.ID] {
			t.Errorf("delivery %s: verify %v, seen before %v", rq.ID, rq.VerifyErr, seen[rq.ID])
		}
		seen[rq.ID] = true
	}
	if len(got) != 2 || got[0].Payload.Data.Title != "Avant l'arrêt" || got[1].Payload.Data.Title != "Pendant l'envoi" {
		t.Errorf("the receiver got %d deliveries, want the two articles once each", len(got))
	}
}

func TestWebhookTwoDispatchersDeliverOnce(t *testing.T) {
	t.Parallel()
	a, svc := hookApp(t, "127.0.0.1")
	rcvs := []*hookReceiver{newHookReceiver(t, a), newHookReceiver(t, a)}
	hooks := map[string]*hookReceiver{}
	for _, r := range rcvs {
		h := createHook(t, a, r.URL(), "*")
		r.trust(h.Secret)
		hooks[h.ID] = r
	}
	const articles = 12
	for i := range articles {
		hookArticle(t, a, fmt.Sprintf("Dépêche %d", i))
	}
	dispatchers := []*webhooks.Dispatcher{
		webhooks.NewDispatcher(svc, webhooks.DispatchOptions{Batch: 3, Workers: 2}),
		restarted(t, a, reopen(t, a), webhooks.DispatchOptions{Batch: 3, Workers: 2}),
	}
	// Each dispatcher sends with two workers: the receivers hold what they
	// get until four deliveries are in flight, two from each dispatcher,
	// so that the two rounds overlap.
	gate := newHookGate()
	for _, r := range rcvs {
		r.holdWith(gate)
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		enqueued int
	)
	for _, d := range dispatchers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				r, err := d.RunOnce(context.Background())
				if err != nil {
					t.Errorf("RunOnce: %v", err)
					return
				}
				mu.Lock()
				enqueued += r.Enqueued
				mu.Unlock()
			}
		}()
	}
	// The deadline only keeps a broken dispatcher from hanging the run.
	hang := time.NewTimer(time.Minute)
	defer hang.Stop()
	for held := 0; held < 4; held++ {
		select {
		case <-gate.arrived:
		case <-hang.C:
			close(gate.open)
			wg.Wait()
			t.Fatalf("only %d deliveries in flight at once, want 4 (two dispatchers, two workers each)", held)
		}
	}
	close(gate.open)
	wg.Wait()
	for _, d := range dispatchers {
		enqueued += runOnce(t, d).Enqueued
	}
	if enqueued != 2*articles {
		t.Errorf("enqueued %d deliveries in all, want %d", enqueued, 2*articles)
	}
	for id, r := range hooks {
		got := r.requests()
		ids, seqs := map[string]bool{}, map[int64]bool{}
		for _, rq := range got {
			if rq.VerifyErr != nil || ids[rq.ID] || seqs[rq.Payload.Data.Seq] {
				t.Errorf("webhook %s: delivery %s (seq %d) verify %v, twice %v", id, rq.ID, rq.Payload.Data.Seq, rq.VerifyErr, ids[rq.ID])
			}
			ids[rq.ID], seqs[rq.Payload.Data.Seq] = true, true
		}
		if len(got) != articles {
			t.Errorf("webhook %s got %d requests, want %d", id, len(got), articles)
		}
		for _, dv := range hookDeliveries(t, a, id) {
			if dv.Status != "delivered" || dv.Attempts != 1 {
				t.Errorf("delivery %+v", dv)
			}
		}
	}
}

func TestWebhookURLPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	strict := apitest.New(t) // the default: no private address allowed
	body := func(u string) string { return fmt.Sprintf(`{"url":%q,"events":["*"]}`, u) }
	var scenarios []apitest.Scenario
	for _, u := range []string{
		"http://127.0.0.1:9/hook", "http://localhost/hook", "http://[::1]/hook", "http://10.1.2.3/",
		"http://192.168.0.10/", "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/", "http://0.0.0.0/",
		"http://[fd00::1]/", "http://[::ffff:127.0.0.1]/",
		"ftp://93.184.215.14/hook", "javascript:alert(1)", "https://user:pass@93.184.215.14/", "https:///nohost", "",
	} {
		scenarios = append(scenarios, apitest.Scenario{
			Name: "refused " + u, Method: http.MethodPost, Path: "/v1/admin/webhooks", Body: body(u),
			Token: apitest.As("admin"), WantStatus: http.StatusUnprocessableEntity, WantCode: "validation_failed",
			WantContains: []string{`"field":"url"`},
		})
	}
	scenarios = append(scenarios,
		apitest.Scenario{Name: "no events", Method: http.MethodPost, Path: "/v1/admin/webhooks",
			Body: `{"url":"https://93.184.215.14/h","events":[]}`, Token: apitest.As("admin"),
			WantStatus: http.StatusUnprocessableEntity, WantCode: "validation_failed", WantContains: []string{`"field":"events"`}},
		apitest.Scenario{Name: "unknown event", Method: http.MethodPost, Path: "/v1/admin/webhooks",
			Body: `{"url":"https://93.184.215.14/h","events":["article.deleted"]}`, Token: apitest.As("admin"),
			WantStatus: http.StatusUnprocessableEntity, WantCode: "validation_failed", WantContains: []string{`"field":"events"`, "article.deleted"}},
		apitest.Scenario{Name: "star with others", Method: http.MethodPost, Path: "/v1/admin/webhooks",
			Body: `{"url":"https://93.184.215.14/h","events":["*","article.updated"]}`, Token: apitest.As("admin"),
			WantStatus: http.StatusUnprocessableEntity, WantCode: "validation_failed", WantContains: []string{`"field":"events"`}},
		apitest.Scenario{Name: "long description", Method: http.MethodPost, Path: "/v1/admin/webhooks",
			Body:  `{"url":"https://93.184.215.14/h","events":["*"],"description":"` + strings.Repeat("é", 501) + `"}`,
			Token: apitest.As("admin"), WantStatus: http.StatusUnprocessableEntity, WantCode: "validation_failed", WantContains: []string{`"field":"description"`}},
		apitest.Scenario{Name: "unknown field", Method: http.MethodPost, Path: "/v1/admin/webhooks",
			Body: `{"url":"https://93.184.215.14/h","events":["*"],"secret":"whsec_mine"}`, Token: apitest.As("admin"),
			WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		apitest.Scenario{Name: "not JSON", Method: http.MethodPost, Path: "/v1/admin/webhooks",
			Body: `{"url":`, Token: apitest.As("admin"), WantStatus: http.StatusBadRequest, WantCode: "bad_request"},
		apitest.Scenario{Name: "form body", Method: http.MethodPost, Path: "/v1/admin/webhooks",
			Body: `url=x`, Token: apitest.As("admin"), Headers: []string{"Content-Type", "application/x-www-form-urlencoded"},
			WantStatus: http.StatusUnsupportedMediaType, WantCode: "unsupported_media_type"},
		apitest.Scenario{Name: "public address", Method: http.MethodPost, Path: "/v1/admin/webhooks",
			Body: body("https://93.184.215.14/hook?token=t"), Token: apitest.As("admin"), WantStatus: http.StatusCreated,
			WantContains: []string{`"secret":"whsec_`, `"events":["*"]`, `"active":true`}},
	)
	apitest.RunShared(t, strict, scenarios)
	var n int64
	strict.DB.Read(ctx).Table("webhooks").Count(&n)
	if n != 1 {
		t.Errorf("%d webhooks stored, want only the public one", n)
	}

	// Allowed in the configuration: 127.0.0.1, and nothing else.
	open, _ := hookApp(t, "127.0.0.1")
	created := createHook(t, open, "http://127.0.0.1:9/hook", "*")
	if created.ID == "" {
		t.Fatal("not created")
	}
	r := open.Do(http.MethodPost, "/v1/admin/webhooks", open.Token(access.RoleAdmin),
		strings.NewReader(body("http://127.0.0.2/hook")), "Content-Type", "application/json")
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("127.0.0.2 with only 127.0.0.1 allowed: %d", r.Status)
	}
	r = open.Do(http.MethodPatch, "/v1/admin/webhooks/"+created.ID, open.Token(access.RoleAdmin),
		strings.NewReader(`{"url":"http://10.0.0.1/"}`), "Content-Type", "application/json")
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), `"field":"url"`) {
		t.Errorf("PATCH to a private URL: %d %s", r.Status, r.Body)
	}
}

// TestWebhookAddressCheckedWhenDialling: a webhook saved while its address
// was allowed is not called once it is not: the check is made on the
// address dialled, not only when the URL is saved.
func TestWebhookAddressCheckedWhenDialling(t *testing.T) {
	t.Parallel()
	a, _ := hookApp(t, "127.0.0.1")
	rcv := newHookReceiver(t, a)
	h := createHook(t, a, rcv.URL(), "*")
	rcv.trust(h.Secret)
	hookArticle(t, a, "Adresse interdite")

	strictSvc := webhooks.NewService(a.DB, app.WebhookLog(a.Content), webhooks.Options{Now: a.Clock.Now})
	d := webhooks.NewDispatcher(strictSvc, webhooks.DispatchOptions{})
	if r := runOnce(t, d); r.Enqueued != 1 || r.Attempted != 1 || r.Delivered != 0 {
		t.Fatalf("round: %+v", r)
	}
	if n := len(rcv.requests()); n != 0 {
		t.Fatalf("the receiver got %d requests from a dispatcher that may not call it", n)
	}
	dv := hookDeliveries(t, a, h.ID)[0]
	if dv.Status != "pending" || dv.LastStatus != nil || dv.LastError == nil || *dv.LastError != "refused by policy" {
		t.Fatalf("delivery %+v", dv)
	}
}

// zonedHookURLs name loopback and link-local addresses with an IPv6 zone
// (%25 is the URL's escape of %), which no network prefix contains.
var zonedHookURLs = []string{
	"http://[::1%25lo]:8081/x", "http://[fe80::1%25eth0]/", "http://[::1%251]/hook",
	"http://[::ffff:127.0.0.1%25lo]/", "http://[fe80::fc:ff:fe00:1%25eth0]:8080/",
	"https://[2001:4860:4860::8888%25eth0]/hook", // public, but zoned all the same
}

// TestWebhookZonedURLRefused: a URL with a zoned address is refused when it
// is saved, created or patched, even when the configuration allows the
// address without its zone; nothing is stored.
func TestWebhookZonedURLRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	strict := apitest.New(t)
	open, _ := hookApp(t, "127.0.0.1", "::1", "fe80::/10", "2001:4860::/32")
	existing := createHook(t, open, "http://[::1]:9/hook", "*")
	for _, a := range []*apitest.App{strict, open} {
		var scenarios []apitest.Scenario
		for _, u := range zonedHookURLs {
			scenarios = append(scenarios, apitest.Scenario{
				Name: "create " + u, Method: http.MethodPost, Path: "/v1/admin/webhooks",
				Body: fmt.Sprintf(`{"url":%q,"events":["*"]}`, u), Token: apitest.As("admin"),
				WantStatus: http.StatusUnprocessableEntity, WantCode: "validation_failed",
				WantContains: []string{`"field":"url"`, "network interface"},
			})
			if a == open {
				scenarios = append(scenarios, apitest.Scenario{
					Name: "patch " + u, Method: http.MethodPatch, Path: "/v1/admin/webhooks/" + existing.ID,
					Body: fmt.Sprintf(`{"url":%q}`, u), Token: apitest.As("admin"),
					WantStatus: http.StatusUnprocessableEntity, WantCode: "validation_failed",
					WantContains: []string{`"field":"url"`, "network interface"},
				})
			}
		}
		apitest.RunShared(t, a, scenarios)
	}
	var n int64
	strict.DB.Read(ctx).Table("webhooks").Count(&n)
	if n != 0 {
		t.Errorf("strict: %d webhooks stored", n)
	}
	var urls []string
	open.DB.Read(ctx).Table("webhooks").Pluck("url", &urls)
	if len(urls) != 1 || urls[0] != "http://[::1]:9/hook" {
		t.Errorf("open: webhooks stored %q, want only the first, unchanged", urls)
	}
}

// countingListener is a real HTTP server on a loopback address that counts
// the requests it receives.
type countingListener struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits int
}

func listenLoopback(t *testing.T, network, addr string) *countingListener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("no %s loopback here: %v", network, err)
	}
	l := &countingListener{}
	l.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.hits++
		l.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	l.srv.Listener = ln
	l.srv.Start()
	t.Cleanup(l.srv.Close)
	return l
}

func (l *countingListener) port() int { return l.srv.Listener.Addr().(*net.TCPAddr).Port }

func (l *countingListener) requests() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hits
}

// TestWebhookZonedRowNeverDialled: a webhook whose stored URL names a
// zoned address (a row saved before the check existed) never reaches the
// real listener on 127.0.0.1 or ::1 it points at, even with those addresses
// allowed; the delivery log says "refused by policy", and neither it nor
// the server's log says more.
func TestWebhookZonedRowNeverDialled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	v6 := listenLoopback(t, "tcp6", "[::1]:0")
	v4 := listenLoopback(t, "tcp4", "127.0.0.1:0")
	a, svc := hookApp(t, "127.0.0.1", "::1")
	zoned := []string{
		fmt.Sprintf("http://[::1%%25lo]:%d/x", v6.port()),
		fmt.Sprintf("http://[::1%%251]:%d/x", v6.port()), // lo by its index
		fmt.Sprintf("http://[::ffff:127.0.0.1%%25lo]:%d/x", v4.port()),
	}
	ids := map[string]string{}
	for _, u := range zoned {
		h := createHook(t, a, "http://[::1]:9/placeholder", "*")
		if err := a.DB.Write(ctx).Exec("UPDATE webhooks SET url = ? WHERE id = ?", u, h.ID).Error; err != nil {
			t.Fatal(err)
		}
		ids[h.ID] = u
	}
	hookArticle(t, a, "Zone interdite")
	var logs apitest.SyncBuffer
	d := webhooks.NewDispatcher(svc, webhooks.DispatchOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if r := runOnce(t, d); r.Enqueued != len(zoned) || r.Attempted != len(zoned) || r.Delivered != 0 {
		t.Errorf("round: %+v", r)
	}
	if n4, n6 := v4.requests(), v6.requests(); n4+n6 != 0 {
		t.Fatalf("the loopback listeners got %d (127.0.0.1) and %d (::1) requests", n4, n6)
	}
	for id, u := range ids {
		dvs := hookDeliveries(t, a, id)
		if len(dvs) != 1 {
			t.Fatalf("%s: %d deliveries", u, len(dvs))
		}
		if dv := dvs[0]; dv.LastError == nil || *dv.LastError != "refused by policy" || dv.LastStatus != nil || dv.Status != "pending" {
			t.Errorf("%s: delivery %+v", u, dv)
		}
	}
	out := logs.String()
	if !strings.Contains(out, "refused by policy") {
		t.Errorf("the log does not say the deliveries were refused:\n%s", out)
	}
	for _, p := range []int{v4.port(), v6.port()} {
		if strings.Contains(out, "127.0.0.1%lo:"+strconv.Itoa(p)) || strings.Contains(out, "dial tcp") {
			t.Errorf("the log has the network error:\n%s", out)
		}
	}
}

// TestWebhookClosedPortNeutral: a delivery to a port where nothing listens
// records "could not connect", not the network error (which would tell a
// closed port from a filtered one, and name the address and port).
func TestWebhookClosedPortNeutral(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	a, svc := hookApp(t, "127.0.0.1")
	h := createHook(t, a, "http://127.0.0.1:"+port+"/hook?token=partner-secret-token", "*")
	hookArticle(t, a, "Port fermé")
	var logs apitest.SyncBuffer
	d := webhooks.NewDispatcher(svc, webhooks.DispatchOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if r := runOnce(t, d); r.Attempted != 1 || r.Delivered != 0 {
		t.Fatalf("round: %+v", r)
	}
	r := a.Get("/v1/admin/webhooks/"+h.ID+"/deliveries", a.Token(access.RoleAdmin))
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"last_error":"could not connect"`) {
		t.Fatalf("deliveries: %d %s", r.Status, r.Body)
	}
	for _, leak := range []string{"refused", "dial", "connect:", "ECONNREFUSED", "127.0.0.1:" + port} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("the delivery log shows %q: %s", leak, r.Body)
		}
	}
	out := logs.String()
	if !strings.Contains(out, `error="could not connect"`) || strings.Contains(out, "dial tcp") || strings.Contains(out, "partner-secret-token") {
		t.Errorf("server log:\n%s", out)
	}
}

func TestWebhookLifecycle(t *testing.T) {
	t.Parallel()
	a, svc := hookApp(t, "127.0.0.1")
	d := webhooks.NewDispatcher(svc, webhooks.DispatchOptions{})
	admin := a.Token(access.RoleAdmin)
	rcv := newHookReceiver(t, a)
	h := createHook(t, a, rcv.URL(), "article.published")
	rcv.trust(h.Secret)
	other := createHook(t, a, "http://127.0.0.1:9/other", "*")
	if h.ETag != `"`+h.ID+`.v1"` {
		t.Errorf("ETag %s", h.ETag)
	}
	path := "/v1/admin/webhooks/" + h.ID
	jsonHdr := []string{"Content-Type", "application/json"}

	r := a.Get(path, admin)
	if r.Status != http.StatusOK || r.Header.Get("ETag") != h.ETag || strings.Contains(string(r.Body), "whsec_") ||
		!strings.Contains(string(r.Body), `"events":["article.published"]`) || r.Header.Get("Cache-Control") != "private, no-store" {
		t.Fatalf("GET: %d %v %s", r.Status, r.Header, r.Body)
	}
	if r := a.Get(path, admin, "If-None-Match", h.ETag); r.Status != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", r.Status)
	}

	// The list, newest first, one per page; never a secret.
	r = a.Get("/v1/admin/webhooks?limit=1", admin)
	var page struct {
		Data []struct {
			ID string `json:"id"`
		} `json:"data"`
		NextCursor *string `json:"next_cursor"`
	}
	r.JSON(t, &page)
	if len(page.Data) != 1 || page.Data[0].ID != other.ID || page.NextCursor == nil || strings.Contains(string(r.Body), "whsec_") {
		t.Fatalf("page 1: %s", r.Body)
	}
	r = a.Get("/v1/admin/webhooks?limit=1&cursor="+url.QueryEscape(*page.NextCursor), admin)
	r.JSON(t, &page)
	if len(page.Data) != 1 || page.Data[0].ID != h.ID || page.NextCursor != nil {
		t.Fatalf("page 2: %s", r.Body)
	}
	if r := a.Get("/v1/admin/webhooks?cursor=bogus", admin); r.Status != http.StatusBadRequest {
		t.Errorf("bad cursor: %d", r.Status)
	}
	if r := a.Do(http.MethodDelete, "/v1/admin/webhooks/"+other.ID, admin, nil, "If-Match", other.ETag); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE the other: %d %s", r.Status, r.Body)
	}

	// PATCH with a stale ETag writes nothing; with the current one it does.
	r = a.Do(http.MethodPatch, path, admin, strings.NewReader(`{"events":["*"]}`), append(jsonHdr, "If-Match", `"`+h.ID+`.v9"`)...)
	if r.Status != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %d %s", r.Status, r.Body)
	}
	r = a.Do(http.MethodPatch, path, admin, strings.NewReader(`{"events":["article.published","article.updated"],"description":"Partner X"}`),
		append(jsonHdr, "If-Match", h.ETag)...)
	if r.Status != http.StatusOK || r.Header.Get("ETag") != `"`+h.ID+`.v2"` ||
		!strings.Contains(string(r.Body), `"events":["article.published","article.updated"]`) || !strings.Contains(string(r.Body), `"Partner X"`) {
		t.Fatalf("PATCH: %d %s", r.Status, r.Body)
	}

	// Rotation: a new secret; for a day, deliveries carry both signatures,
	// and a receiver that knows either accepts them.
	r = a.Do(http.MethodPost, path+"/secret", admin, nil, "If-Match", `"`+h.ID+`.v2"`)
	var rotated struct {
		Secret  string `json:"secret"`
		Version int    `json:"version"`
	}
	r.JSON(t, &rotated)
	if r.Status != http.StatusOK || rotated.Version != 3 || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.Secret == h.Secret {
		t.Fatalf("rotate: %d %s", r.Status, r.Body)
	}
	rcv.trust(rotated.Secret) // the receiver now checks the delivery against both
	hookArticle(t, a, "Après la rotation")
	if rr := runOnce(t, d); rr.Delivered != 1 {
		t.Fatalf("round after the rotation: %+v", rr)
	}
	if got := rcv.requests(); len(got) != 1 || got[0].VerifyErr != nil || strings.Count(got[0].Signature, "v1,") != 2 {
		t.Fatalf("delivery after the rotation: %+v", got)
	}

	// Off: nothing is enqueued; on again: from the current end of the log.
	r = a.Do(http.MethodPatch, path, admin, strings.NewReader(`{"active":false}`), jsonHdr...)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"active":false`) {
		t.Fatalf("switch off: %d %s", r.Status, r.Body)
	}
	hookArticle(t, a, "Pendant la pause")
	if rr := runOnce(t, d); rr.Enqueued != 0 {
		t.Fatalf("an inactive webhook got deliveries: %+v", rr)
	}
	a.Do(http.MethodPatch, path, admin, strings.NewReader(`{"active":true}`), jsonHdr...)
	hookArticle(t, a, "Après la pause")
	if rr := runOnce(t, d); rr.Enqueued != 1 || rr.Delivered != 1 {
		t.Fatalf("after switching on again: %+v", rr)
	}
	if got := rcv.requests(); got[len(got)-1].Payload.Data.Title != "Après la pause" {
		t.Errorf("last delivery %q", got[len(got)-1].Payload.Data.Title)
	}

	// Deleted: a stale If-Match is refused; then it goes, with its log,
	// and nothing more is sent, not even what was pending.
	rcv.failNext(1)
	hookArticle(t, a, "Avant la suppression")
	if rr := runOnce(t, d); rr.Attempted != 1 || rr.Delivered != 0 {
		t.Fatalf("failing round: %+v", rr)
	}
	if r := a.Do(http.MethodDelete, path, admin, nil, "If-Match", h.ETag); r.Status != http.StatusPreconditionFailed {
		t.Errorf("DELETE with a stale If-Match: %d", r.Status)
	}
	if r := a.Do(http.MethodDelete, path, admin, nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", r.Status, r.Body)
	}
	before := len(rcv.requests())
	a.Clock.Advance(time.Hour)
	admin = a.Token(access.RoleAdmin) // tokens live an hour on the app's clock
	hookArticle(t, a, "Après la suppression")
	runOnce(t, d)
	if n := len(rcv.requests()); n != before {
		t.Errorf("a deleted webhook got %d more requests", n-before)
	}
	var left int64
	a.DB.Read(context.Background()).Table("webhook_deliveries").Where("webhook_id = ?", h.ID).Count(&left)
	if left != 0 {
		t.Errorf("%d deliveries of the deleted webhook remain", left)
	}
	for _, req := range []struct{ method, path string }{
		{http.MethodGet, path}, {http.MethodGet, path + "/deliveries"}, {http.MethodPatch, path},
		{http.MethodDelete, path}, {http.MethodPost, path + "/secret"},
		{http.MethodGet, "/v1/admin/webhooks/not-an-id"}, {http.MethodGet, "/v1/admin/webhooks/" + content.NewID() + "/deliveries"},
	} {
		var body io.Reader
		hdr := []string{}
		if req.method == http.MethodPatch {
			body, hdr = strings.NewReader(`{"active":true}`), jsonHdr
		}
		if r := a.Do(req.method, req.path, admin, body, hdr...); r.Status != http.StatusNotFound || problemCode(t, r) != "not_found" {
			t.Errorf("%s %s: %d %s, want 404 not_found", req.method, req.path, r.Status, r.Body)
		}
	}
}

func TestWebhookDeliveryLogPages(t *testing.T) {
	t.Parallel()
	a, svc := hookApp(t, "127.0.0.1")
	d := webhooks.NewDispatcher(svc, webhooks.DispatchOptions{})
	rcv := newHookReceiver(t, a)
	h := createHook(t, a, rcv.URL(), "*")
	rcv.trust(h.Secret)
	for i := range 5 {
		hookArticle(t, a, fmt.Sprintf("Page %d", i))
	}
	runOnce(t, d)
	admin := a.Token(access.RoleAdmin)
	var seqs []int64
	next := ""
	for range 5 {
		path := "/v1/admin/webhooks/" + h.ID + "/deliveries?limit=2"
		if next != "" {
			path += "&cursor=" + url.QueryEscape(next)
		}
		r := a.Get(path, admin)
		var page struct {
			Data       []deliveryView `json:"data"`
			NextCursor *string        `json:"next_cursor"`
		}
		r.JSON(t, &page)
		for _, dv := range page.Data {
			seqs = append(seqs, dv.ChangeSeq)
		}
		if page.NextCursor == nil {
			break
		}
		next = *page.NextCursor
	}
	if len(seqs) != 5 || !slices.IsSortedFunc(seqs, func(x, y int64) int { return int(y - x) }) {
		t.Errorf("pages gave seqs %v, want 5, newest first", seqs)
	}
	// A cursor of one filter is refused by another, and by another webhook.
	r := a.Get("/v1/admin/webhooks/"+h.ID+"/deliveries?limit=2", admin)
	var page struct {
		NextCursor *string `json:"next_cursor"`
	}
	r.JSON(t, &page)
	for _, p := range []string{
		"/v1/admin/webhooks/" + h.ID + "/deliveries?status=delivered&cursor=" + url.QueryEscape(*page.NextCursor),
		"/v1/admin/webhooks/" + content.NewID() + "/deliveries?cursor=" + url.QueryEscape(*page.NextCursor),
		"/v1/admin/webhooks/" + h.ID + "/deliveries?status=lost",
		"/v1/admin/webhooks/" + h.ID + "/deliveries?limit=0",
	} {
		if r := a.Get(p, admin); r.Status != http.StatusBadRequest || problemCode(t, r) != "bad_request" {
			t.Errorf("%s: %d %s, want 400 bad_request", p, r.Status, r.Body)
		}
	}
}

func TestWebhookAdminOnly(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	id := content.NewID()
	var scenarios []apitest.Scenario
	for _, rt := range []struct{ method, path, body string }{
		{http.MethodPost, "/v1/admin/webhooks", `{"url":"https://93.184.215.14/","events":["*"]}`},
		{http.MethodGet, "/v1/admin/webhooks", ""},
		{http.MethodGet, "/v1/admin/webhooks/" + id, ""},
		{http.MethodPatch, "/v1/admin/webhooks/" + id, `{"active":false}`},
		{http.MethodDelete, "/v1/admin/webhooks/" + id, ""},
		{http.MethodPost, "/v1/admin/webhooks/" + id + "/secret", ""},
		{http.MethodGet, "/v1/admin/webhooks/" + id + "/deliveries", ""},
	} {
		scenarios = append(scenarios, apitest.Scenario{
			Name: "anonymous " + rt.method + " " + rt.path, Method: rt.method, Path: rt.path, Body: rt.body,
			WantStatus: http.StatusUnauthorized, WantCode: "unauthenticated",
		})
		for _, role := range []string{"reader", "subscriber", "editor", "partner"} {
			scenarios = append(scenarios, apitest.Scenario{
				Name: role + " " + rt.method + " " + rt.path, Method: rt.method, Path: rt.path, Body: rt.body,
				Token: apitest.As(role, "headlines"), WantStatus: http.StatusForbidden, WantCode: "forbidden",
			})
		}
	}
	apitest.RunShared(t, a, scenarios)
	var n int64
	a.DB.Read(context.Background()).Table("webhooks").Count(&n)
	if n != 0 {
		t.Errorf("%d webhooks stored by callers who may not", n)
	}
}
