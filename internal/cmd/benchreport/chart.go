package main

import (
	"fmt"
	"image/color"
	"io"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// palette: one colour per series, told apart in grey too.
var palette = []color.Color{
	color.RGBA{R: 0x9e, G: 0xc5, B: 0xe8, A: 0xff},
	color.RGBA{R: 0x1f, G: 0x5f, B: 0xa8, A: 0xff},
	color.RGBA{R: 0xf2, G: 0xb8, B: 0x8c, A: 0xff},
	color.RGBA{R: 0xb8, G: 0x4a, B: 0x12, A: 0xff},
	color.RGBA{R: 0xa8, G: 0xd8, B: 0x9c, A: 0xff},
	color.RGBA{R: 0x2e, G: 0x7d, B: 0x32, A: 0xff},
}

// chartEncoding and the first connection count pick the figures drawn:
// what apps and browsers send.
const chartEncoding = "gzip"

// writeChart draws, for the gzip runs at the smallest connection count,
// Masthead's requests per second as a ratio to the floor per read and per
// database and size, and beside it, when a database has two sizes, the
// growth of p99 from the small archive to the large one.
func writeChart(w io.Writer, d dataset) error {
	gs := groups(d)
	if len(gs) == 0 {
		return fmt.Errorf("no results to draw")
	}
	conns := 0
	for _, g := range gs {
		for _, r := range g.Rows {
			if conns == 0 || r.M.Connections < conns {
				conns = r.M.Connections
			}
		}
	}
	reads := presentReads(gs)
	labels := make([]string, len(reads))
	for i, r := range reads {
		labels[len(reads)-1-i] = readLabel(r) // the first read on top
	}
	at := func(read string) int {
		for i, r := range reads {
			if r == read {
				return len(reads) - 1 - i
			}
		}
		return -1
	}

	left := plot.New()
	left.Title.Text = fmt.Sprintf("req/s as a ratio to the floor (%d connections, gzip)", conns)
	left.X.Label.Text = "× floor (1 = as fast as sending fixed bytes)"
	left.X.Min = 0
	series := gs
	top, err := addBars(left, len(series), func(s int) (string, plotter.Values) {
		g := series[s]
		v := make(plotter.Values, len(reads))
		for _, r := range g.Rows {
			if r.M.Encoding == chartEncoding && r.M.Connections == conns {
				if x, ok := r.rpsRatio(); ok && at(r.M.Read) >= 0 {
					v[at(r.M.Read)] = x
				}
			}
		}
		name := fmt.Sprintf("%s %s", dbLabel(g.DB), sizeLabel(g.Size))
		if g.Procs > 1 {
			name += fmt.Sprintf(" (%d proc.)", g.Procs)
		}
		return name, v
	})
	if err != nil {
		return err
	}
	if err := addMark(left, 1, len(reads)); err != nil {
		return err
	}
	left.NominalY(labels...)
	left.X.Max = max(1.3, 1.1*top)
	left.Legend.Top = true
	left.Legend.Left = false

	plots := []*plot.Plot{left}
	var dbs []string
	for _, db := range dbsOf(gs) {
		if _, _, gr := growths(gs, db); gr != nil {
			dbs = append(dbs, db)
		}
	}
	if len(dbs) > 0 {
		right := plot.New()
		small, large, _ := growths(gs, dbs[0])
		right.Title.Text = fmt.Sprintf("p99 growth, %s → %s articles (%d conn., gzip)", sizeLabel(small), sizeLabel(large), conns)
		right.X.Label.Text = "p99 large / p99 small (target: under 2)"
		right.X.Min = 0
		top, err := addBars(right, len(dbs), func(s int) (string, plotter.Values) {
			_, _, gr := growths(gs, dbs[s])
			v := make(plotter.Values, len(reads))
			for _, x := range gr {
				if x.Encoding == chartEncoding && x.Connections == conns && at(x.Read) >= 0 {
					// No answer at the large size: drawn as 5×, past the target.
					v[at(x.Read)] = min(x.p99Growth(), 5)
				}
			}
			return dbLabel(dbs[s]), v
		})
		if err != nil {
			return err
		}
		if err := addMark(right, 2, len(reads)); err != nil {
			return err
		}
		right.NominalY(labels...)
		right.X.Max = max(2.6, 1.1*top)
		right.Legend.Top = true
		plots = append(plots, right)
	}

	width := vg.Length(len(plots)) * 6 * vg.Inch
	height := vg.Length(1.6+0.38*float64(len(reads))) * vg.Inch
	// The labels are laid out with gonum's Liberation fonts, which are
	// metric-compatible with Times and Arial: what viewers fall back on.
	c := vgsvg.New(width, height)
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: 1, Cols: len(plots), PadX: vg.Inch / 3, PadTop: vg.Inch / 8, PadBottom: vg.Inch / 8,
		PadLeft: vg.Inch / 8, PadRight: vg.Inch / 4}
	canvases := plot.Align([][]*plot.Plot{plots}, tiles, dc)
	for i, p := range plots {
		p.Draw(canvases[0][i])
	}
	_, err = c.WriteTo(w)
	return err
}

// addBars adds n series of horizontal bars, grouped around each read, and
// returns the longest bar.
func addBars(p *plot.Plot, n int, series func(int) (string, plotter.Values)) (float64, error) {
	top := 0.0
	barW := vg.Length(0.3/float64(max(n, 1))) * vg.Inch
	for s := range n {
		name, v := series(s)
		for _, x := range v {
			top = max(top, x)
		}
		bars, err := plotter.NewBarChart(v, barW)
		if err != nil {
			return 0, err
		}
		bars.Horizontal = true
		bars.Color = palette[s%len(palette)]
		bars.LineStyle.Width = 0
		bars.Offset = vg.Length(float64(n-1)/2-float64(s)) * barW // the first series on top, as in the legend
		p.Add(bars)
		p.Legend.Add(name, bars)
	}
	return top, nil
}

// addMark draws a dashed vertical line at x across the reads.
func addMark(p *plot.Plot, x float64, reads int) error {
	l, err := plotter.NewLine(plotter.XYs{{X: x, Y: -0.5}, {X: x, Y: float64(reads) - 0.5}})
	if err != nil {
		return err
	}
	l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	l.Color = color.Gray{Y: 0x55}
	p.Add(l)
	return nil
}

// presentReads is the reads measured, in the order of the tables.
func presentReads(gs []group) []string {
	var out []string
	for _, r := range readOrder {
		for _, g := range gs {
			if hasRead(g, r.key) && !contains(out, r.key) {
				out = append(out, r.key)
			}
		}
	}
	for _, g := range gs { // reads the report does not know, last
		for _, r := range g.Rows {
			if !contains(out, r.M.Read) {
				out = append(out, r.M.Read)
			}
		}
	}
	return out
}

func hasRead(g group, read string) bool {
	for _, r := range g.Rows {
		if r.M.Read == read {
			return true
		}
	}
	return false
}
