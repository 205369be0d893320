package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// hatchedRect is a plot.Plotter drawing the rectangle [X0, X1] × [Y0, Y1]
// in data coordinates with an outline and diagonal hatching, so that it
// stays legible where it overlaps a filled bar. It is also its own legend
// thumbnail.
type hatchedRect struct {
	X0, X1, Y0, Y1 float64
	Fill           color.Color // may be nil
	Line           draw.LineStyle
	Spacing        vg.Length // between hatch lines, measured horizontally
}

// Plot implements plot.Plotter.
func (h *hatchedRect) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	h.draw(&c, vg.Rectangle{
		Min: vg.Point{X: trX(h.X0), Y: trY(h.Y0)},
		Max: vg.Point{X: trX(h.X1), Y: trY(h.Y1)},
	})
}

// DataRange implements plot.DataRanger.
func (h *hatchedRect) DataRange() (xmin, xmax, ymin, ymax float64) {
	return h.X0, h.X1, h.Y0, h.Y1
}

// Thumbnail implements plot.Thumbnailer.
func (h *hatchedRect) Thumbnail(c *draw.Canvas) {
	h.draw(c, c.Rectangle)
}

func (h *hatchedRect) draw(c *draw.Canvas, r vg.Rectangle) {
	corners := []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}}
	if h.Fill != nil {
		c.FillPolygon(h.Fill, c.ClipPolygonXY(corners))
	}
	// Lines y = x - k at 45°, from the top-left corner to the bottom-right
	// one, each cut to the rectangle.
	if h.Spacing > 0 {
		for k := r.Min.X - r.Max.Y + h.Spacing/2; k < r.Max.X-r.Min.Y; k += h.Spacing {
			lo := max(r.Min.X, r.Min.Y+k)
			hi := min(r.Max.X, r.Max.Y+k)
			if lo < hi {
				seg := []vg.Point{{X: lo, Y: lo - k}, {X: hi, Y: hi - k}}
				c.StrokeLines(h.Line, c.ClipLinesXY(seg)...)
			}
		}
	}
	c.StrokeLines(h.Line, c.ClipLinesXY(append(corners, r.Min))...)
}
