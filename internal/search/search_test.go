package search

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"masthead/internal/fault"
)

// entitled are the fields a caller who may read the whole body searches.
var entitled = []Field{Title, Standfirst, Body}

// TestMatching proves, on SQLite FTS5 and (with TEST_DATABASE_URL)
// PostgreSQL, what each kind of query finds: every case is a document,
// a query and whether the query must find it.
func TestMatching(t *testing.T) {
	t.Parallel()
	e := openEngines(t)
	cases := []struct {
		name      string
		docLang   string
		text      string // the body
		q, qLang  string
		wantMatch bool
	}{
		// French: stemming, accents.
		{"fr plural finds plural", "fr", "Les élections législatives auront lieu en juin.", "élections", "", true},
		{"fr unaccented", "fr", "Les élections législatives auront lieu en juin.", "elections ", "fr", true},
		{"fr singular finds plural by stem", "fr", "Les élections législatives auront lieu en juin.", "élection ", "", true},
		{"fr uppercase accented", "fr", "ÉLECTIONS LÉGISLATIVES", "elections legislatives", "fr", true},
		{"fr electoral unaccented", "fr", "Le code électoral change.", "electoral ", "", true},
		{"fr electoral is not elections", "fr", "Les élections législatives auront lieu en juin.", "electoral ", "", false},
		{"fr decomposed accents", "fr", "Les e\u0301lections", "élections ", "fr", true},
		{"fr query decomposed", "fr", "Les élections", "e\u0301lections ", "fr", true},
		// German.
		{"de Häuser finds Haus", "de", "Die Häuser am Fluss wurden renoviert.", "Haus ", "de", true},
		{"de Haus finds Häuser, any language", "de", "Die Häuser am Fluss wurden renoviert.", "Haus ", "", true},
		{"de ß as ss", "de", "Die Straße ist gesperrt.", "strasse ", "", true},
		{"de ss finds ß stem", "de", "Die Straßen sind gesperrt.", "Strasse ", "de", true},
		// Russian: stemming, case, ё.
		{"ru выборах finds выборы", "ru", "Он говорил о выборах в парламент.", "выборы ", "ru", true},
		{"ru any language", "ru", "Он говорил о выборах в парламент.", "выборы ", "", true},
		{"ru upper text, lower query", "ru", "МОСКВА ПРИНИМАЕТ ГОСТЕЙ", "москва ", "", true},
		{"ru lower text, upper query", "ru", "москва принимает гостей", "МОСКВА ", "ru", true},
		{"ru ё in text, е in query", "ru", "Новогодняя ёлка на площади", "елка ", "", true},
		{"ru е in text, ё in query", "ru", "Новогодняя елка на площади", "ёлка ", "ru", true},
		{"ru й is not и", "ru", "Мой край", "краи* ", "", false},
		{"ru й", "ru", "Мой край", "край* ", "", true},
		{"ru stress marks", "ru", "Он говорил о вы́борах.", "выборы ", "ru", true},
		{"ru different word", "ru", "Он говорил о выборах в парламент.", "москва ", "", false},
		// English.
		{"en running finds run", "en", "She was running for mayor.", "run ", "en", true},
		{"en run finds running, any language", "en", "She was running for mayor.", "runs ", "", true},
		{"en different word", "en", "She was running for mayor.", "walk ", "", false},
		// Hyphens and apostrophes.
		{"etats-unis finds États-Unis", "fr", "Le président des États-Unis arrive.", "etats-unis", "", true},
		{"etats unis as a phrase", "fr", "Le président des États-Unis arrive.", `"etats unis"`, "fr", true},
		{"etats-unis is a phrase", "fr", "Les unis et les États du monde", "etats-unis ", "", false},
		{"l'eau finds l’eau", "fr", "La qualité de l’eau potable", "l'eau", "", true},
		{"l’eau finds l'eau", "fr", "La qualité de l'eau potable", "l’eau ", "fr", true},
		{"l'eau finds eau alone", "fr", "Une eau claire", "l'eau ", "", true},
		{"aujourd'hui", "fr", "Aujourd’hui, il pleut.", "aujourd'hui ", "", true},
		// Prefixes.
		{"ouzbekistan unaccented", "fr", "Le voyage en Ouzbékistan", "ouzbekistan", "", true},
		{"ouzbé typed", "fr", "Le voyage en Ouzbékistan", "ouzbé", "", true},
		{"ouzbé explicit", "fr", "Le voyage en Ouzbékistan", "ouzbé* ", "fr", true},
		{"ouzbé complete word", "fr", "Le voyage en Ouzbékistan", "ouzbé ", "", false},
		{"prefix of a stem's word", "fr", "Les élections législatives", "électio", "", true},
		{"typed prefix in a phrase", "fr", "Le président des États-Unis arrive.", "etats-un", "", true},
		{"typed one letter after hyphen", "fr", "Le président des États-Unis arrive.", "etats-u", "", true},
		{"explicit prefix of a common word", "fr", "Les lettres", "le*", "fr", true},
		{"one-letter prefix is a word", "fr", "Le parc x est ouvert", "x*", "", true},
		{"one-letter prefix is a word, no match", "fr", "Le parc xylo", "x*", "", false},
		{"prefix on Cyrillic", "ru", "Новосибирск растёт", "новоси", "", true},
		// Phrases.
		{"phrase", "fr", "Les ministres de l’Union européenne", `"union européenne"`, "", true},
		{"phrase in the wrong order", "fr", "européenne, union", `"union européenne"`, "", false},
		{"phrase with common words", "fr", "Le ministre de l’Intérieur a parlé.", `"ministre de l'intérieur"`, "fr", true},
		{"phrase unclosed", "fr", "Le ministre de l’Intérieur a parlé.", `"ministre de l'intérieur`, "", true},
		{"phrase words apart", "fr", "Le ministre a parlé de l’Intérieur.", `"ministre intérieur"`, "", false},
		// Several words and exclusions.
		{"all words", "fr", "Élections en France et en Allemagne", "élections allemagne ", "", true},
		{"all words, one missing", "fr", "Élections en France", "élections allemagne ", "", false},
		{"exclusion", "fr", "Élections en France", "élections -france ", "", false},
		{"exclusion absent", "fr", "Élections en France", "élections -allemagne", "", true},
		{"excluded phrase", "fr", "Le président des États-Unis arrive.", `président -"etats unis"`, "", false},
		{"excluded phrase absent", "fr", "Le président des États arrive, les unis aussi.", `président -"etats unis"`, "", true},
		// No stemmer, digits, syntax characters as words.
		{"neutral language", "es", "Las elecciones de mañana", "manana ", "", true},
		{"neutral language, exact words only", "es", "Las elecciones de mañana", "eleccion ", "es", false},
		{"digits", "fr", "Les Jeux de 2024 à Paris", "2024 paris", "", true},
		{"FTS5 syntax in words", "en", "A NEAR miss for the AND gate", "NEAR( gate) ^miss", "", true},
		{"tsquery syntax in words", "en", "Tom & Jerry", "tom&jerry | ! <-> ", "", true},
		{"colon is a separator", "en", "title: body", "title:body", "", true},
	}
	for _, c := range cases {
		doc := e.add(t, Doc{Lang: c.docLang, Body: c.text})
		q, err := Parse(c.q, c.qLang)
		if err != nil {
			t.Errorf("%s: Parse(%q): %v", c.name, c.q, err)
			continue
		}
		expr := q.FTS5(entitled...)
		if got := e.liteMatch(t, doc, expr); got != c.wantMatch {
			t.Errorf("%s: SQLite: %q finds %q: %v, want %v\n  %s\n  stems %q\n  words %q",
				c.name, c.q, c.text, got, c.wantMatch, expr, doc.a.Stems[Body], doc.a.Words[Body])
		}
		if e.pg != nil {
			tsv, tsq := doc.a.TSVector(false), q.TSQuery("")
			if got := e.pgMatch(t, tsv, tsq); got != c.wantMatch {
				t.Errorf("%s: PostgreSQL: %q finds %q: %v, want %v\n  %s @@ %s", c.name, c.q, c.text, got, c.wantMatch, tsv, tsq)
			}
		}
	}
}

