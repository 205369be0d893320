package mnist10k

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"testing"
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
