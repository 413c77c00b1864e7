package metering_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"masthead/internal/metering"
	"masthead/internal/store/storetest"
)

// TestMain drops the test databases this binary made on PostgreSQL.
func TestMain(m *testing.M) { storetest.Main(m) }

func TestPeriodAndReset(t *testing.T) {
	t.Parallel()
	cases := []struct {
		now    time.Time
		period string
		resets time.Time
	}{
		{time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC), "2025-06", time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 12, 31, 23, 59, 59, 999, time.UTC), "2025-12", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), "2025-01", time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)},
		// 00:30 on 1 March in Paris is still February in UTC.
		{time.Date(2025, 3, 1, 0, 30, 0, 0, time.FixedZone("CET", 3600)), "2025-02", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if p := metering.Period(c.now); p != c.period {
			t.Errorf("Period(%v) = %s, want %s", c.now, p, c.period)
		}
		if r := metering.ResetsAt(c.now); !r.Equal(c.resets) || r.Location() != time.UTC {
			t.Errorf("ResetsAt(%v) = %v, want %v", c.now, r, c.resets)
		}
	}
}

func TestUse(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	ctx := context.Background()
	if (*metering.Service)(nil).Enabled() || metering.NewService(db, 0).Enabled() {
		t.Fatal("a nil or zero meter is on")
	}
	if _, _, err := metering.NewService(db, 0).Use(ctx, "s", "a", time.Now()); err == nil {
		t.Fatal("Use on an off meter: no error")
	}
	m := metering.NewService(db, 2)
	june := time.Date(2025, 6, 10, 8, 0, 0, 0, time.UTC)
	steps := []struct {
		subject, article string
		at               time.Time
		granted          bool
		remaining        int
	}{
		{"s1", "A", june, true, 1},
		{"s1", "A", june.Add(time.Hour), true, 1},
		{"s1", "B", june, true, 0},
		{"s1", "C", june, false, 0},
		{"s1", "A", june.AddDate(0, 0, 19), true, 0},
		{"s2", "C", june, true, 1},
		{"s1", "C", june.AddDate(0, 1, 0), true, 1},
		{"s1", "C", june.AddDate(0, 1, 0), true, 1},
	}
	for i, st := range steps {
		meter, granted, err := m.Use(ctx, st.subject, st.article, st.at)
		if err != nil {
			t.Fatal(err)
		}
		if granted != st.granted || meter.Remaining != st.remaining || meter.Limit != 2 || !meter.ResetsAt.Equal(metering.ResetsAt(st.at)) {
			t.Errorf("step %d %+v: granted %v meter %+v", i, st, granted, meter)
		}
	}
}

// TestUseConcurrent hammers Use: for each of several subjects, 40 calls for
// 40 articles at once with a quota of 3, then 40 calls for one article.
func TestUseConcurrent(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t)
	ctx := context.Background()
	m := metering.NewService(db, 3)
	now := time.Now()
	for round := 0; round < 5; round++ {
		subject := fmt.Sprintf("race-%d", round)
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			granted int
		)
		start := make(chan struct{})
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, ok, err := m.Use(ctx, subject, fmt.Sprintf("article-%02d", i), now)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		var rows int64
		if err := db.Read(ctx).Table("meter_reads").Where("subject = ?", subject).Count(&rows).Error; err != nil {
			t.Fatal(err)
		}
		if granted != 3 || rows != 3 {
			t.Errorf("%s: %d granted, %d rows; want 3 and 3", subject, granted, rows)
		}

		one := subject + "-one"
		start = make(chan struct{})
		var bad int
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				meter, ok, err := m.Use(ctx, one, "same", now)
				if err != nil || !ok || meter.Remaining != 2 {
					mu.Lock()
					bad++
					mu.Unlock()
				}
			}()
		}
		close(start)
		wg.Wait()
		if bad != 0 {
			t.Errorf("%s: %d of 40 calls for one article were not granted with 2 remaining", one, bad)
		}
	}
}
