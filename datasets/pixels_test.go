package datasets

import (
	"slices"
	"testing"
)

// TestPixelLoadersMatch checks that MNISTPixels, in both layouts, and
// LoadIDXPixels give the examples MNIST and LoadIDX give, as bytes: the
// same labels and shapes, and features equal bit for bit once converted.
func TestPixelLoadersMatch(t *testing.T) {
	std, pair := t.TempDir(), t.TempDir()
	writeStandard(t, std, 30, 7)
	img, lab := idxPair(13)
	imgPath := writeFile(t, pair, "images-idx3-ubyte.gz", gz(img))
	labPath := writeFile(t, pair, "labels-idx1-ubyte", lab)

	same := func(what string, bytes, floats Dataset) {
		t.Helper()
		if bytes.X != nil || bytes.Pixels == nil {
			t.Fatalf("%s: X %d values, Pixels %d: want the pixels as bytes", what, len(bytes.X), len(bytes.Pixels))
		}
		if err := bytes.Validate(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !slices.Equal(bytes.Features(), floats.X) || !slices.Equal(bytes.Labels, floats.Labels) ||
			!slices.Equal(bytes.XShape, floats.XShape) || bytes.Classes != floats.Classes {
			t.Errorf("%s: the bytes' examples differ from the float64 ones", what)
		}
	}
	for _, dir := range []string{std, pair} {
		train, test, err := MNISTPixels(dir)
		if err != nil {
			t.Fatal(err)
		}
		wantTrain, wantTest, err := MNIST(dir)
		if err != nil {
			t.Fatal(err)
		}
		same("MNISTPixels train", train, wantTrain)
		same("MNISTPixels test", test, wantTest)
	}
	d, err := LoadIDXPixels(imgPath, labPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := LoadIDX(imgPath, labPath)
	if err != nil {
		t.Fatal(err)
	}
	same("LoadIDXPixels", d, want)
	if _, err := LoadIDXPixels(imgPath, imgPath); err == nil {
		t.Error("LoadIDXPixels took an images file for labels")
	}
}
