package api_test

import (
	"net/http"
	"slices"
	"sort"
	"testing"

	"masthead/api/apitest"
	"masthead/internal/content"
)

type sectionItem struct {
	Slug   string            `json:"slug"`
	Name   string            `json:"name"`
	Names  map[string]string `json:"names"`
	Parent *string           `json:"parent"`
}

type tagItem struct {
	Slug, Name, Kind string
}

func TestTaxonomyAndPhotos(t *testing.T) {
	t.Parallel()
	a := apitest.New(t)

	sections := func(t *testing.T, lang string) map[string]sectionItem {
		t.Helper()
		r := a.Get("/v1/sections?lang="+lang, "")
		mustStatus(t, r, http.StatusOK, "sections")
		var p struct{ Data []sectionItem }
		r.JSON(t, &p)
		out := map[string]sectionItem{}
		for _, s := range p.Data {
			out[s.Slug] = s
		}
		return out
	}

	t.Run("sections", func(t *testing.T) {
		// content.go: Sections, names in fr and en, and parents.
		want := map[string]struct{ fr, en, parent string }{
			"politique":     {"Politique", "Politics", ""},
			"diplomatie":    {"Diplomatie", "Diplomacy", "politique"},
			"societe":       {"Société", "Society", ""},
			"environnement": {"Environnement", "Environment", "societe"},
			"economie":      {"Économie", "Economy", ""},
			"culture":       {"Culture", "Culture", ""},
		}
		fr, en := sections(t, "fr"), sections(t, "en")
		if len(fr) != len(want) || len(en) != len(want) {
			t.Fatalf("%d/%d sections, want %d", len(fr), len(en), len(want))
		}
		for slug, w := range want {
			f, e := fr[slug], en[slug]
			if f.Name != w.fr || e.Name != w.en || f.Names["en"] != w.en || f.Names["fr"] != w.fr {
				t.Errorf("%s: fr %q en %q names %v", slug, f.Name, e.Name, f.Names)
			}
			parent := ""
			if f.Parent != nil {
				parent = *f.Parent
			}
			if parent != w.parent {
				t.Errorf("%s: parent %q, want %q", slug, parent, w.parent)
			}
		}
	})

	t.Run("tags", func(t *testing.T) {
		kinds := map[string][]string{
			"country": {"equimont", "kestria", "norhavn"},
			"topic":   {"climat", "eau", "elections", "frontieres", "sante", "transports"},
		}
		for kind, want := range kinds {
			r := a.Get("/v1/tags?kind="+kind, "")
			mustStatus(t, r, 200, kind)
			var p struct{ Data []tagItem }
			r.JSON(t, &p)
			var got []string
			for _, tg := range p.Data {
				if tg.Kind != kind {
					t.Errorf("kind=%s returned %+v", kind, tg)
				}
				got = append(got, tg.Slug)
			}
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("kind=%s: %v, want %v", kind, got, want)
			}
		}
		r := a.Get("/v1/tags", "")
		var p struct{ Data []tagItem }
		r.JSON(t, &p)
		if len(p.Data) != 9 {
			t.Errorf("%d tags, want 9", len(p.Data))
		}
		for _, tg := range p.Data {
			if tg.Slug == "equimont" && tg.Name != "Équimont" {
				t.Errorf("equimont named %q", tg.Name)
			}
		}
	})

	wells := a.Article("wells")
	apitest.RunShared(t, a, []apitest.Scenario{
		{Name: "sections bad lang", Path: "/v1/sections?lang=francais", WantStatus: 400, WantCode: "bad_request"},
		{Name: "tags bad kind", Path: "/v1/tags?kind=person", WantStatus: 400, WantCode: "bad_request"},
		{Name: "author", Path: "/v1/authors/lea-morvand", WantStatus: 200,
			WantContains: []string{`"slug":"lea-morvand"`, `"name":"Léa Morvand"`, "Covers politics and diplomacy in the Valley"}},
		{Name: "unknown author", Path: "/v1/authors/nobody", WantStatus: 404, WantCode: "not_found"},
		{Name: "bad author slug", Path: "/v1/authors/Lea_Morvand", WantStatus: 404, WantCode: "not_found"},
		{Name: "photo", Path: "/v1/photos/" + wells.PhotoID, WantStatus: 200,
			WantContains: []string{`"id":"` + wells.PhotoID + `"`, "Mathilde Arnaud, éleveuse", `"renditions":[{`, `"url":"/media/`},
			Check: func(t *testing.T, a *apitest.App, r apitest.Response) {
				var ph photo
				r.JSON(t, &ph)
				if len(ph.Renditions) < 2 {
					t.Errorf("%d renditions", len(ph.Renditions))
				}
				for _, rd := range ph.Renditions {
					if m := a.Get(rd.URL, ""); m.Status != 200 {
						t.Errorf("%s: %d", rd.URL, m.Status)
					}
				}
			}},
		{Name: "unknown photo", Path: "/v1/photos/" + content.NewID(), WantStatus: 404, WantCode: "not_found"},
		{Name: "malformed photo id", Path: "/v1/photos/not-an-id", WantStatus: 404, WantCode: "not_found"},
		{Name: "photo id with quote", Path: "/v1/photos/%27%20OR%201%3D1", WantStatus: 404, WantCode: "not_found"},
		{Name: "article id as photo id", Path: "/v1/photos/" + wells.ID, WantStatus: 404, WantCode: "not_found"},
	})
}
