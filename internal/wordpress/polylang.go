package wordpress

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Polylang keeps its data in WordPress taxonomies, so an export carries it
// as terms:
//
//   - taxonomy "language": one term per language, slug "fr", name
//     "Français", description a serialized array with the locale
//     (a:3:{s:6:"locale";s:5:"fr_FR";s:3:"rtl";i:0;…}); an item's language
//     is its <category domain="language" nicename="fr">;
//   - taxonomy "post_translations": one term per group of translated
//     posts, slug "pll_…", description the serialized map of language slug
//     to post id (a:2:{s:2:"en";i:8;s:2:"fr";i:9;}); an item names its
//     group with <category domain="post_translations" nicename="pll_…">;
//   - taxonomy "term_translations": the same for categories and tags
//     (language slug to term id).

// Taxonomies Polylang uses.
const (
	TaxonomyLanguage         = "language"
	TaxonomyPostTranslations = "post_translations"
	TaxonomyTermTranslations = "term_translations"
)

// Language is a Polylang language of the site.
type Language struct {
	Slug   string // "fr": the code items are tagged with
	Name   string // "Français"
	Locale string // "fr_FR", "" when the description does not say
}

// Language returns the slug of the item's Polylang language ("fr"), or ""
// when it has none.
func (it Item) Language() string { return it.term(TaxonomyLanguage) }

// TranslationGroup returns the slug of the item's Polylang translation
// group, or "" when it is in none.
func (it Item) TranslationGroup() string { return it.term(TaxonomyPostTranslations) }

// Languages returns the Polylang languages of the site, in file order.
func (s Site) Languages() []Language {
	var out []Language
	for _, t := range s.Terms {
		if t.Taxonomy != TaxonomyLanguage {
			continue
		}
		l := Language{Slug: t.Slug, Name: t.Name}
		if v, err := unserialize(t.Description); err == nil {
			for _, kv := range v.arr {
				if kv.key == "locale" && kv.val.kind == 's' {
					l.Locale = kv.val.str
				}
			}
		}
		out = append(out, l)
	}
	return out
}

// TranslationGroups returns the site's Polylang translation groups of a
// taxonomy (TaxonomyPostTranslations or TaxonomyTermTranslations): group
// slug → language slug → post (or term) id. Groups whose description does
// not parse are left out, and named in the error (errors.Join of one per
// group); the others are returned all the same.
func (s Site) TranslationGroups(taxonomy string) (map[string]map[string]int64, error) {
	groups := make(map[string]map[string]int64)
	var errs []error
	for _, t := range s.Terms {
		if t.Taxonomy != taxonomy {
			continue
		}
		m, err := ParseTranslations(t.Description)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %q: %w", taxonomy, t.Slug, err))
			continue
		}
		groups[t.Slug] = m
	}
	return groups, errors.Join(errs...)
}

// ErrSerialized is returned (wrapped) by ParseTranslations for a
// description it cannot read.
var ErrSerialized = errors.New("not a PHP-serialized translation map")

// ParseTranslations reads the description of a Polylang translation group:
// a PHP-serialized array of language slug to post or term id, such as
// a:2:{s:2:"en";i:8;s:2:"fr";i:9;}.
//
// The parser is strict about the serialization format (lengths, quotes,
// terminators, no trailing bytes) and lenient about content: entries whose
// key is not a language-like string or whose value is not a positive id (a
// number or a string of digits) are skipped, as Polylang itself skips them,
// so that extra keys a newer Polylang may write do not lose the group.
func ParseTranslations(description string) (map[string]int64, error) {
	v, err := unserialize(strings.TrimSpace(description))
	if err != nil {
		return nil, err
	}
	if v.kind != 'a' {
		return nil, fmt.Errorf("%w: not an array", ErrSerialized)
	}
	out := make(map[string]int64, len(v.arr))
	for _, kv := range v.arr {
		if kv.key == "" || len(kv.key) > 20 || kv.intKey {
			continue
		}
		var id int64
		switch kv.val.kind {
		case 'i':
			id = kv.val.num
		case 's':
			id, _ = strconv.ParseInt(kv.val.str, 10, 64)
		}
		if id > 0 {
			out[kv.key] = id
		}
	}
	return out, nil
}

// phpValue is a value of PHP's serialization format, of the kinds a
// Polylang description can hold: 'i' integer, 's' string, 'b' boolean
// (num 0 or 1), 'd' float (kept as its text in str), 'N' null, 'a' array.
type phpValue struct {
	kind byte
	num  int64
	str  string
	arr  []phpPair
}

type phpPair struct {
	key    string
	intKey bool
	val    phpValue
}

