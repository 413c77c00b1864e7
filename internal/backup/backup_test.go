package backup_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"masthead/internal/backup"
	"masthead/internal/store/storetest"
)

// TestMain drops the test databases this binary made on PostgreSQL.
func TestMain(m *testing.M) { storetest.Main(m) }

// A manifest that names a file outside the backup folder, or is not one
// this version wrote, is refused before any file is read.
func TestReadManifestRefuses(t *testing.T) {
	t.Parallel()
	sum := strings.Repeat("ab", 32)
	good := `{"format":1,"created_at":"2026-12-02T10:00:00Z","schema_version":9,"tables":{"articles":1},"photos":1,` +
		`"database":{"path":"masthead.db","size":10,"sha256":"` + sum + `"},` +
		`"media":[{"path":"media/ab/ab.jpg","size":3,"sha256":"` + sum + `"}]}`
	cases := map[string]string{
		"good":                  good,
		"traversal":             strings.Replace(good, "media/ab/ab.jpg", "media/../../etc/passwd", 1),
		"outside media":         strings.Replace(good, "media/ab/ab.jpg", "ab/ab.jpg", 1),
		"absolute":              strings.Replace(good, "media/ab/ab.jpg", "/etc/passwd", 1),
		"database elsewhere":    strings.Replace(good, `"path":"masthead.db"`, `"path":"../masthead.db"`, 1),
		"bad checksum":          strings.Replace(good, `"sha256":"`+sum+`"}]`, `"sha256":"xyz"}]`, 1),
		"future format":         strings.Replace(good, `"format":1`, `"format":2`, 1),
		"unknown field":         strings.Replace(good, `"format":1`, `"format":1,"extra":true`, 1),
		"truncated":             good[:len(good)/2],
		"duplicate media entry": strings.Replace(good, `}]}`, `},{"path":"media/ab/ab.jpg","size":3,"sha256":"`+sum+`"}]}`, 1),
	}
	for name, text := range cases {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, backup.ManifestName), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		m, err := backup.ReadManifest(dir)
		if name == "good" {
			if err != nil || m.Database.Size != 10 || len(m.Media) != 1 {
				t.Errorf("good manifest: %+v %v", m, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := backup.ReadManifest(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no backup") {
		t.Errorf("a folder without a manifest: %v", err)
	}
}
