package seed

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"masthead/internal/content"
	"masthead/internal/media"
)

// Photo sizes: the generated pictures are what a newsroom uploads after
// its own export, landscape and a little larger than the widest rendition.
const (
	photoWidth  = 1600
	photoHeight = 1000
)

// AutoPhotos is how many photos an archive of n articles shares when the
// caller does not say: one for every hundred articles, between 12 and 400
// (never more than the articles).
func AutoPhotos(n int) int {
	p := min(max(n/100, 12), 400)
	return min(p, n)
}

// photoPool is the stored photos the articles draw from, with a skewed
// choice: a few pictures (the town hall, the river) illustrate many
// stories, most only a handful, as in a real archive.
type photoPool struct {
	ids []string
	rng *rand.Rand
}

// draw picks a photo: index ⌊n·u³⌋ favours the first photos.
func (p *photoPool) draw() string {
	u := p.rng.Float64()
	return p.ids[int(float64(len(p.ids))*u*u*u)]
}

// makePhotos generates n pictures, stores their files and renditions
// through store and their rows through svc, each with a caption, a credit
// and alt text in one of the archive's languages.
func makePhotos(ctx context.Context, svc *content.Service, store *media.Store, n int, rng *rand.Rand, progress func()) ([]string, error) {
	ids := make([]string, 0, n)
	var buf bytes.Buffer
	for i := range n {
		if err := ctx.Err(); err != nil {
			return ids, err
		}
		sc := drawScene(rng)
		buf.Reset()
		if err := jpeg.Encode(&buf, sc.render(photoWidth, photoHeight), &jpeg.Options{Quality: 82}); err != nil {
			return ids, fmt.Errorf("seed: encode photo %d: %w", i+1, err)
		}
		lang := langs[rng.IntN(len(langs))]
		p := people[rng.IntN(len(people))]
		meta := content.Photo{
			Caption: sc.caption(lang, rng),
			Credit:  p.nameIn(lang) + " / " + creditAgency.in(lang),
			Alt:     sc.alt(lang),
		}
		var ph content.Photo
		_, err := store.PutThen(ctx, buf.Bytes(), func(img media.Image) error {
			meta.Hash, meta.Width, meta.Height, meta.Mime, meta.Original = img.Hash, img.Width, img.Height, img.Mime, img.Original
			meta.Blurhash, meta.DominantColor = img.Blurhash, img.DominantColor
			meta.Renditions = make([]content.Rendition, 0, len(img.Renditions))
			for _, r := range img.Renditions {
				meta.Renditions = append(meta.Renditions, content.Rendition{Width: r.Width, Height: r.Height, Path: r.Path})
			}
			var err error
			ph, err = svc.CreatePhoto(ctx, meta)
			return err
		})
		if err != nil {
			return ids, fmt.Errorf("seed: store photo %d: %w", i+1, err)
		}
		ids = append(ids, ph.ID)
		if progress != nil {
			progress()
		}
	}
	return ids, nil
}

// scene is a generated landscape: a sky shading into a horizon, hills, and
// a sun or a moon. Its words (time of day, season) make the alt text, so
// the alt describes what the picture shows.
type scene struct {
	tod       int // index into timesOfDay
	season    int // index into seasons
	horizon   float64
	hills     [3]struct{ phase, freq, amp float64 }
	sunX      float64
	sunY      float64
	sunRadius float64
	grain     uint64
}

var timesOfDay = []struct {
	words    tr
	top, low color.RGBA
	sun      color.RGBA
	darkLand bool
}{
	{tr{"à l'aube", "at dawn", "im Morgengrauen", "на рассвете"}, color.RGBA{70, 90, 150, 255}, color.RGBA{245, 180, 140, 255}, color.RGBA{255, 230, 180, 255}, false},
	{tr{"en plein jour", "in daylight", "bei Tageslicht", "днём"}, color.RGBA{60, 130, 210, 255}, color.RGBA{190, 220, 245, 255}, color.RGBA{255, 250, 220, 255}, false},
	{tr{"au coucher du soleil", "at sunset", "bei Sonnenuntergang", "на закате"}, color.RGBA{120, 60, 110, 255}, color.RGBA{250, 150, 70, 255}, color.RGBA{255, 200, 90, 255}, true},
	{tr{"la nuit", "at night", "bei Nacht", "ночью"}, color.RGBA{10, 15, 40, 255}, color.RGBA{40, 50, 90, 255}, color.RGBA{235, 235, 210, 255}, true},
}

