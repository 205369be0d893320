package plots

import (
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/uncertainty"
)

func TestImageDecodesAPicture(t *testing.T) {
	bins := []uncertainty.ReliabilityBin{{Lo: 0, Hi: 0.5, Count: 10, Confidence: 0.3, Accuracy: 0.4}, {Lo: 0.5, Hi: 1, Count: 30, Confidence: 0.8, Accuracy: 0.7}}
	b, err := ReliabilityDiagram("calibration", bins)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Image(b)
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds().Size(); got.X != 576 || got.Y != 384 {
		t.Fatalf("image is %v, want 576 x 384", got)
	}
	// The corner is the white background; somewhere the plot has ink.
	if r, g, bl, _ := img.At(0, 0).RGBA(); r != 0xffff || g != 0xffff || bl != 0xffff {
		t.Errorf("corner pixel is %v, want white", img.At(0, 0))
	}
	ink := false
	for y := 0; y < 384 && !ink; y++ {
		for x := 0; x < 576; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x8000 {
				ink = true
				break
			}
		}
	}
	if !ink {
		t.Error("the decoded picture has no dark pixel")
	}
}

func TestImageRejectsNonPNG(t *testing.T) {
	for name, b := range map[string][]byte{"empty": nil, "text": []byte("not a picture")} {
		if _, err := Image(b); err == nil || !strings.Contains(err.Error(), "PNG") {
			t.Errorf("%s: err = %v, want an error naming PNG", name, err)
		}
	}
}
