package demo

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// drawPicture deterministically paints an abstract landscape "photo" from
// seed: a sky gradient with a sun disc and its glow, a few soft clouds, several
// layers of hills fading into the haze, and a little grain so that JPEG sizes
// look like those of real photographs. The same seed always gives the same
// pixels; different seeds give different palettes and shapes.
func drawPicture(seed int64, width, height int) image.Image {
	if width < 1 {
		width = 1
	}
	if height < 1 {
		height = 1
	}
	s1 := splitmix(uint64(seed))
	rng := rand.New(rand.NewPCG(s1, splitmix(s1)))
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	w, h := float64(width), float64(height)

	// Palette: a plausible sky (day, sunset, dawn, haze, golden hour) with
	// some jitter, and land between ochre and green.
	skies := [...]struct{ top, horizon, sun float64 }{
		{0.60, 0.55, 0.14}, // clear day
		{0.72, 0.06, 0.10}, // sunset
		{0.63, 0.95, 0.12}, // dawn
		{0.52, 0.47, 0.15}, // hazy teal
		{0.58, 0.11, 0.13}, // golden hour
		{0.68, 0.85, 0.08}, // dusk
	}
	sky := skies[rng.IntN(len(skies))]
	j := func() float64 { return (rng.Float64() - 0.5) * 0.06 }
	skyTop := hsl(sky.top+j(), 0.45+0.3*rng.Float64(), 0.28+0.2*rng.Float64())
	horizon := hsl(sky.horizon+j(), 0.5+0.35*rng.Float64(), 0.7+0.15*rng.Float64())
	sunCol := hsl(sky.sun+j(), 0.9, 0.86+0.08*rng.Float64())
	landHue := 0.07 + 0.33*rng.Float64()
	landSat := 0.2 + 0.35*rng.Float64()

	// Sun.
	sunX := w * (0.15 + 0.7*rng.Float64())
	sunY := h * (0.15 + 0.3*rng.Float64())
	sunR := math.Min(w, h) * (0.04 + 0.05*rng.Float64())
	glowR := sunR * (5 + 4*rng.Float64())

	// Clouds: soft horizontal ellipses.
	type cloud struct{ x, y, rx, ry, a float64 }
	clouds := make([]cloud, 2+rng.IntN(5))
	for i := range clouds {
		clouds[i] = cloud{
			x:  w * rng.Float64(),
			y:  h * (0.05 + 0.35*rng.Float64()),
			rx: w * (0.08 + 0.18*rng.Float64()),
			ry: h * (0.015 + 0.04*rng.Float64()),
			a:  0.25 + 0.4*rng.Float64(),
		}
	}

	// Hills: back to front, each a sum of sines sampled per column.
	nLayers := 3 + rng.IntN(3)
	tops := make([][]float64, nLayers)
	cols := make([][3]float64, nLayers)
	for l := 0; l < nLayers; l++ {
		depth := float64(l) / float64(nLayers-1) // 0 = far, 1 = near
		base := h * (0.45 + 0.4*depth + 0.05*rng.Float64())
		amp := h * (0.04 + 0.08*rng.Float64()) * (1 - 0.4*depth)
		type wave struct{ f, p, a float64 }
		waves := make([]wave, 4)
		for i := range waves {
			waves[i] = wave{
				f: (1 + 5*rng.Float64()) * math.Pow(2, float64(i)) * math.Pi / w,
				p: 2 * math.Pi * rng.Float64(),
				a: 1 / math.Pow(1.8, float64(i)),
			}
		}
		t := make([]float64, width)
		for x := range t {
			v := 0.0
			for _, wv := range waves {
				v += wv.a * math.Sin(float64(x)*wv.f+wv.p)
			}
			t[x] = base - amp*v
		}
		tops[l] = t
		land := hsl(landHue+0.05*rng.Float64(), landSat, 0.42-0.28*depth)
		// Atmospheric perspective: far layers blend towards the horizon colour.
		haze := 0.75 * (1 - depth)
		for c := 0; c < 3; c++ {
			cols[l][c] = land[c]*(1-haze) + horizon[c]*haze
		}
	}

	// Grain: a per-pixel hash of (seed, x, y), so it has no visible pattern.
	grainKey := splitmix(s1 ^ 0xA5A5A5A5)
	grain := 5 + 4*rng.Float64()

	pix := img.Pix
	for y := 0; y < height; y++ {
		fy := float64(y)
		row := pix[y*img.Stride:]
		for x := 0; x < width; x++ {
			fx := float64(x)
			var r, g, b float64
			layer := -1
			for l := nLayers - 1; l >= 0; l-- {
				if fy >= tops[l][x] {
					layer = l
					break
				}
			}
			if layer >= 0 {
				c := cols[layer]
				// Darken slightly below the ridge line.
				k := 1 - 0.25*math.Min(1, (fy-tops[layer][x])/(h*0.3))
				r, g, b = c[0]*k, c[1]*k, c[2]*k
			} else {
				t := fy / h
				if t > 1 {
					t = 1
				}
				t = math.Sqrt(t)
				r = skyTop[0]*(1-t) + horizon[0]*t
				g = skyTop[1]*(1-t) + horizon[1]*t
				b = skyTop[2]*(1-t) + horizon[2]*t
				for _, cl := range clouds {
					dx, dy := (fx-cl.x)/cl.rx, (fy-cl.y)/cl.ry
					d := dx*dx + dy*dy
					if d < 1 {
						a := cl.a * (1 - d) * (1 - d)
						r += (0.97 - r) * a
						g += (0.96 - g) * a
						b += (0.94 - b) * a
					}
				}
				dx, dy := fx-sunX, fy-sunY
				d := math.Sqrt(dx*dx + dy*dy)
				if d < sunR {
					r, g, b = sunCol[0], sunCol[1], sunCol[2]
				} else if d < glowR {
					a := (1 - (d-sunR)/(glowR-sunR))
					a = a * a * 0.7
					r += (sunCol[0] - r) * a
					g += (sunCol[1] - g) * a
					b += (sunCol[2] - b) * a
				}
			}
			hv := (uint64(y)<<32 | uint64(x)) ^ grainKey
			hv *= 0xBF58476D1CE4E5B9
			hv ^= hv >> 31
			hv *= 0x94D049BB133111EB
			n := (float64(hv>>56)/255 - 0.5) * grain
			i := x * 4
			row[i] = clamp8(r*255 + n)
			row[i+1] = clamp8(g*255 + n)
			row[i+2] = clamp8(b*255 + n)
			row[i+3] = 0xff
		}
	}
	return img
}

