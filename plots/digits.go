package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// MaxGrid is the largest number of rows or columns Digits accepts.
const MaxGrid = 40

// Layout of a Digits picture.
const (
	digitSize   = 0.8 * vg.Inch  // side of one image
	digitPadX   = 0.15 * vg.Inch // between columns and at the edges
	captionH    = 0.22 * vg.Inch // below each image
	titleH      = 0.35 * vg.Inch
	captionSize = 8
	titleSize   = 12
)

// Digits draws images, such as the digits a model is least sure about, as
// a grid of small grey-scale pictures with a caption under each, as a PNG
// picture of about 0.95 × 1.1 inches per cell.
//
// Each image is a square of side × side pixels flattened row by row, top
// row first (a 28 × 28 MNIST digit is 784 values), with 0 for the
// background, drawn white, and 1 for full ink, drawn black; values outside
// [0, 1] are clipped. The images fill the grid row by row; cells beyond the
// last image are left empty. captions may be nil, or have one (possibly
// empty) caption per image, for example "7 (p=0.41)".
//
// It returns an error if rows or cols is outside [1, MaxGrid], there are no
// images or more than rows × cols, the images are not all the same square
// size, a value is NaN, or captions has the wrong length.
func Digits(title string, images [][]float64, rows, cols int, captions []string) ([]byte, error) {
	const fn = "Digits"
	if rows < 1 || rows > MaxGrid {
		return nil, fmt.Errorf("plots: %s: rows = %d, want 1 to %d", fn, rows, MaxGrid)
	}
	if cols < 1 || cols > MaxGrid {
		return nil, fmt.Errorf("plots: %s: cols = %d, want 1 to %d", fn, cols, MaxGrid)
	}
	if len(images) == 0 {
		return nil, fmt.Errorf("plots: %s: no images", fn)
	}
	if len(images) > rows*cols {
		return nil, fmt.Errorf("plots: %s: %d images do not fit a %d × %d grid", fn, len(images), rows, cols)
	}
	if captions != nil && len(captions) != len(images) {
		return nil, fmt.Errorf("plots: %s: %d captions for %d images", fn, len(captions), len(images))
	}
	side := int(math.Round(math.Sqrt(float64(len(images[0])))))
	if side == 0 || side*side != len(images[0]) {
		return nil, fmt.Errorf("plots: %s: images[0] has %d pixels, not a positive square number", fn, len(images[0]))
	}
	for k, img := range images {
		if len(img) != side*side {
			return nil, fmt.Errorf("plots: %s: images[%d] has %d pixels, images[0] has %d", fn, k, len(img), side*side)
		}
		for j, v := range img {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("plots: %s: images[%d][%d] is NaN", fn, k, j)
			}
		}
	}

	cellW := digitSize + digitPadX
	cellH := digitSize + captionH
	w := vg.Length(cols)*cellW + digitPadX
	h := titleH + vg.Length(rows)*cellH + digitPadX/2
	px := int(math.Round(digitSize.Dots(dpi)))

	captionStyle := textStyle(captionSize)
	titleStyle := textStyle(titleSize)
	border := draw.LineStyle{Color: color.Gray{Y: 200}, Width: vg.Points(0.5)}

	return renderCanvas(fn, w, h, func(dc draw.Canvas) {
		if title != "" {
			dc.FillText(titleStyle, vg.Point{X: w / 2, Y: h - titleH/4}, title)
		}
		for k, img := range images {
			r, c := k/cols, k%cols
			x0 := digitPadX + vg.Length(c)*cellW
			y1 := h - titleH - vg.Length(r)*cellH // top of the image
			box := vg.Rectangle{
				Min: vg.Point{X: x0, Y: y1 - digitSize},
				Max: vg.Point{X: x0 + digitSize, Y: y1},
			}
			dc.DrawImage(box, upscale(img, side, px))
			dc.StrokeLines(border, []vg.Point{box.Min, {X: box.Max.X, Y: box.Min.Y}, box.Max, {X: box.Min.X, Y: box.Max.Y}, box.Min})
			if captions != nil && captions[k] != "" {
				dc.FillText(captionStyle, vg.Point{X: x0 + digitSize/2, Y: box.Min.Y - vg.Points(2)}, captions[k])
			}
		}
	})
}

// SaveDigits writes Digits(title, images, rows, cols, captions) to path as
// a PNG file, atomically.
func SaveDigits(path, title string, images [][]float64, rows, cols int, captions []string) error {
	png, err := Digits(title, images, rows, cols, captions)
	return save(path, png, err)
}

// upscale renders the side × side image pix as a px × px grey image by
// nearest-neighbour sampling, so that pixels stay sharp instead of being
// blurred by the canvas's interpolation.
func upscale(pix []float64, side, px int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, px, px))
	for y := range px {
		sy := y * side / px
		for x := range px {
			v := min(max(pix[sy*side+x*side/px], 0), 1)
			out.Pix[y*out.Stride+x] = uint8(math.Round(255 * (1 - v)))
		}
	}
	return out
}

// textStyle returns the plot's default font at the given size in points,
// centred horizontally and hanging from its anchor point.
func textStyle(size vg.Length) text.Style {
	return text.Style{
		Color:   color.Black,
		Font:    font.From(plot.DefaultFont, size),
		XAlign:  draw.XCenter,
		YAlign:  draw.YTop,
		Handler: plot.DefaultTextHandler,
	}
}
