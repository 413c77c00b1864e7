package main

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"masthead/internal/blocks"
	"masthead/internal/content"
)

// serve runs the scheduler: an article scheduled a moment ahead enters the
// change log by itself, with no read to trigger it, and the scheduler stops
// with the server.
func TestServeRunsScheduler(t *testing.T) {
	t.Parallel()
	dir, dbArgs, dsn := testData(t)
	ctx := context.Background()
	db := openTestDB(t, dsn)
	defer db.Close()
	cs := content.NewService(db, content.Options{})
	at := time.Now().Add(1500 * time.Millisecond).UTC()
	art, err := cs.CreateArticle(ctx, content.ArticleInput{
		Lang: "fr", Slug: "ouverture-du-pont", Title: "Ouverture du pont", Access: content.AccessPublic,
		Status: content.StatusScheduled, PublishAt: &at,
		Body: []blocks.Block{{Type: "paragraph", Text: "Le pont ouvre."}},
	})
	if err != nil {
		t.Fatal(err)
	}

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	logs := newSyncBuffer()
	done := make(chan error, 1)
	go func() {
		args := append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--scheduler-interval", "1s"}, dbArgs...)
		done <- run(sctx, args, env(nil), strings.NewReader(""), io.Discard, logs)
	}()
	// serve runs on the wall clock and tells nothing when it publishes:
	// poll the change log (the article is due in 1.5 s, the scheduler
	// ticks every second). The deadline only keeps a broken scheduler
	// from hanging the run.
	deadline := time.Now().Add(hangAfter)
	for {
		log, err := cs.ChangesAfter(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) > 0 {
			if len(log) != 1 || log[0].ArticleID != art.ID || log[0].Kind != content.ChangePublished {
				t.Fatalf("the log holds %+v, want the one publication", log)
			}
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve returned: %v\n%s", err, logs.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scheduler never published the article\n%s", logs.String())
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-logs.wrote: // an error from the scheduler, perhaps
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after cancel: %v", err)
		}
	case <-time.After(hangAfter):
		t.Fatal("serve (and its scheduler) did not stop with its context")
	}
}

func TestServeRefusesBadSchedulerInterval(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"0s", "2h", "soon"} {
		_, errOut, err := runCmd(t, nil, "serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0", "--scheduler-interval", v)
		if err == nil || !strings.Contains(err.Error()+errOut, "scheduler-interval") {
			t.Errorf("--scheduler-interval %s: %v %s", v, err, errOut)
		}
	}
}
