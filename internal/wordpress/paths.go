package wordpress

import (
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DecodeSlug returns a slug as WordPress stores it, percent-encoded UTF-8
// ("%d0%bf%d1%80%d0%b8%d0%b2%d0%b5%d1%82-%d0%bc%d0%b8%d1%80"), decoded
// ("привет-мир"). A slug that does not decode cleanly — a stray %, an
// escape that is not UTF-8, a control character, or a /, ?, # or %
// inside, which no slug may hold — is returned as it was.
func DecodeSlug(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return s
		}
		c = unhex(s[i+1])<<4 | unhex(s[i+2])
		if c < 0x20 || c == 0x7f || c == '/' || c == '?' || c == '#' || c == '%' {
			return s
		}
		b = append(b, c)
		i += 2
	}
	if !utf8.Valid(b) {
		return s
	}
	return string(b)
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// CanonicalPath returns the form under which an old path of the site is
// recorded and looked up, so that every way a browser or a link may spell
// a path finds the same record:
//
//   - a full URL is reduced to its path and query; a fragment is dropped;
//   - percent escapes are decoded to UTF-8, except those of /, ?, #, %
//     and space and of control characters, and bytes that are not UTF-8,
//     which are written as uppercase %XX escapes;
//   - letters are lowercased (WordPress slugs are lowercase, and MySQL
//     compares them without case);
//   - repeated slashes, "." and ".." segments and the trailing slash go
//     ("/2026/03/slug/" and "/2026/03//slug" are both "/2026/03/slug");
//     the root stays "/", and "/index.php" is the root;
//   - of the query, only WordPress's addresses by id are kept — p,
//     page_id, attachment_id, cat (numbers, leading zeros dropped) and tag —
//     sorted by name; tracking and other parameters go.
//
// CanonicalPath is idempotent. The paths Permalinks and TermPermalinks
// return are shown as WordPress emitted them; store and look them up
// through CanonicalPath.
func CanonicalPath(p string) string {
	pth, query := splitURL(p)
	pth = path.Clean("/" + decodePath(pth, true))
	if pth == "/index.php" {
		pth = "/"
	}
	if q := canonicalQuery(query); q != "" {
		return pth + "?" + q
	}
	return pth
}

// displayPath is a path as WordPress emitted it, with a leading slash,
// escapes decoded as CanonicalPath does, case and trailing slash kept, and
// the query reduced to WordPress's addresses by id.
func displayPath(p string) string {
	pth, query := splitURL(p)
	pth = decodePath(pth, false)
	if !strings.HasPrefix(pth, "/") {
		pth = "/" + pth
	}
	if q := canonicalQuery(query); q != "" {
		return pth + "?" + q
	}
	return pth
}

// splitURL returns the path and the raw query of a URL or a path.
func splitURL(p string) (string, string) {
	p = strings.Trim(p, " \t\r\n")
	if i := strings.IndexByte(p, '#'); i >= 0 {
		p = p[:i]
	}
	if i := strings.Index(p, "://"); i > 0 && !strings.ContainsAny(p[:i], "/?") {
		if u, err := url.Parse(p); err == nil && u.Host != "" {
			p = u.EscapedPath()
			if u.RawQuery != "" {
				p += "?" + u.RawQuery
			}
		}
	}
	pth, query, _ := strings.Cut(p, "?")
	return pth, query
}

