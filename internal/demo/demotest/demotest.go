// Package demotest gives tests a database holding the demo content, with its
// media folder. The content is loaded once per test binary, into a template
// (see storetest), at a fixed instant with small pictures; each test gets a
// copy of the database and of the files, and a copy of the summary.
package demotest

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"masthead/internal/accounts"
	"masthead/internal/comments"
	"masthead/internal/content"
	"masthead/internal/demo"
	"masthead/internal/media"
	"masthead/internal/store"
	"masthead/internal/store/storetest"
)

// PictureWidth is how wide the demo's pictures are drawn.
const PictureWidth = 400

// RenditionWidths are the sizes the demo's photos were stored in: a media
// store on the copy's folder needs the same.
func RenditionWidths() []int { return []int{160, 320} }

// epoch is when the demo content is loaded: its publication times, comment
// times and versions are relative to it. A weekday in the middle of a month,
// so that a test may move days either way without crossing one.
var epoch = time.Date(2026, time.May, 12, 9, 30, 0, 0, time.UTC)

// Epoch is the instant the demo content was loaded at: the clock of a test
// on a copy starts there.
func Epoch() time.Time { return epoch }

// Fixture is one test's copy of the demo content.
type Fixture struct {
	DB        *store.DB
	MediaRoot string // the demo's photos, under the test's folder
	// Demo is what the loader reported, the articles by ref: the test's own
	// copy.
	Demo demo.Summary
}

var template = &storetest.Template[demo.Summary]{Name: "demo", Build: load}

// load fills the template with the demo content, on a clock stopped at
// Epoch.
func load(ctx context.Context, db *store.DB, dir string) (demo.Summary, error) {
	now := Epoch
	ms, err := media.NewStore(filepath.Join(dir, "media"), RenditionWidths(), media.Limits{})
	if err != nil {
		return demo.Summary{}, err
	}
	cs := content.NewService(db, content.Options{Now: now})
	accs, err := accounts.NewService(db, accounts.Options{Now: now})
	if err != nil {
		return demo.Summary{}, err
	}
	l := demo.Loader{
		Content:      cs,
		Comments:     comments.NewService(db, comments.Options{Now: now, Articles: cs, Members: accs}),
		Media:        ms,
		PictureWidth: PictureWidth,
		Now:          now,
	}
	return l.Load(ctx)
}

// Open returns a copy of the demo content for t, closed (and on PostgreSQL
// dropped) when t ends.
func Open(t testing.TB) Fixture {
	t.Helper()
	c := template.Open(t)
	return Fixture{DB: c.DB, MediaRoot: filepath.Join(c.Dir, "media"), Demo: deepCopy(c.Value)}
}

// deepCopy copies v and everything it points to, so that a test may change
// its summary while others run.
func deepCopy[T any](v T) T {
	return clone(reflect.ValueOf(v)).Interface().(T)
}

func clone(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(clone(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(clone(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), clone(it.Value()))
		}
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v) // unexported fields (a time.Time's) as they are
		for i := range v.NumField() {
			if c.Field(i).CanSet() {
				c.Field(i).Set(clone(v.Field(i)))
			}
		}
		return c
	}
	return v
}
