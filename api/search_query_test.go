package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/access"
)

// postArticle creates a published public article through the editorial
// API; extra fields are added to (or replace those of) the request.
func postArticle(t *testing.T, a *apitest.App, token, lang, title, standfirst string, paras []string, extra map[string]any) aaArticle {
	t.Helper()
	bl := make([]map[string]string, len(paras))
	for i, p := range paras {
		bl[i] = map[string]string{"type": "paragraph", "text": p}
	}
	req := map[string]any{
		"title": title, "standfirst": standfirst, "lang": lang, "access": "public",
		"status": "published", "blocks": bl,
	}
	for k, v := range extra {
		req[k] = v
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	art, _ := aaCreate(t, a, token, string(b))
	return art
}

// expectFinds checks, for each query, which of the named articles a search
// (anonymous, /v1/search and /v1/articles?q=) finds: exactly want among
// them.
func expectFinds(t *testing.T, a *apitest.App, arts map[string]string, cases []findCase) {
	t.Helper()
	names := make([]string, 0, len(arts))
	for n := range arts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, c := range cases {
		var got []string
		for _, n := range names {
			if found(t, a, "", c.q, arts[n], c.params...) {
				got = append(got, n)
			}
		}
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("q=%q %v finds %v, want %v", c.q, c.params, got, want)
		}
	}
}

type findCase struct {
	q      string
	params []string
	want   []string
}

func cases(want []string, params []string, qs ...string) []findCase {
	out := make([]findCase, len(qs))
	for i, q := range qs {
		out[i] = findCase{q: q, params: params, want: want}
	}
	return out
}

// TestSearchLanguages: each language's stemming, case and accent folding,
// apostrophes, and lang= restricting the articles and the stemming.
func TestSearchLanguages(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	arts := map[string]string{}
	add := func(name, lang, title string, paras ...string) {
		arts[name] = postArticle(t, a, ed, lang, title, "", paras, nil).ID
	}
	add("usa", "fr", "Le ministre en visite aux États-Unis", "Il y restera trois jours.")
	add("ouzbek", "fr", "La frontière de l’Ouzbékistan rouvre au printemps", "Les douaniers s’y préparent.")
	add("eau", "fr", "Coupures prévues dans trois quartiers", "Le prix de l’eau augmente encore à Sernac.")
	add("votes", "fr", "Les élections cantonales reportées", "Le scrutin aura lieu en juin.")
	add("runs", "en", "She runs the shelter by the quay", "Volunteers help every night.")
	add("running", "en", "Running the tram depot at night", "A shift with the maintenance crew.")
	add("houses", "de", "Die Häuser am Kanal werden saniert", "Die Arbeiten beginnen im Mai.")
	add("house", "de", "Ein Haus für die Musikschule", "Der Umzug ist für Herbst geplant.")
	add("vybory", "ru", "Выборы в городской совет назначены на осень", "Кандидаты подают документы.")
	add("moskva", "ru", "МОСКВА принимает делегацию из Варенна", "Визит продлится два дня.")
	add("moskva2", "ru", "Поезд из москва в Норхавн", "Расписание изменится летом.")

	t.Run("French", func(t *testing.T) {
		var cs []findCase
		cs = append(cs, cases([]string{"usa"}, nil, "etats-unis", "États-Unis", "ÉTATS-UNIS ", "etats unis", `"etats unis"`, "Etats-Unis visite")...)
		cs = append(cs, cases([]string{"ouzbek"}, nil, "ouzbekistan", "Ouzbékistan ", "OUZBEKISTAN ", "ouzbé", "ouzbe", "ouzbé*", "l'ouzbékistan", "l’Ouzbékistan ")...)
		cs = append(cs, cases([]string{"eau"}, nil, "l'eau sernac", "l’eau sernac", "L'EAU Sernac", `"l'eau augmente"`)...)
		// Stemming: the singular finds the plural, the verb its forms.
		cs = append(cs, cases([]string{"votes"}, nil, "élection ", "election ", "cantonale ", "reporté ")...)
		cs = append(cs, cases([]string{"votes"}, []string{"lang", "fr"}, "élection ", "reportées")...)
		expectFinds(t, a, arts, cs)
	})
	t.Run("English", func(t *testing.T) {
		cs := cases([]string{"runs", "running"}, nil, "run ", "running ", "runs ")
		cs = append(cs, cases([]string{"runs", "running"}, []string{"lang", "en"}, "run ", "RUNNING ")...)
		cs = append(cs, cases([]string{"runs"}, nil, "shelters ", "volunteer ")...)
		expectFinds(t, a, arts, cs)
	})
	t.Run("German", func(t *testing.T) {
		cs := cases([]string{"houses", "house"}, nil, "Haus ", "Häuser ", "hauser ", "HÄUSER ")
		cs = append(cs, cases([]string{"houses", "house"}, []string{"lang", "de"}, "haus ", "häuser ")...)
		expectFinds(t, a, arts, cs)
	})
	t.Run("Russian", func(t *testing.T) {
		cs := cases([]string{"vybory"}, nil, "выборах ", "выборы ", "ВЫБОРОВ ", "выбор")
		cs = append(cs, cases([]string{"moskva", "moskva2"}, nil, "москва ", "МОСКВА ", "Москва ", "москв")...)
		cs = append(cs, cases([]string{"vybory"}, []string{"lang", "ru"}, "выборах ", "городского ")...)
		expectFinds(t, a, arts, cs)
	})
	t.Run("lang restricts", func(t *testing.T) {
		// The same made-up word in four languages.
		word := "Quendrilos"
		both := map[string]string{
			"fr": postArticle(t, a, ed, "fr", "Le "+word+" arrive à Sernac", "", []string{"Texte."}, nil).ID,
			"en": postArticle(t, a, ed, "en", "The "+word+" reaches Sernac", "", []string{"Text."}, nil).ID,
			"de": postArticle(t, a, ed, "de", "Der "+word+" erreicht Sernac", "", []string{"Text."}, nil).ID,
			"ru": postArticle(t, a, ed, "ru", word+" прибывает в Сернак", "", []string{"Текст."}, nil).ID,
		}
		cs := cases([]string{"de", "en", "fr", "ru"}, nil, word, strings.ToLower(word)+" ")
		for _, l := range []string{"fr", "en", "de", "ru"} {
			cs = append(cs, cases([]string{l}, []string{"lang", l}, word)...)
		}
		cs = append(cs, cases(nil, []string{"lang", "it"}, word)...)
		expectFinds(t, a, both, cs)
		p := doSearch(t, a, "", word)
		if p.Total != 4 || len(p.Facets.Languages) != 4 {
			t.Errorf("q=%s: total %d, languages %+v", word, p.Total, p.Facets.Languages)
		}
		for _, h := range doSearch(t, a, "", "sernac", "lang", "en").Data {
			if h.Article.Lang != "en" {
				t.Errorf("lang=en: a hit in %s", h.Article.Lang)
			}
		}
	})
}