// TestFieldsAndWeights: the preview and the whole body are searched apart
// (the paywall), and FTS5Positive(Title) and TSQuery("A") agree on where
// the words are.
func TestFieldsAndWeights(t *testing.T) {
	t.Parallel()
	e := openEngines(t)
	doc := e.add(t, Doc{
		Lang:       "fr",
		Title:      "Les vendanges en Bourgogne",
		Standfirst: "Une récolte précoce",
		Preview:    "Les vignerons commencent tôt.",
		Body:       "Les vignerons commencent tôt. Le gel de printemps a réduit les rendements.",
	})
	public := []Field{Title, Standfirst, Preview}
	for _, c := range []struct {
		q                     string
		public, full, inTitle bool
		inTitleOrStandfirst   bool
	}{
		{"bourgogne ", true, true, true, true},
		{"récolte ", true, true, false, true},
		{"vignerons ", true, true, false, false},
		{"gel ", false, true, false, false},
		{"rendement", false, true, false, false},
		{"vendanges gel ", false, true, false, false},
		{"vendanges -gel ", true, false, true, true},
		// No phrase across two fields: the title ends with Bourgogne, the
		// standfirst starts with récolte.
		{`"bourgogne récolte"`, false, false, false, false},
		// Nor across the preview and the rest of the body in the public index.
		{`"tôt gel"`, false, true, false, false},
	} {
		q, err := Parse(c.q, "")
		if err != nil {
			t.Fatalf("Parse(%q): %v", c.q, err)
		}
		check := func(what, expr string, want bool) {
			t.Helper()
			if got := e.liteMatch(t, doc, expr); got != want {
				t.Errorf("%q %s: SQLite %v, want %v (%s)", c.q, what, got, want, expr)
			}
		}
		check("public", q.FTS5(public...), c.public)
		check("full", q.FTS5(entitled...), c.full)
		check("title", q.FTS5Positive(Title), c.inTitle)
		check("title or standfirst", q.FTS5Positive(Title, Standfirst), c.inTitleOrStandfirst)
		if e.pg == nil {
			continue
		}
		checkPG := func(what, tsv, tsq string, want bool) {
			t.Helper()
			if got := e.pgMatch(t, tsv, tsq); got != want {
				t.Errorf("%q %s: PostgreSQL %v, want %v (%s @@ %s)", c.q, what, got, want, tsv, tsq)
			}
		}
		checkPG("public", doc.a.TSVector(true), q.TSQuery(""), c.public)
		checkPG("full", doc.a.TSVector(false), q.TSQuery(""), c.full)
		// Exclusions are left out of the weighted queries.
		checkPG("title", doc.a.TSVector(false), q.TSQuery("A"), c.inTitle)
		checkPG("title or standfirst", doc.a.TSVector(false), q.TSQuery("AB"), c.inTitleOrStandfirst)
	}
}

