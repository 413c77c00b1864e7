package webhooks

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// TestSignMatchesTheStandard checks our signature against the reference
// implementation of Standard Webhooks, both ways.
func TestSignMatchesTheStandard(t *testing.T) {
	t.Parallel()
	secret := newSecret()
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	key, err := secretKey(secret)
	if err != nil || len(key) != 32 {
		t.Fatalf("key of %d bytes, %v", len(key), err)
	}
	ref, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	id := newID()
	now := time.Now()
	body := []byte(`{"type":"article.published","timestamp":"2026-09-19T14:00:00Z","data":{"article_id":"x","title":"Été"}}`)

	ours := Sign(key, id, now.Unix(), body)
	theirs, err := ref.Sign(id, now, body)
	if err != nil {
		t.Fatal(err)
	}
	if ours != theirs {
		t.Fatalf("Sign = %q, the reference signs %q", ours, theirs)
	}

	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", ours)
	if err := ref.Verify(body, h); err != nil {
		t.Fatalf("the reference refuses our signature: %v", err)
	}
	// Any change to the body, the id or the timestamp breaks it.
	if err := ref.Verify(append([]byte{}, append(body[:len(body)-1], ' ', '}')...), h); err == nil {
		t.Error("a changed body verified")
	}
	h.Set("webhook-id", newID())
	if err := ref.Verify(body, h); err == nil {
		t.Error("another id verified")
	}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix()+1, 10))
	if err := ref.Verify(body, h); err == nil {
		t.Error("another timestamp verified")
	}

	// Two signatures after a rotation: a receiver holding either secret
	// accepts the delivery.
	old := newSecret()
	j := job{ID: id, Payload: string(body), Secret: secret, PreviousSecret: old}
	until := now.Add(time.Hour)
	j.PreviousSecretUntil = &until
	d := &Dispatcher{}
	sig, err := d.signature(j, now, now.Unix())
	if err != nil || strings.Count(sig, "v1,") != 2 {
		t.Fatalf("signature during the grace = %q, %v", sig, err)
	}
	h.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	h.Set("webhook-signature", sig)
	for _, s := range []string{secret, old} {
		wh, _ := standardwebhooks.NewWebhook(s)
		if err := wh.Verify(body, h); err != nil {
			t.Errorf("during the grace, a receiver with one of the secrets refuses: %v", err)
		}
	}
	// After the grace, the old secret signs no more.
	sig, _ = d.signature(j, until.Add(time.Second), now.Unix())
	if strings.Count(sig, "v1,") != 1 {
		t.Errorf("after the grace: %q", sig)
	}
}
