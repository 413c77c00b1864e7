package wordpress

import (
	"errors"
	"maps"
	"strings"
	"testing"
)

func TestParseTranslations(t *testing.T) {
	for in, want := range map[string]map[string]int64{
		`a:2:{s:2:"en";i:8;s:2:"fr";i:9;}`:                  {"en": 8, "fr": 9},
		`a:1:{s:2:"ru";i:12;}`:                              {"ru": 12},
		`a:0:{}`:                                            {},
		`a:2:{s:2:"de";s:2:"41";s:2:"it";s:1:"x";}`:         {"de": 41}, // a numeric string counts
		`a:3:{s:2:"fr";i:3;i:0;i:4;s:2:"es";i:0;}`:          {"fr": 3},  // integer keys and zero ids skipped
		`a:2:{s:2:"fr";i:3;s:4:"sync";a:1:{s:2:"en";b:1;}}`: {"fr": 3},  // a newer key holding an array
		`a:2:{s:5:"pt_BR";i:21;s:2:"zh";d:1.5;}`:            {"pt_BR": 21},
		`a:1:{s:7:"région";i:2;}`:                           {"région": 2}, // lengths are bytes
		`a:1:{s:2:"en";N;}`:                                 {},
	} {
		got, err := ParseTranslations(in)
		if err != nil || !maps.Equal(got, want) {
			t.Errorf("ParseTranslations(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if got, err := ParseTranslations("\n a:1:{s:2:\"ru\";i:12;} "); err != nil || got["ru"] != 12 {
		t.Errorf("surrounding whitespace: %v, %v", got, err)
	}
	for _, in := range []string{
		``, `i:5;`, `s:2:"en";`, `a:2:{s:2:"fr";i:103;`, `a:1:{s:2:"fr";i:1;}x`, `a:1:{s:3:"fr";i:1;}`,
		`a:1:{s:-1:"";i:1;}`, `a:99999999:{}`, `a:1:{d:1.5;i:1;}`, `a:1:{s:2:"fr";i:1x;}`, `a:1:{s:2:"fr"i:1;}`,
		`O:8:"stdClass":0:{}`, `a:1:{s:2:"fr";r:1;}`, `b:2;`, `a:1:{s:2:"fr";d:abc;}`, `a:1:{s:2:"fr";i:1;`,
		strings.Repeat("a:1:{i:0;", 20) + "N;" + strings.Repeat("}", 20), strings.Repeat("x", maxSerializedLen+1),
		`s:10:"short";`,
	} {
		if got, err := ParseTranslations(in); !errors.Is(err, ErrSerialized) {
			t.Errorf("ParseTranslations(%.60q) = %v, %v; want ErrSerialized", in, got, err)
		}
	}
}

func TestPolylangSite(t *testing.T) {
	site, byID, _ := lakeside(t)
	langs := site.Languages()
	if len(langs) != 2 || langs[0] != (Language{Slug: "fr", Name: "Français", Locale: "fr_FR"}) ||
		langs[1] != (Language{Slug: "en", Name: "English", Locale: "en_GB"}) {
		t.Errorf("languages = %+v", langs)
	}
	groups, err := site.TranslationGroups(TaxonomyPostTranslations)
	if err == nil || !strings.Contains(err.Error(), "pll_broken") || !errors.Is(err, ErrSerialized) {
		t.Errorf("error = %v, want one naming the broken group", err)
	}
	if len(groups) != 1 || !maps.Equal(groups["pll_6612ab3c4d5e6"], map[string]int64{"fr": 101, "en": 102}) {
		t.Errorf("post groups = %v", groups)
	}
	// Each post's group names both, and each post's language is the key
	// it has in the group.
	for _, id := range []int64{101, 102} {
		it := byID[id]
		if g := groups[it.TranslationGroup()]; g[it.Language()] != id {
			t.Errorf("post %d (%s) not in its group %v", id, it.Language(), g)
		}
	}
	terms, err := site.TranslationGroups(TaxonomyTermTranslations)
	if err != nil || !maps.Equal(terms["pll_6612cd7e8f901"], map[string]int64{"fr": 2, "en": 5}) {
		t.Errorf("term groups = %v, %v", terms, err)
	}
	if byID[103].Language() != "" || byID[103].TranslationGroup() != "" {
		t.Error("a post without Polylang terms has a language")
	}
}
