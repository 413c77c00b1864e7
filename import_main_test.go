package main

import (
	"strings"
	"testing"
)

// TestImportCommand: `masthead import wordpress` over the invented site's
// export prints its report, writes nothing with --dry-run, changes nothing
// when run again, and refuses bad arguments with a clear message.
func TestImportCommand(t *testing.T) {
	t.Parallel()
	dir, dbArgs, dsn := testData(t)
	flags := append([]string{"--data", dir}, dbArgs...)
	const export = "internal/wordpress/testdata/lakeside.xml"
	imp := func(args ...string) (string, error) {
		t.Helper()
		out, _, err := runCmd(t, nil, append(append([]string{"import", "wordpress", export}, flags...), args...)...)
		return out, err
	}
	out, err := imp("--dry-run", "--access-rule", "meta:_abonnes=1=subscribers")
	if err != nil || !strings.Contains(out, "dry run (nothing written)") || !strings.Contains(out, "posts: 9 created, 0 updated, 0 unchanged, 2 skipped, 0 refused") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	db := openTestDB(t, dsn)
	defer db.Close()
	articles := func() int {
		var n int
		if err := db.Read(t.Context()).Raw("SELECT COUNT(*) FROM articles").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := articles(); n != 0 {
		t.Fatalf("the dry run wrote %d articles", n)
	}
	out, err = imp("--access-rule", "meta:_abonnes=1=subscribers")
	for _, want := range []string{
		"wordpress:https://courrier-du-lac.example → imported into",
		"posts: 9 created, 0 updated, 0 unchanged, 2 skipped, 0 refused",
		"comments: 6 written, 2 pingbacks and trackbacks skipped, 1 with a missing parent made top-level",
		"missing file: 2025/11/ponton-scaled.jpg",
		"type page", "[contact-form-7] ×1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if err != nil || articles() != 9 {
		t.Fatalf("import: %v, %d articles", err, articles())
	}
	out, err = imp("--access-rule", "meta:_abonnes=1=subscribers")
	if err != nil || !strings.Contains(out, "posts: 0 created, 0 updated, 9 unchanged") {
		t.Errorf("second run: %v\n%s", err, out)
	}

	for _, bad := range [][]string{
		{"import"},
		{"import", "drupal", export},
		{"import", "wordpress"},
		{"import", "wordpress", export, "extra"},
		{"import", "wordpress", export, "--access-rule", "category:x=vip"},
		{"import", "wordpress", export, "--lang", "french"},
		{"import", "wordpress", export, "--detect-lang", "--languages", "xx"},
		{"import", "wordpress", "does-not-exist.xml"},
	} {
		if _, _, err := runCmd(t, nil, append(bad, flags...)...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if n := articles(); n != 9 {
		t.Errorf("refused runs changed the articles: %d", n)
	}
}