func TestAnalyze(t *testing.T) {
	a := Analyze(Doc{
		Lang:       "fr",
		Title:      "Les États-Unis et l’eau",
		Standfirst: "L'Ouzbékistan, aujourd'hui",
		Body:       "Élections législatives : 2024 !",
	})
	want := Analyzed{
		Stems: [4]string{"etat unis eau", "ouzbekistan aujourd hui", "", "elect legisl 2024"},
		Words: [4]string{"etats unis eau", "ouzbekistan aujourd hui", "", "elections legislatives 2024"},
	}
	if a.Stems != want.Stems || a.Words != want.Words {
		t.Errorf("Analyze:\n stems %q\n words %q\nwant\n stems %q\n words %q", a.Stems, a.Words, want.Stems, want.Words)
	}
	if got, want := a.TSVector(false), "'2024':11C 'aujourd':6B 'eau':3A 'elect':9C 'elections':9C 'etat':1A 'etats':1A 'hui':7B 'legisl':10C 'legislatives':10C 'ouzbekistan':5B 'unis':2A"; got != want {
		t.Errorf("TSVector(false) = %s\nwant %s", got, want)
	}
	if got, want := a.TSVector(true), "'aujourd':6B 'eau':3A 'etat':1A 'etats':1A 'hui':7B 'ouzbekistan':5B 'unis':2A"; got != want {
		t.Errorf("TSVector(true) = %s\nwant %s", got, want)
	}
	// Unknown language: no stemming, no common words dropped; a language
	// tag with a region is its language.
	if got := Analyze(Doc{Lang: "it", Body: "Le elezioni"}).Stems[Body]; got != "le elezioni" {
		t.Errorf("Italian stems %q", got)
	}
	if got := Analyze(Doc{Lang: "fr-CA", Body: "Les élections"}).Stems[Body]; got != "elect" {
		t.Errorf("fr-CA stems %q", got)
	}
	// Words longer than 60 bytes are left out; ligatures and other Latin
	// letters are folded.
	long := strings.Repeat("x", 61)
	if got := Analyze(Doc{Lang: "", Body: "Œuvre " + long + " Łódź Þór Ærø"}).Words[Body]; got != "oeuvre lodz thor aero" {
		t.Errorf("words %q", got)
	}
}

