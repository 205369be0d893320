package plots

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decode decodes a PNG and checks its size and that it is not blank.
func decode(t *testing.T, b []byte, w, h int) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got != (image.Point{X: w, Y: h}) {
		t.Errorf("size = %v, want %dx%d", got, w, h)
	}
	// The standard deviation of the luminance over a white picture with
	// some drawing on it is well above 0.
	var sum, sum2, n float64
	forPixels(img, func(r, g, b uint8) {
		l := (float64(r) + float64(g) + float64(b)) / 3
		sum += l
		sum2 += l * l
		n++
	})
	mean := sum / n
	if sd := math.Sqrt(sum2/n - mean*mean); sd < 5 {
		t.Errorf("luminance std = %.2f: the picture looks blank", sd)
	}
	return img
}

func forPixels(img image.Image, f func(r, g, b uint8)) {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			f(uint8(r>>8), uint8(g>>8), uint8(bl>>8))
		}
	}
}

// countNear counts the pixels within tol of the colour (r, g, b) in every
// channel.
func countNear(img image.Image, r, g, b, tol int) int {
	n := 0
	forPixels(img, func(pr, pg, pb uint8) {
		if abs(int(pr)-r) <= tol && abs(int(pg)-g) <= tol && abs(int(pb)-b) <= tol {
			n++
		}
	})
	return n
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// checkSave checks that a Save twin writes exactly the bytes want.
func checkSave(t *testing.T, save func(path string) error, want []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.png")
	if err := save(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("saved file (%d bytes) differs from the returned PNG (%d bytes)", len(got), len(want))
	}
}

// checkSaveFails checks that a Save twin given bad input returns an error
// and creates no file.
func checkSaveFails(t *testing.T, save func(path string) error) {
	t.Helper()
	dir := t.TempDir()
	if err := save(filepath.Join(dir, "bad.png")); err == nil {
		t.Error("Save with bad input succeeded")
	}
	if des, _ := os.ReadDir(dir); len(des) != 0 {
		t.Errorf("Save with bad input left %d files", len(des))
	}
}

func wantError(t *testing.T, err error, culprit string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", culprit)
	}
	if !strings.Contains(err.Error(), culprit) {
		t.Errorf("error %q does not mention %q", err, culprit)
	}
}
