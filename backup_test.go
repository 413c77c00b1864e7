package main

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"masthead/internal/backup"
)

// demoToken is the token `serve --demo` printed for label.
func demoToken(t *testing.T, a *servedApp, label string) string {
	t.Helper()
	_, rest, ok := strings.Cut(a.out.String(), label+" token:\n")
	tok, _, _ := strings.Cut(rest, "\n")
	if !ok || strings.Count(tok, ".") != 2 {
		t.Fatalf("no %s token in:\n%s", label, a.out.String())
	}
	return tok
}

// written is one write the server acknowledged: a row of table.
type written struct{ table, id string }

// writer keeps writing through the HTTP API, one request at a time, each
// iteration an article, a photo upload and a comment on the article (all
// as the demo editor), and records every acknowledged write in order.
type writer struct {
	base, token string
	stop        chan struct{}
	done        chan struct{}
	more        chan struct{} // a notice after each acknowledged write

	mu     sync.Mutex
	acked  []written
	errors []string
}

func newWriter(base, token string) *writer {
	return &writer{base: base, token: token, stop: make(chan struct{}), done: make(chan struct{}), more: make(chan struct{}, 1)}
}

func (w *writer) run() {
	defer close(w.done)
	client := &http.Client{Timeout: time.Minute}
	for i := 0; ; i++ {
		steps := []func() (string, string, error){
			func() (string, string, error) {
				body := fmt.Sprintf(`{"title":"Backup story %d","lang":"en","slug":"backup-story-%d","access":"public","status":"published",`+
					`"comments_enabled":true,"blocks":[{"type":"paragraph","text":"Written while a backup runs, number %d."}]}`, i, i, i)
				id, err := w.post(client, "/v1/admin/articles", "application/json", strings.NewReader(body), http.StatusCreated, "id")
				return "articles", id, err
			},
			func() (string, string, error) {
				ctype, body := photoUpload(i)
				id, err := w.post(client, "/v1/admin/photos", ctype, body, http.StatusCreated, "id")
				return "photos", id, err
			},
			func() (string, string, error) {
				article := w.last("articles")
				body := fmt.Sprintf(`{"body":"Comment %d, written during the backup."}`, i)
				id, err := w.post(client, "/v1/articles/"+article+"/comments", "application/json", strings.NewReader(body), http.StatusAccepted, "comment.id")
				return "comments", id, err
			},
		}
		for _, step := range steps {
			select {
			case <-w.stop:
				return
			default:
			}
			table, id, err := step()
			w.mu.Lock()
			if err != nil {
				w.errors = append(w.errors, fmt.Sprintf("%s %d: %v", table, i, err))
			} else {
				w.acked = append(w.acked, written{table, id})
			}
			w.mu.Unlock()
			select {
			case w.more <- struct{}{}:
			default:
			}
		}
	}
}

// post sends one write as the editor and returns
// the string at key ("a.b" for nesting) of its JSON answer.
func (w *writer) post(client *http.Client, path, ctype string, body io.Reader, want int, key string) (string, error) {
	req, err := http.NewRequest(http.MethodPost, w.base+path, body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Authorization", "Bearer "+w.token)
	res, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return "", fmt.Errorf("status %d: %.300s", res.StatusCode, b)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "", err
	}
	for _, k := range strings.Split(key, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	if s == "" {
		return "", fmt.Errorf("no %s in %.300s", key, b)
	}
	return s, nil
}

func (w *writer) last(table string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := len(w.acked) - 1; i >= 0; i-- {
		if w.acked[i].table == table {
			return w.acked[i].id
		}
	}
	return ""
}

func (w *writer) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.acked)
}

// waitFor waits until n writes were acknowledged.
func (w *writer) waitFor(t *testing.T, n int) {
	t.Helper()
	hang := time.After(hangAfter)
	for w.count() < n {
		select {
		case <-w.more:
		case <-w.done:
			t.Fatalf("the writer stopped after %d writes: %v", w.count(), w.errors)
		case <-hang:
			t.Fatalf("%d writes, waiting for %d", w.count(), n)
		}
	}
}

func (w *writer) halt() ([]written, []string) {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.acked, w.errors
}