// TestSearchSyntax: prefixes (word* and the last word typed), phrases,
// exclusions, and every word required.
func TestSearchSyntax(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)
	ed := a.Token(access.RoleEditor)
	arts := map[string]string{
		"adjacent": postArticle(t, a, ed, "en", "Cobalt lanterns over the Sernac quay", "", []string{"The harbour lights were lit at dusk."}, nil).ID,
		"apart":    postArticle(t, a, ed, "en", "Lanterns of brass, roofs of cobalt", "", []string{"Paint peeled in the harbour."}, nil).ID,
		"other":    postArticle(t, a, ed, "en", "A quiet night on the Sernac quay", "", []string{"Only gulls and one cobalt boat."}, nil).ID,
	}
	var cs []findCase
	// Every word is required.
	cs = append(cs, cases([]string{"adjacent", "apart"}, nil, "cobalt lanterns", "lanterns cobalt ", "LANTERNS cobalt")...)
	cs = append(cs, cases([]string{"adjacent", "other"}, nil, "sernac quay ", "quay sernac")...)
	cs = append(cs, cases([]string{"adjacent"}, nil, "cobalt lanterns sernac", "lantern sernac dusk ")...)
	cs = append(cs, cases(nil, nil, "cobalt lanterns zeppelin ", "gulls brass ")...)
	// Phrases: adjacent words only.
	cs = append(cs, cases([]string{"adjacent"}, nil, `"cobalt lanterns"`, `"Cobalt Lantern"`, `"cobalt lanterns" sernac`, `"harbour lights"`)...)
	cs = append(cs, cases(nil, nil, `"lanterns cobalt"`, `"cobalt sernac"`, `"brass cobalt"`)...)
	cs = append(cs, cases([]string{"apart"}, nil, `"roofs of cobalt"`, `"roofs cobalt"`)...)
	// Exclusions.
	cs = append(cs, cases([]string{"apart"}, nil, "cobalt lanterns -sernac", "cobalt -quay", `cobalt -"sernac quay"`, "cobalt -dusk -gulls ")...)
	cs = append(cs, cases([]string{"adjacent", "other"}, nil, "cobalt -brass", `cobalt -"roofs of cobalt"`)...)
	cs = append(cs, cases([]string{"other"}, nil, `sernac -"cobalt lanterns"`, "cobalt -lantern ")...)
	// Prefixes: word*, and the last word as typed, but not with a space
	// after it.
	cs = append(cs, cases([]string{"adjacent", "apart"}, nil, "lant*", "lante", "LANTER", "cob* lant", "lant* cob*")...)
	cs = append(cs, cases(nil, nil, "lante ", "lant* zepp", "cobal lante ")...)
	cs = append(cs, cases([]string{"adjacent", "other"}, nil, "sern* qua", "sernac qu")...)
	cs = append(cs, cases([]string{"adjacent"}, nil, `"cobalt lant"*`, "cobalt lant* -brass")...)
	expectFinds(t, a, arts, cs)
}