// decodePath decodes the percent escapes of a path (see CanonicalPath),
// lowercasing when lower is set.
func decodePath(s string, lower bool) string {
	dec := make([]byte, 0, len(s))
	keep := make([]bool, 0, len(s)) // bytes to write back as escapes
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
			dec = append(dec, c)
			keep = append(keep, c == '/' || c == '?' || c == '#' || c == '%' || c == ' ')
			continue
		}
		dec = append(dec, c)
		keep = append(keep, c == '%' || c == ' ') // a stray %, a space
	}
	var b strings.Builder
	b.Grow(len(dec))
	for i := 0; i < len(dec); {
		if keep[i] {
			writeEscape(&b, dec[i])
			i++
			continue
		}
		j := i + 1
		for j < len(dec) && !keep[j] && j-i < utf8.UTFMax {
			j++
		}
		r, size := utf8.DecodeRune(dec[i:j])
		switch {
		case r == utf8.RuneError && size <= 1, r < 0x20, r == 0x7f:
			writeEscape(&b, dec[i])
			i++
			continue
		case lower:
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
		i += size
	}
	return b.String()
}

func writeEscape(b *strings.Builder, c byte) {
	const hex = "0123456789ABCDEF"
	b.WriteByte('%')
	b.WriteByte(hex[c>>4])
	b.WriteByte(hex[c&15])
}

// canonicalQuery keeps WordPress's addresses by id from a raw query.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var kept []string
	for part := range strings.SplitSeq(raw, "&") {
		k, v, _ := strings.Cut(part, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		k, v = strings.ToLower(strings.TrimSpace(k)), strings.ToLower(strings.TrimSpace(v))
		switch k {
		case "p", "page_id", "attachment_id", "cat":
			n, err := strconv.ParseUint(v, 10, 63)
			if err != nil || n == 0 {
				continue
			}
			v = strconv.FormatUint(n, 10)
		case "tag":
			if v == "" {
				continue
			}
			v = queryValue(v)
		default:
			continue
		}
		kept = append(kept, k+"="+v)
	}
	slices.Sort(kept)
	kept = slices.Compact(kept)
	return strings.Join(kept, "&")
}