var seasons = []struct {
	words tr
	land  color.RGBA
}{
	{tr{"au printemps", "in spring", "im Frühling", "весной"}, color.RGBA{90, 160, 80, 255}},
	{tr{"en été", "in summer", "im Sommer", "летом"}, color.RGBA{150, 170, 70, 255}},
	{tr{"en automne", "in autumn", "im Herbst", "осенью"}, color.RGBA{170, 110, 50, 255}},
	{tr{"en hiver", "in winter", "im Winter", "зимой"}, color.RGBA{225, 230, 240, 255}},
}

var (
	altFrame     = tr{"Collines %s, %s, sous un ciel dégagé", "Rolling hills %s, %s, under a clear sky", "Hügellandschaft %s, %s, unter klarem Himmel", "Холмы %s, %s, под ясным небом"}
	creditAgency = tr{"Archives Masthead", "Masthead archive", "Masthead-Archiv", "архив Masthead"}
)

func drawScene(r *rand.Rand) scene {
	s := scene{tod: r.IntN(len(timesOfDay)), season: r.IntN(len(seasons)),
		horizon: 0.45 + 0.2*r.Float64(), sunX: 0.1 + 0.8*r.Float64(), sunY: 0.1 + 0.25*r.Float64(),
		sunRadius: 0.03 + 0.04*r.Float64(), grain: r.Uint64()}
	for i := range s.hills {
		s.hills[i].phase = 2 * math.Pi * r.Float64()
		s.hills[i].freq = 1.5 + 4*r.Float64()
		s.hills[i].amp = 0.02 + 0.06*r.Float64()
	}
	return s
}

// render paints the scene at w×h.
func (s scene) render(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	t := timesOfDay[s.tod]
	land := seasons[s.season].land
	if t.darkLand {
		land = shade(land, 0.45)
	}
	sunX, sunY, rad := s.sunX*float64(w), s.sunY*float64(h), s.sunRadius*float64(w)
	noise := s.grain
	for x := range w {
		fx := float64(x) / float64(w)
		ridge := s.horizon
		for _, hl := range s.hills {
			ridge -= hl.amp * (1 + math.Sin(hl.phase+hl.freq*2*math.Pi*fx)) / 2
		}
		top := int(ridge * float64(h))
		for y := range h {
			var c color.RGBA
			if y < top {
				c = mix(t.top, t.low, float64(y)/float64(max(top, 1)))
				dx, dy := float64(x)-sunX, float64(y)-sunY
				if dx*dx+dy*dy < rad*rad {
					c = t.sun
				}
			} else {
				depth := float64(y-top) / float64(max(h-top, 1))
				c = shade(land, 1-0.35*depth)
			}
			// A little grain, so the picture compresses like a photo and
			// not like a flat drawing.
			noise ^= noise << 13
			noise ^= noise >> 7
			noise ^= noise << 17
			d := int(noise%9) - 4
			o := y*img.Stride + x*4
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = clamp8(int(c.R)+d), clamp8(int(c.G)+d), clamp8(int(c.B)+d), 255
		}
	}
	return img
}

func (s scene) alt(lang string) string {
	return fmt.Sprintf(altFrame.in(lang), seasons[s.season].words.in(lang), timesOfDay[s.tod].words.in(lang))
}

// caption is a news caption: a headline clause about the place shown.
func (s scene) caption(lang string, r *rand.Rand) string {
	c := clause{s: r.IntN(len(subjects)), p: r.IntN(len(predicates)), a: r.IntN(len(adverbials)),
		n: numbers[r.IntN(len(numbers))], d1: r.IntN(4), d2: r.IntN(10)}
	return capitalize(renderClause(lang, c)) + "."
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	f := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t) }
	return color.RGBA{f(a.R, b.R), f(a.G, b.G), f(a.B, b.B), 255}
}

func shade(c color.RGBA, k float64) color.RGBA {
	return color.RGBA{uint8(float64(c.R) * k), uint8(float64(c.G) * k), uint8(float64(c.B) * k), 255}
}

func clamp8(v int) uint8 {
	return uint8(min(max(v, 0), 255))
}