// TestPositionsBounded: a text longer than PostgreSQL keeps is cut at
// MaxPositions on both engines, and a word repeated more than 256 times
// keeps its first 256 positions; PostgreSQL takes both.
func TestPositionsBounded(t *testing.T) {
	t.Parallel()
	e := openEngines(t)
	var body strings.Builder
	for i := range MaxPositions + 500 {
		body.WriteString("mot" + strconv.Itoa(i) + " ")
	}
	body.WriteString("dernier")
	doc := e.add(t, Doc{Lang: "fr", Title: "titre", Standfirst: "chapeau", Body: body.String()})
	kept := len(strings.Fields(doc.a.Words[Body]))
	if want := MaxPositions - 2 - 2; kept != want {
		t.Errorf("body keeps %d words, want %d", kept, want)
	}
	tsv := doc.a.TSVector(false)
	max := 0
	for _, lexeme := range strings.Fields(tsv) {
		_, positions, _ := strings.Cut(lexeme, ":")
		for _, p := range strings.Split(positions, ",") {
			n, err := strconv.Atoi(strings.TrimRight(p, "ABC"))
			if err != nil {
				t.Fatalf("position %q: %v", p, err)
			}
			max = maxInt(max, n)
		}
	}
	if max != MaxPositions {
		t.Errorf("last position %d, want %d", max, MaxPositions)
	}
	q, err := Parse("dernier ", "")
	if err != nil {
		t.Fatal(err)
	}
	if e.liteMatch(t, doc, q.FTS5(entitled...)) {
		t.Error("SQLite finds a word past MaxPositions")
	}
	if e.pg != nil && e.pgMatch(t, tsv, q.TSQuery("")) {
		t.Error("PostgreSQL finds a word past MaxPositions")
	}

	repeated := Analyze(Doc{Lang: "en", Body: strings.Repeat("echo ", 300)}).TSVector(false)
	_, positions, _ := strings.Cut(repeated, ":")
	if n := len(strings.Split(positions, ",")); n != 256 {
		t.Errorf("a word 300 times has %d positions, want 256", n)
	}
	if e.pg != nil {
		q, _ := Parse("echo", "")
		if !e.pgMatch(t, repeated, q.TSQuery("")) {
			t.Error("PostgreSQL does not find the repeated word")
		}
	}
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func TestParseErrors(t *testing.T) {
	thirteen := "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike"
	for _, c := range []struct{ q, lang, want string }{
		{"", "", "must not be empty"},
		{"   \t ", "", "must not be empty"},
		{strings.Repeat("é", MaxQueryLength+1), "", "at most 200 characters"},
		{"ab\x00cd", "", "control characters"},
		{"ab\x01", "", "control characters"},
		{"\x7f", "", "control characters"},
		{"ab\xffcd", "", "UTF-8"},
		{"-foo", "", "not only words to exclude"},
		{`-foo -"bar baz"`, "", "not only words to exclude"},
		{"le la les", "fr", "only very common words"},
		{"le la les", "", "only very common words"},
		{"the and OR NOT", "", "only very common words"},
		{"и в на", "ru", "only very common words"},
		{thirteen, "", "at most 12"},
		{`"" * - ** !!! `, "", "no word"},
	} {
		_, err := Parse(c.q, c.lang)
		fields, ok := fault.Fields(err)
		if !ok || len(fields) != 1 || fields[0].Field != "q" || !strings.Contains(fields[0].Message, c.want) {
			t.Errorf("Parse(%q, %q) = %v, want an invalid q saying %q", c.q, c.lang, err, c.want)
		}
		if !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("Parse(%q): %v is not fault.ErrInvalid", c.q, err)
		}
	}
	// At the limits: fine.
	for _, q := range []string{
		strings.Repeat("é ", MaxQueryLength/2-1) + "éé",
		strings.Join(strings.Fields(thirteen)[:12], " "),
		// Common words and repetitions are not terms.
		strings.Join(strings.Fields(thirteen)[:12], " ") + " le la les alpha ",
	} {
		if _, err := Parse(q, ""); err != nil {
			t.Errorf("Parse(%q): %v", q, err)
		}
	}
	// A word and its repetitions are one term; tabs and newlines separate.
	if _, err := Parse(strings.Repeat("alpha ", 20)+"\tbravo\n", ""); err != nil {
		t.Errorf("repeated words: %v", err)
	}
}