// queryValue escapes what would change a query's meaning, and control
// characters; the rest (UTF-8 letters among it) stays as it is.
func queryValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c <= ' ' || c == 0x7f || c == '&' || c == '=' || c == '#' || c == '%' || c == '+' || c == '?' {
			writeEscape(&b, c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// linkPath is the path of link relative to the site's home URL, so that a
// site installed under /news/ gives "/2026/03/slug/", not
// "/news/2026/03/slug/". A link on another host (a language on its own
// domain) keeps its whole path.
func linkPath(home, link string) string {
	if strings.TrimSpace(link) == "" {
		return ""
	}
	u, err := url.Parse(strings.TrimSpace(link))
	if err != nil {
		return ""
	}
	p := u.EscapedPath()
	if h, err := url.Parse(strings.TrimSpace(home)); err == nil && u.Host != "" && strings.EqualFold(h.Host, u.Host) {
		base := strings.TrimSuffix(h.EscapedPath(), "/")
		if rest, ok := strings.CutPrefix(p, base); ok && (rest == "" || rest[0] == '/') {
			p = rest
		}
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	d := displayPath(p)
	if d == "/" {
		return "" // the home page is nobody's permalink
	}
	return d
}

// noPermalink lists post types that have no public address.
var noPermalink = []string{
	"nav_menu_item", "revision", "wp_block", "wp_template", "wp_template_part", "wp_global_styles",
	"wp_navigation", "custom_css", "customize_changeset", "oembed_cache", "user_request",
	"wp_font_family", "wp_font_face",
}

// Permalinks returns the old paths that should lead to item it: the path of
// its <link> relative to the site's home URL (whatever the permalink
// structure was), the pretty path the structure gives when structure is
// not empty (the site's setting, e.g. "/%year%/%monthnum%/%postname%/", for
// links the export does not show), and WordPress's addresses by id:
// /?p=ID for every item, /?page_id=ID for a page, /?attachment_id=ID for
// an attachment.
//
// Only items that had a public address get any: published posts and pages,
// and attachments. Drafts, pending, scheduled, private and trashed items,
// navigation menu items and other internal types get none.
//
// Paths start with a slash, keep the trailing slash as WordPress emitted
// it, and have percent escapes decoded (see CanonicalPath, the form to
// store them under).
func Permalinks(site Site, it Item, structure string) []string {
	if it.ID <= 0 || slices.Contains(noPermalink, it.Type) {
		return nil
	}
	if it.Status != "publish" && !(it.Type == "attachment" && it.Status == "inherit") {
		return nil
	}
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	add(linkPath(site.Link, it.Link))
	if structure != "" && it.Type == "post" {
		add(expandStructure(site, &it, structure))
	}
	id := strconv.FormatInt(it.ID, 10)
	add("/?p=" + id)
	switch it.Type {
	case "page":
		add("/?page_id=" + id)
	case "attachment":
		add("/?attachment_id=" + id)
	}
	return out
}

// expandStructure fills a permalink structure's tags for a post. Dates are
// the post's local date, as WordPress uses. %author% is the login (the
// export carries no author nicename, which WordPress derives from it).
func expandStructure(site Site, it *Item, structure string) string {
	d := it.LocalDate
	if d.IsZero() {
		d = it.Date
	}
	if d.IsZero() || it.Name == "" {
		return ""
	}
	two := func(n int) string { return strconv.Itoa(n/10) + strconv.Itoa(n%10) }
	r := strings.NewReplacer(
		"%year%", strconv.Itoa(d.Year()),
		"%monthnum%", two(int(d.Month())),
		"%day%", two(d.Day()),
		"%hour%", two(d.Hour()),
		"%minute%", two(d.Minute()),
		"%second%", two(d.Second()),
		"%postname%", it.Name,
		"%post_id%", strconv.FormatInt(it.ID, 10),
		"%category%", postCategoryPath(site, it),
		"%author%", strings.ToLower(it.Creator),
	)
	p := r.Replace(strings.TrimSpace(structure))
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return displayPath(p)
}

// postCategoryPath is what %category% stands for: the path (parents
// first) of the post's category with the lowest id, as WordPress picks it,
// or "uncategorized".
func postCategoryPath(site Site, it *Item) string {
	var best *Term
	for _, ref := range it.TermsOf("category") {
		for i := range site.Categories {
			c := &site.Categories[i]
			if c.Slug == ref.Slug && (best == nil || c.ID < best.ID) {
				best = c
			}
		}
	}
	if best == nil {
		return "uncategorized"
	}
	return categoryChain(site, best.Slug)
}

// categoryChain returns "parent/child" for a category slug, following
// parents through site.Categories (a loop or a missing parent ends it).
func categoryChain(site Site, slug string) string {
	chain := []string{slug}
	for range 32 {
		parent := ""
		for _, c := range site.Categories {
			if c.Slug == chain[0] {
				parent = c.Parent
				break
			}
		}
		if parent == "" || slices.Contains(chain, parent) {
			break
		}
		chain = append([]string{parent}, chain...)
	}
	return strings.Join(chain, "/")
}

// TermPermalinks returns the old paths of a category or tag archive:
// /category/parent/child/ and /?cat=ID for a category, /tag/slug/ and
// /?tag=slug for a tag. base replaces "category" or "tag" when the site
// set its own (Settings › Permalinks); "" keeps WordPress's default.
// Other taxonomies get none.
func TermPermalinks(site Site, t Term, base string) []string {
	if t.Slug == "" {
		return nil
	}
	base = strings.Trim(base, "/")
	switch t.Taxonomy {
	case "category":
		if base == "" {
			base = "category"
		}
		out := []string{displayPath("/" + base + "/" + categoryChain(site, t.Slug) + "/")}
		if t.ID > 0 {
			out = append(out, "/?cat="+strconv.FormatInt(t.ID, 10))
		}
		return out
	case "post_tag":
		if base == "" {
			base = "tag"
		}
		return []string{displayPath("/" + base + "/" + t.Slug + "/"), "/?tag=" + queryValue(t.Slug)}
	}
	return nil
}