// photoUpload is a multipart body with a PNG of its own for upload i.
func photoUpload(i int) (string, io.Reader) {
	img := image.NewRGBA(image.Rect(0, 0, 400, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			img.Set(x, y, color.RGBA{uint8(i * 37), uint8(x + i), uint8(y), 255})
		}
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	part, _ := mw.CreateFormFile("file", fmt.Sprintf("upload-%d.png", i))
	_ = png.Encode(part, img)
	_ = mw.WriteField("caption", fmt.Sprintf("Upload %d", i))
	_ = mw.Close()
	return mw.FormDataContentType(), &b
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// copyTree copies the folder src to dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// photoFiles maps every media file the photos of db reference to the
// photo's id.
func photoFiles(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query("SELECT id, original, renditions FROM photos")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	files := map[string]string{}
	for rows.Next() {
		var id, original, rends string
		if err := rows.Scan(&id, &original, &rends); err != nil {
			t.Fatal(err)
		}
		var rs []struct{ Path string }
		if err := json.Unmarshal([]byte(rends), &rs); err != nil {
			t.Fatal(err)
		}
		files[original] = id
		for _, r := range rs {
			files[r.Path] = id
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return files
}

// openRestored opens a restored SQLite file read-only.
func openRestored(t *testing.T, p string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+p+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A backup taken while articles, photos and comments are being written
// through the API is one point in time: restored into a fresh folder, the
// database is whole, holds every write acknowledged before the backup
// began and a prefix of the writes in order (never a later write without
// an earlier one), has the files of every photo it references, byte for
// byte, and serves. No write failed because of the backup.
func TestBackupRestoreUnderWrites(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	app := startServeDB(t, src, map[string]string{"MASTHEAD_DEMO": "true", "MASTHEAD_COMMENTS_RATE_IP": "1000000", "MASTHEAD_COMMENTS_RATE_ACCOUNT": "1000000"}, nil)
	w := newWriter("http://"+app.addr, demoToken(t, app, "editor"))
	go w.run()

	w.waitFor(t, 3)
	before := w.count()
	bdir := filepath.Join(t.TempDir(), "backup")
	out, errOut, err := runCmd(t, nil, "backup", bdir, "--data", src)
	if err != nil {
		w.halt()
		t.Fatalf("backup: %v\n%s", err, errOut)
	}
	// Writes after the backup, which its copy must not hold.
	w.waitFor(t, w.count()+3)
	acked, failed := w.halt()
	if len(failed) > 0 {
		t.Errorf("writes failed while the backup ran: %v", failed)
	}
	if !strings.HasPrefix(out, "backup "+bdir+": database ") || !strings.Contains(out, "media files") {
		t.Errorf("backup printed %q", out)
	}

	// A server holds the source database: restoring over it is refused,
	// even forced, and the server goes on.
	if _, _, err := runCmd(t, nil, "restore", bdir, "--data", src, "--force"); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("restore --force over a served database: %v, want a refusal naming it in use", err)
	}
	if res, err := http.Get("http://" + app.addr + "/v1/articles/lanne-ete-puits-a-sec"); err != nil || res.StatusCode != http.StatusOK {
		t.Errorf("the server after the refused restore: %v %v", res, err)
	} else {
		res.Body.Close()
	}
	app.stop(t)

	dst := t.TempDir()
	if out, errOut, err := runCmd(t, nil, "restore", bdir, "--data", dst); err != nil || !strings.HasPrefix(out, "restored "+bdir) {
		t.Fatalf("restore: %q %v\n%s", out, err, errOut)
	}
	m, err := backup.ReadManifest(bdir)
	if err != nil {
		t.Fatal(err)
	}
	db := openRestored(t, filepath.Join(dst, "masthead.db"))
	var check string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check of the restored database: %q %v", check, err)
	}
	for table, want := range m.Tables {
		var got int64
		if err := db.QueryRow(`SELECT count(*) FROM "` + table + `"`).Scan(&got); err != nil || got != want {
			t.Errorf("%s: %d rows restored (%v), the manifest counted %d", table, got, err, want)
		}
	}
	if m.Tables["articles"] < 12 || m.Tables["photos"] < 13 || m.Tables["comments"] < 21 || m.SchemaVersion < 9 {
		t.Errorf("the manifest misses the demo content: %+v", m)
	}

	// The acknowledged writes in the copy are a prefix of their order.
	present := make([]bool, len(acked))
	for i, wr := range acked {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM "`+wr.table+`" WHERE id = ?`, wr.id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		present[i] = n == 1
	}
	k := 0
	for k < len(present) && present[k] {
		k++
	}
	for i := k; i < len(present); i++ {
		if present[i] {
			t.Errorf("write %d (%v) is in the copy, write %d (%v) before it is not: not one point in time", i, acked[i], k, acked[k])
		}
	}
	if k < before {
		t.Errorf("%d write(s) acknowledged before the backup began, only %d in the copy", before, k)
	}
	if k == len(acked) {
		t.Errorf("all %d writes are in the copy, those after the backup too", len(acked))
	}
	t.Logf("%d writes acknowledged, %d before the backup, %d in the copy", len(acked), before, k)

	// Every file of every photo the copy references is there, checked.
	inManifest := map[string]string{}
	for _, f := range m.Media {
		inManifest[f.Path] = f.SHA256
	}
	referenced := photoFiles(t, db)
	var aPhoto string
	for p, id := range referenced {
		got := sha256File(t, filepath.Join(dst, "media", filepath.FromSlash(p)))
		if got != inManifest["media/"+p] || got != sha256File(t, filepath.Join(src, "media", filepath.FromSlash(p))) {
			t.Errorf("photo %s: %s differs from the manifest or the source", id, p)
		}
		aPhoto = p
	}
	if len(referenced) != len(m.Media) {
		t.Errorf("the photos reference %d files, the backup holds %d", len(referenced), len(m.Media))
	}
	db.Close()

	// The restored folder serves the demo article and the photos.
	restored := startServeDB(t, dst, nil, nil)
	for _, p := range []string{"/v1/articles/lanne-ete-puits-a-sec", "/media/" + aPhoto} {
		res, err := http.Get("http://" + restored.addr + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || (strings.HasPrefix(p, "/v1/") && !strings.Contains(string(b), "puits")) {
			t.Errorf("restored %s: %d %.200s", p, res.StatusCode, b)
		}
	}
	restored.stop(t)

	t.Run("backup into a folder that is not empty", func(t *testing.T) {
		manifest, _ := os.ReadFile(filepath.Join(bdir, backup.ManifestName))
		if _, _, err := runCmd(t, nil, "backup", bdir, "--data", dst); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Errorf("backup into the used folder: %v", err)
		}
		if now, _ := os.ReadFile(filepath.Join(bdir, backup.ManifestName)); !bytes.Equal(now, manifest) {
			t.Error("the refused backup changed the manifest")
		}
	})

	t.Run("restore over a database with rows", func(t *testing.T) {
		if _, _, err := runCmd(t, nil, "restore", bdir, "--data", dst); err == nil || !strings.Contains(err.Error(), "not empty") {
			t.Fatalf("restore over rows without --force: %v", err)
		}
		// A row only the database replaced has.
		if _, err := runUser(t, "correct horse battery\n", "create", "--email", "kept@example.org", "--name", "Kept", "--data", dst); err != nil {
			t.Fatal(err)
		}
		out, errOut, err := runCmd(t, nil, "restore", "--force", bdir, "--data", dst)
		if err != nil {
			t.Fatalf("restore --force: %v\n%s", err, errOut)
		}
		dbAside, _ := filepath.Glob(filepath.Join(dst, "masthead.db.before-restore-*"))
		mediaAside, _ := filepath.Glob(filepath.Join(dst, "media.before-restore-*"))
		if len(dbAside) != 1 || len(mediaAside) != 1 || !strings.Contains(out, "kept aside: "+dbAside[0]) {
			t.Fatalf("kept aside: %v %v; printed %q", dbAside, mediaAside, out)
		}
		var kept, restored int
		if err := openRestored(t, dbAside[0]).QueryRow("SELECT count(*) FROM users WHERE email = 'kept@example.org'").Scan(&kept); err != nil || kept != 1 {
			t.Errorf("the database kept aside is not the one replaced: %d %v", kept, err)
		}
		if err := openRestored(t, filepath.Join(dst, "masthead.db")).QueryRow("SELECT count(*) FROM users").Scan(&restored); err != nil || restored != 0 {
			t.Errorf("the restored database has %d users (%v), the backup none", restored, err)
		}
		if sha256File(t, filepath.Join(dst, "masthead.db")) != m.Database.SHA256 {
			t.Error("the restored database is not the backup's")
		}
	})

	t.Run("a corrupted backup", func(t *testing.T) {
		for _, victim := range []string{m.Media[len(m.Media)/2].Path, backup.DatabaseName} {
			cdir := t.TempDir()
			copyTree(t, bdir, cdir)
			p := filepath.Join(cdir, filepath.FromSlash(victim))
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x01
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			fresh := t.TempDir()
			if _, _, err := runCmd(t, nil, "restore", cdir, "--data", fresh); err == nil || !strings.Contains(err.Error(), "checksum") {
				t.Errorf("%s flipped: restore said %v, want a checksum refusal", victim, err)
			}
			if left, _ := os.ReadDir(fresh); len(left) != 0 {
				t.Errorf("%s flipped: the refused restore left %d entries in the data folder", victim, len(left))
			}
		}
	})
}

// On PostgreSQL, backup and restore say what to run instead and fail.
func TestBackupPostgresExplains(t *testing.T) {
	t.Parallel()
	url := "postgres://masthead:s3cret@db.example:5432/news"
	for _, cmd := range []string{"backup", "restore"} {
		_, _, err := runCmd(t, nil, cmd, filepath.Join(t.TempDir(), "b"), "--data", t.TempDir(), "--db", url)
		if err == nil {
			t.Fatalf("%s on PostgreSQL succeeded", cmd)
		}
		for _, want := range []string{"pg_dump --format=custom", "pg_restore", "media"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q does not say %q", cmd, err, want)
			}
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: the password is in the message", cmd)
		}
	}
}

// backup and restore copy the media folder: with the photos in a bucket
// they refuse, and say so, before touching anything.
func TestBackupRefusesS3Media(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"backup", "restore"} {
		dir := filepath.Join(t.TempDir(), "b")
		_, _, err := runCmd(t, map[string]string{"MASTHEAD_MEDIA_STORAGE": "s3"}, cmd, dir, "--data", t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "media-storage=s3") {
			t.Errorf("%s with media in a bucket: %v", cmd, err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s made its folder: %v", cmd, err)
		}
	}
}