// TestSyntaxCharacters: whatever a reader types, the engines receive a
// query they accept (or Parse refuses it as invalid).
func TestSyntaxCharacters(t *testing.T) {
	t.Parallel()
	e := openEngines(t)
	doc := e.add(t, Doc{Lang: "en", Title: "Quotes \"and\" (brackets)", Body: "AND OR NOT NEAR a:b c^d {e} f* 'g' \\h"})
	for _, q := range []string{
		`"`, `""`, `"""`, `(`, `)`, `()`, `*`, `**`, `:`, `^`, `NEAR(`, `NEAR(a b)`, `NEAR/2`,
		`AND`, `OR`, `NOT`, `a AND`, `a OR b`, `NOT a`, `'`, `''`, `\`, `\\`, `!`, `&`, `|`,
		`<->`, `<2>`, `a <-> b`, `a & !b`, `a:*`, `a:*A`, `'a':*`, `{title}: a`, `title:a`,
		`-`, `--a`, `-"`, `"-a"`, `a -`, `"a`, `a"b c"d`, `-(a)`, `+a`, `~a`, `$a`, `@a`,
		`a*b`, `*a`, `"a b"*`, `a* b`, `title_w:x`, `{`, `}`, `[`, `]`, `;`, `--`, `/* */`,
		`é'`, `'é`, `l'`, `qu'`, "brackets\u00a0quotes", "\u0301", "a\u0301b", `"and"`,
	} {
		parsed, err := Parse(q, "")
		if err != nil {
			if _, ok := fault.Fields(err); !ok {
				t.Errorf("Parse(%q): %v, not an invalid q", q, err)
			}
			continue
		}
		for _, expr := range []string{parsed.FTS5(), parsed.FTS5(entitled...), parsed.FTS5Positive(Title)} {
			e.liteValid(t, expr)
		}
		if e.pg != nil {
			for _, w := range []string{"", "A", "AB"} {
				e.pgMatch(t, doc.a.TSVector(false), parsed.TSQuery(w))
			}
		}
	}
}

func TestParseCanonical(t *testing.T) {
	same := [][]string{
		{"élections france ", "France  Elections ", "france élections france "},
		{`"etats unis" `, "États-Unis ", "etats-unis "},
		{"l'eau ", "l’eau ", "eau "},
		{"ouzbé*", "OUZBE* "},
	}
	for _, group := range same {
		var keys []string
		for _, q := range group {
			p, err := Parse(q, "")
			if err != nil {
				t.Fatalf("Parse(%q): %v", q, err)
			}
			keys = append(keys, p.Key())
		}
		for i := range keys {
			if keys[i] != keys[0] {
				t.Errorf("Key(%q) = %q, Key(%q) = %q", group[i], keys[i], group[0], keys[0])
			}
		}
	}
	different := []string{"france", "france ", "france*", "-france élections", "élections", "élections france", `"vert bleu" `, `"bleu vert" `}
	seen := map[string]string{}
	for _, q := range different {
		for _, lang := range []string{"", "fr"} {
			p, err := Parse(q, lang)
			if err != nil {
				t.Fatalf("Parse(%q): %v", q, err)
			}
			if other, ok := seen[p.Key()+lang]; ok {
				t.Errorf("Key(%q) = Key(%q) = %q", q, other, p.Key())
			}
			seen[p.Key()+lang] = q
		}
	}
}

func TestRenderings(t *testing.T) {
	q, err := Parse(`"union européenne" -france ouzbé`, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.FTS5(Title, Body), `(({title body}: "ouzb" OR {title_w body_w}: "ouzbe"*) AND ({title body}: "union europeen" OR {title_w body_w}: "union europeenne")) NOT (({title body}: "franc" OR {title_w body_w}: "france"))`; got != want {
		t.Errorf("FTS5 =\n %s\nwant\n %s", got, want)
	}
	if got, want := q.FTS5Positive(Title), `({title}: "ouzb" OR {title_w}: "ouzbe"*) AND ({title}: "union europeen" OR {title_w}: "union europeenne")`; got != want {
		t.Errorf("FTS5Positive =\n %s\nwant\n %s", got, want)
	}
	if got, want := q.TSQuery(""), `!('franc' | 'france') & ('ouzb' | 'ouzbe':*) & (('union' <-> 'europeen') | ('union' <-> 'europeenne'))`; got != want {
		t.Errorf("TSQuery(\"\") =\n %s\nwant\n %s", got, want)
	}
	if got, want := q.TSQuery("ab"), `('ouzb':AB | 'ouzbe':*AB) & (('union':AB <-> 'europeen':AB) | ('union':AB <-> 'europeenne':AB))`; got != want {
		t.Errorf("TSQuery(\"AB\") =\n %s\nwant\n %s", got, want)
	}
	q, err = Parse("élect* ", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.FTS5(Body), `({body_w}: "elect"*)`; got != want {
		t.Errorf("explicit prefix FTS5 = %s, want %s", got, want)
	}
	if got, want := q.TSQuery(""), `('elect':*)`; got != want {
		t.Errorf("explicit prefix TSQuery = %s, want %s", got, want)
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"élève":     "eleve",
		"straße":    "strasse",
		"œuvre":     "oeuvre",
		"ærø":       "aero",
		"łódź":      "lodz",
		"đak":       "dak",
		"þing":      "thing",
		"ångström":  "angstrom",
		"çà":        "ca",
		"й":         "й",
		"и\u0306":   "й", // decomposed й composes again
		"москва":    "москва",
		"ελληνικά":  "ελληνικά", // Greek keeps its accents
		"i\u0307":   "i",        // İ lower-cased
		"q\u0303":   "q",        // a mark no precomposed letter has
		"2024":      "2024",
		"tiếng":     "tieng",
		"ﬁn":        "ﬁn",
		"português": "portugues",
	} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestStopWords: the lists are written folded, and each language's list
// drops its words from the index.
func TestStopWords(t *testing.T) {
	for lang, words := range stopWords {
		if len(words) < 40 {
			t.Errorf("%s: only %d stop words", lang, len(words))
		}
		for w := range words {
			if fold(lower(w)) != w {
				t.Errorf("%s: stop word %q is not folded", lang, w)
			}
		}
	}
	for lang, text := range map[string]string{
		"fr": "Le chat de la voisine et les chiens qu’il aime",
		"en": "The cat of the neighbour and the dogs it's fond of",
		"de": "Die Katze der Nachbarin und die Hunde, für die sie schwärmt",
		"ru": "Кошка соседки и собаки, которых она любит",
	} {
		got := Analyze(Doc{Lang: lang, Body: text}).Words[Body]
		want := map[string]string{
			"fr": "chat voisine chiens aime",
			"en": "cat neighbour dogs fond",
			"de": "katze nachbarin hunde schwarmt",
			"ru": "кошка соседки собаки которых любит",
		}[lang]
		if got != want {
			t.Errorf("%s: words %q, want %q", lang, got, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	text := "Au printemps, les vignerons de Bourgogne ont craint le gel. " +
		"Les élections <script>alert(1)</script> municipales & régionales ont eu lieu en France. " +
		"Le reste du texte parle d’autre chose, longuement, sans rapport avec le sujet."
	q, err := Parse("élections france", "")
	if err != nil {
		t.Fatal(err)
	}
	s, ok := q.Snippet(text, "fr", 12)
	if !ok {
		t.Fatalf("Snippet found nothing: %q", s)
	}
	want := "…<mark>élections</mark> &lt;script&gt;alert(1)&lt;/script&gt; municipales &amp; régionales ont eu lieu en <mark>France</mark>…"
	if s != want {
		t.Errorf("Snippet =\n %q\nwant\n %q", s, want)
	}

	// No match: the start of the text, not marked.
	s, ok = q.Snippet("Rien à voir ici, vraiment rien du tout.", "fr", 4)
	if ok || s != "Rien à voir ici…" {
		t.Errorf("no match: %q, %v", s, ok)
	}
	// The whole text when it is short: no ellipsis, spaces collapsed.
	s, ok = q.Snippet("  Élections\n\n en France.  ", "fr", 30)
	if !ok || s != "<mark>Élections</mark> en <mark>France</mark>." {
		t.Errorf("short text: %q, %v", s, ok)
	}
	// Prefixes, stems and Cyrillic; exclusions are not marked.
	q, err = Parse("москв -выборах ouzbé", "")
	if err != nil {
		t.Fatal(err)
	}
	s, ok = q.Snippet("В Москве говорили об Ouzbékistan и о выборах.", "ru", 30)
	if !ok || s != "В <mark>Москве</mark> говорили об <mark>Ouzbékistan</mark> и о выборах." {
		t.Errorf("Cyrillic: %q, %v", s, ok)
	}
	// The window with the most different terms wins over the one with
	// the most matches.
	q, _ = Parse("gel vigne ", "fr")
	s, _ = q.Snippet("gel gel gel gel un deux trois quatre cinq six sept huit vigne gel", "fr", 3)
	if s != "…huit <mark>vigne</mark> <mark>gel</mark>" {
		t.Errorf("best window: %q", s)
	}
	// Multi-byte text cut anywhere stays valid UTF-8.
	q, _ = Parse("東京 ", "")
	s, ok = q.Snippet("日本の首都は 東京 です。 とても 大きい 都市 です。", "", 2)
	if !ok || !utf8.ValidString(s) || !strings.Contains(s, "<mark>東京</mark>") {
		t.Errorf("multi-byte: %q, %v", s, ok)
	}
}

// BenchmarkAnalyze: an article of about 1,400 words (reindexing cost); one
// sentence repeated, so a lower bound (each distinct word is analysed once).
func BenchmarkAnalyze(b *testing.B) {
	body := strings.Repeat("Les habitants de la vallée ont voté dimanche pour le nouveau pont, "+
		"après trois années de débats où l’on a beaucoup parlé des crues et des budgets. ", 50)
	d := Doc{Lang: "fr", Title: "Un pont pour la vallée", Standfirst: "Le vote de dimanche", Preview: body[:600], Body: body}
	for b.Loop() {
		a := Analyze(d)
		_ = a.TSVector(true)
		_ = a.TSVector(false)
	}
}

// BenchmarkSnippet: a snippet from the same article.
func BenchmarkSnippet(b *testing.B) {
	body := strings.Repeat("Les habitants de la vallée ont voté dimanche pour le nouveau pont, "+
		"après trois années de débats où l’on a beaucoup parlé des crues et des budgets. ", 50)
	q, err := Parse("crues budget", "")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		q.Snippet(body, "fr", 30)
	}
}