// Bounds of what unserialize accepts; a translation group is far smaller.
const (
	maxSerializedLen   = 1 << 16
	maxSerializedDepth = 8
)

// unserialize parses PHP's serialize() output: i:N; s:LEN:"…"; b:0|1;
// d:F; N; and a:COUNT:{key value…}, keys being i: or s:. Objects,
// references and anything else are refused.
func unserialize(s string) (phpValue, error) {
	if len(s) > maxSerializedLen {
		return phpValue{}, fmt.Errorf("%w: longer than %d bytes", ErrSerialized, maxSerializedLen)
	}
	p := phpParser{s: s}
	v, err := p.value(0)
	if err != nil {
		return phpValue{}, err
	}
	if p.i != len(s) {
		return phpValue{}, p.fail("trailing bytes")
	}
	return v, nil
}

type phpParser struct {
	s string
	i int
}

func (p *phpParser) fail(what string) error {
	return fmt.Errorf("%w: %s at byte %d", ErrSerialized, what, p.i)
}

func (p *phpParser) expect(c byte) error {
	if p.i >= len(p.s) || p.s[p.i] != c {
		return p.fail(fmt.Sprintf("want %q", c))
	}
	p.i++
	return nil
}

// until returns the bytes up to the next c (not included) and moves past c.
func (p *phpParser) until(c byte) (string, error) {
	j := strings.IndexByte(p.s[p.i:], c)
	if j < 0 {
		return "", p.fail(fmt.Sprintf("no %q", c))
	}
	tok := p.s[p.i : p.i+j]
	p.i += j + 1
	return tok, nil
}

func (p *phpParser) int(end byte) (int64, error) {
	tok, err := p.until(end)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(tok, 10, 64)
	if err != nil {
		return 0, p.fail("bad integer")
	}
	return n, nil
}

func (p *phpParser) value(depth int) (phpValue, error) {
	if depth > maxSerializedDepth {
		return phpValue{}, p.fail("nested too deep")
	}
	if p.i >= len(p.s) {
		return phpValue{}, p.fail("unexpected end")
	}
	kind := p.s[p.i]
	p.i++
	if kind == 'N' {
		return phpValue{kind: 'N'}, p.expect(';')
	}
	if err := p.expect(':'); err != nil {
		return phpValue{}, err
	}
	switch kind {
	case 'i':
		n, err := p.int(';')
		return phpValue{kind: 'i', num: n}, err
	case 'b':
		n, err := p.int(';')
		if err == nil && n != 0 && n != 1 {
			err = p.fail("bad boolean")
		}
		return phpValue{kind: 'b', num: n}, err
	case 'd':
		tok, err := p.until(';')
		if err == nil {
			if _, perr := strconv.ParseFloat(tok, 64); perr != nil && tok != "INF" && tok != "-INF" && tok != "NAN" {
				err = p.fail("bad float")
			}
		}
		return phpValue{kind: 'd', str: tok}, err
	case 's':
		n, err := p.int(':')
		if err != nil {
			return phpValue{}, err
		}
		if n < 0 || n > int64(len(p.s)-p.i) {
			return phpValue{}, p.fail("bad string length")
		}
		if err := p.expect('"'); err != nil {
			return phpValue{}, err
		}
		if int64(len(p.s)-p.i) < n {
			return phpValue{}, p.fail("string runs past the end")
		}
		str := p.s[p.i : p.i+int(n)]
		p.i += int(n)
		if err := p.expect('"'); err != nil {
			return phpValue{}, err
		}
		return phpValue{kind: 's', str: str}, p.expect(';')
	case 'a':
		n, err := p.int(':')
		if err != nil {
			return phpValue{}, err
		}
		// Each entry takes at least 8 bytes (i:0;i:0;).
		if n < 0 || n > int64(len(p.s)-p.i)/8+1 {
			return phpValue{}, p.fail("bad array count")
		}
		if err := p.expect('{'); err != nil {
			return phpValue{}, err
		}
		v := phpValue{kind: 'a', arr: make([]phpPair, 0, n)}
		for range n {
			k, err := p.value(depth + 1)
			if err != nil {
				return phpValue{}, err
			}
			var pair phpPair
			switch k.kind {
			case 's':
				pair.key = k.str
			case 'i':
				pair.key, pair.intKey = strconv.FormatInt(k.num, 10), true
			default:
				return phpValue{}, p.fail("array key is neither a string nor an integer")
			}
			if pair.val, err = p.value(depth + 1); err != nil {
				return phpValue{}, err
			}
			v.arr = append(v.arr, pair)
		}
		return v, p.expect('}')
	}
	return phpValue{}, p.fail(fmt.Sprintf("unsupported type %q", kind))
}
