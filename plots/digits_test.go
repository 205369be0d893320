package plots

import (
	"image"
	"math"
	"strings"
	"testing"
)

// A Digits picture is cols × 0.95 + 0.15 inches wide and
// 0.35 + rows × 1.02 + 0.075 inches high, at 96 dpi; an image is 0.8 inch,
// 76.8 pixels, square.
func digitsSize(rows, cols int) (w, h int) {
	return int(96*(float64(cols)*0.95+0.15) + 0.5), int(96*(0.35+float64(rows)*1.02+0.075) + 0.5)
}

func filled(side int, v float64) []float64 {
	img := make([]float64, side*side)
	for i := range img {
		img[i] = v
	}
	return img
}

// blackRows returns the number of pure black pixels and their mean row.
func blackRows(img image.Image) (n int, meanY float64) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r == 0 && g == 0 && bl == 0 {
				n++
				meanY += float64(y)
			}
		}
	}
	return n, meanY / float64(n)
}

func TestDigitsSize(t *testing.T) {
	images := [][]float64{filled(28, 1), filled(28, 0.5), filled(28, 0)}
	for _, g := range []struct{ rows, cols int }{{1, 3}, {2, 3}, {3, 1}, {2, 6}} {
		b, err := Digits("digits", images, g.rows, g.cols, []string{"1", "2", "3"})
		if err != nil {
			t.Fatal(err)
		}
		w, h := digitsSize(g.rows, g.cols)
		decode(t, b, w, h)
	}
	if w, h := digitsSize(2, 3); w != 288 || h != 237 {
		t.Errorf("digitsSize(2, 3) = %d, %d; want 288, 237", w, h)
	}
}

func TestDigitsInk(t *testing.T) {
	// One all-ink image and no text: the black pixels are the image,
	// about 77 × 77 of them.
	b, err := Digits("", [][]float64{filled(28, 1)}, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, h := digitsSize(1, 1)
	img := decode(t, b, w, h)
	if n, _ := blackRows(img); n < 72*72 || n > 78*78 {
		t.Errorf("%d black pixels, want about 77 × 77 = 5929", n)
	}

	// Values above 1 are clipped to full ink: the same picture.
	b2, err := Digits("", [][]float64{filled(28, 7)}, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(b2) != string(b) {
		t.Error("values above 1 are not drawn as full ink")
	}
}

func TestDigitsOrientation(t *testing.T) {
	// Ink in the top row of a 4 × 4 image only: a quarter of the square,
	// at its top.
	top := make([]float64, 16)
	bottom := make([]float64, 16)
	for x := range 4 {
		top[x] = 1
		bottom[12+x] = 1
	}
	b, err := Digits("", [][]float64{top}, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, h := digitsSize(1, 1)
	nTop, yTop := blackRows(decode(t, b, w, h))
	if nTop < 72*18 || nTop > 78*20 {
		t.Errorf("%d black pixels, want about 77 × 19", nTop)
	}
	b, err = Digits("", [][]float64{bottom}, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, yBottom := blackRows(decode(t, b, w, h))
	// The image is 77 pixels high: its top and bottom rows are ~58 apart.
	if yBottom-yTop < 50 {
		t.Errorf("top-row ink at y = %.1f, bottom-row ink at y = %.1f: want the top row on top", yTop, yBottom)
	}
	checkSave(t, func(path string) error { return SaveDigits(path, "", [][]float64{bottom}, 1, 1, nil) }, b)
}

func TestDigitsErrors(t *testing.T) {
	img := filled(28, 0.5)
	withNaN := filled(28, 0)
	withNaN[300] = math.NaN()
	for _, tc := range []struct {
		name       string
		images     [][]float64
		rows, cols int
		captions   []string
		culprit    string
	}{
		{"zero rows", [][]float64{img}, 0, 1, nil, "rows = 0"},
		{"too many cols", [][]float64{img}, 1, MaxGrid + 1, nil, "cols = 41"},
		{"no images", nil, 1, 1, nil, "no images"},
		{"grid too small", [][]float64{img, img, img}, 1, 2, nil, "3 images do not fit a 1 × 2 grid"},
		{"captions", [][]float64{img, img}, 1, 2, []string{"a"}, "1 captions for 2 images"},
		{"not square", [][]float64{make([]float64, 10)}, 1, 1, nil, "images[0] has 10 pixels, not a positive square"},
		{"empty image", [][]float64{{}}, 1, 1, nil, "images[0] has 0 pixels"},
		{"ragged", [][]float64{img, make([]float64, 16)}, 1, 2, nil, "images[1] has 16 pixels, images[0] has 784"},
		{"NaN", [][]float64{img, withNaN}, 1, 2, nil, "images[1][300] is NaN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Digits("t", tc.images, tc.rows, tc.cols, tc.captions)
			wantError(t, err, tc.culprit)
			checkSaveFails(t, func(path string) error { return SaveDigits(path, "t", tc.images, tc.rows, tc.cols, tc.captions) })
		})
	}
}

func TestDigitsLongCaption(t *testing.T) {
	// A caption wider than its cell is drawn, not rejected.
	if _, err := Digits("t", [][]float64{filled(2, 1)}, 1, 1, []string{strings.Repeat("wide ", 20)}); err != nil {
		t.Fatal(err)
	}
}
