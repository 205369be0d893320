package mnist10k

import (
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"slices"
	"testing"

	"github.com/gorgonia-bnn/bnn/datasets"
)

func TestEmbeddedFiles(t *testing.T) {
	for _, f := range []struct {
		name string
		data []byte
		sum  string
	}{
		{"images-idx3-ubyte.gz", imagesGz, "d1cb54caa959698a2f0a1742c49b24c4bd1727eb12bade4d04f9cb2bec9b18c9"},
		{"labels-idx1-ubyte.gz", labelsGz, "27984725f9ade505bde9d337b4d27df72ddc9be41efd4b77248bdc7b2b2f89a6"},
	} {
		sum := sha256.Sum256(f.data)
		if got := hex.EncodeToString(sum[:]); got != f.sum {
			t.Errorf("%s: sha256 %s, want %s", f.name, got, f.sum)
		}
	}
}

func TestAll(t *testing.T) {
	d, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Len() != 10000 || !slices.Equal(d.XShape, []int{1, 28, 28}) || d.Classes != 10 {
		t.Fatalf("%d examples of %v, %d classes; want 10000 of [1 28 28], 10", d.Len(), d.XShape, d.Classes)
	}
	counts := make([]int, 10)
	for _, l := range d.Labels {
		counts[l]++
	}
	if want := []int{1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}; !slices.Equal(counts, want) {
		t.Errorf("class counts %v, want %v", counts, want)
	}
	lo, hi := slices.Min(d.X), slices.Max(d.X)
	if lo != 0 || hi != 1 {
		t.Errorf("pixels in [%v, %v], want [0, 1] with both ends reached", lo, hi)
	}
	// Every value is a grey level over 255.
	for i, x := range d.X {
		if g := x * 255; g != float64(int(g+0.5)) {
			t.Fatalf("pixel %d is %v, not a multiple of 1/255", i, x)
		}
	}
}

func TestLoad(t *testing.T) {
	train, test, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != TrainLen || test.Len() != TestLen || TrainLen != 8000 || TestLen != 2000 {
		t.Fatalf("train %d, test %d examples; want 8000, 2000", train.Len(), test.Len())
	}
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	// train is the head of All, test its tail.
	w := all.Width()
	if !slices.Equal(train.X, all.X[:TrainLen*w]) || !slices.Equal(test.X, all.X[TrainLen*w:]) ||
		!slices.Equal(train.Labels, all.Labels[:TrainLen]) || !slices.Equal(test.Labels, all.Labels[TrainLen:]) {
		t.Error("Load is not the first 8,000 and the last 2,000 of All")
	}
	for _, d := range []struct {
		name string
		err  error
	}{{"train", train.Validate()}, {"test", test.Validate()}} {
		if d.err != nil {
			t.Errorf("%s: %v", d.name, d.err)
		}
	}
}

func BenchmarkAll(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := All(); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLoadPixels checks that the compact digits are the same data as the
// float64 ones: every batch gathered holds the same values, bit for bit,
// the labels are equal, the split is the same, and the images take an
// eighth of the memory.
func TestLoadPixels(t *testing.T) {
	train, test, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ptrain, ptest, err := LoadPixels()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name        string
		full, pixel *datasets.Dataset
	}{{"train", &train, &ptrain}, {"test", &test, &ptest}} {
		if err := c.pixel.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.pixel.X != nil || len(c.pixel.Pixels) != len(c.full.X) || c.pixel.Len() != c.full.Len() {
			t.Fatalf("%s: X %d values, Pixels %d, Len %d; want no X, %d pixels, Len %d",
				c.name, len(c.pixel.X), len(c.pixel.Pixels), c.pixel.Len(), len(c.full.X), c.full.Len())
		}
		if !slices.Equal(c.pixel.Labels, c.full.Labels) {
			t.Errorf("%s: the labels differ", c.name)
		}
		idx := []int{c.full.Len() - 1, 0, 7, 7}
		if got, want := c.pixel.GatherX(idx, nil), c.full.GatherX(idx, nil); !slices.Equal(got, want) {
			t.Errorf("%s: a gathered batch differs", c.name)
		}
		if !slices.Equal(c.pixel.Features(), c.full.X) {
			t.Errorf("%s: Features differ from the float64 decoding", c.name)
		}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	all, err := AllPixels()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 2*uint64(len(all.Pixels)) {
		t.Errorf("decoding the compact digits allocated %d bytes, want at most twice the %d pixels", got, len(all.Pixels))
	}
}