// encodeJPEG encodes img as a JPEG at quality 85.
func encodeJPEG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// splitmix is the SplitMix64 finaliser; it turns nearby seeds into unrelated
// values.
func splitmix(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ x>>30) * 0xBF58476D1CE4E5B9
	x = (x ^ x>>27) * 0x94D049BB133111EB
	return x ^ x>>31
}

func clamp8(v float64) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// hsl converts hue (any real, wrapped to [0,1)), saturation and lightness in
// [0,1] to linear-ish RGB components in [0,1].
func hsl(h, s, l float64) [3]float64 {
	h -= math.Floor(h)
	s = math.Max(0, math.Min(1, s))
	l = math.Max(0, math.Min(1, l))
	c := (1 - math.Abs(2*l-1)) * s
	hp := h * 6
	x := c * (1 - math.Abs(math.Mod(hp, 2)-1))
	var r, g, b float64
	switch {
	case hp < 1:
		r, g, b = c, x, 0
	case hp < 2:
		r, g, b = x, c, 0
	case hp < 3:
		r, g, b = 0, c, x
	case hp < 4:
		r, g, b = 0, x, c
	case hp < 5:
		r, g, b = x, 0, c
	default:
		r, g, b = c, 0, x
	}
	m := l - c/2
	return [3]float64{r + m, g + m, b + m}
}
