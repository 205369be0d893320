package datasets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// idxPair returns the IDX files of n 1x1 images, image i of grey level i
// and label i%10.
func idxPair(n int) (images, labels []byte) {
	pixels := make([]byte, n)
	labs := make([]byte, n)
	for i := range n {
		pixels[i], labs[i] = byte(i), byte(i%10)
	}
	return idxImages(uint32(n), 1, 1, pixels), idxLabels(labs...)
}

// writeStandard writes the standard layout of train and test examples
// of idxPair into dir, the training images gzipped.
func writeStandard(t *testing.T, dir string, train, test int) {
	t.Helper()
	trImg, trLab := idxPair(train)
	teImg, teLab := idxPair(test)
	writeFile(t, dir, "train-images-idx3-ubyte.gz", gz(trImg))
	writeFile(t, dir, "train-labels-idx1-ubyte", trLab)
	writeFile(t, dir, "t10k-images-idx3-ubyte", teImg)
	writeFile(t, dir, "t10k-labels-idx1-ubyte", teLab)
}

func TestMNISTStandardLayout(t *testing.T) {
	dir := t.TempDir()
	writeStandard(t, dir, 30, 7)
	// A plain file beside its gzipped form wins over it: here the
	// gzipped decoys hold 5 examples, the plain files 7.
	decoyImg, decoyLab := idxPair(5)
	writeFile(t, dir, "t10k-images-idx3-ubyte.gz", gz(decoyImg))
	writeFile(t, dir, "t10k-labels-idx1-ubyte.gz", gz(decoyLab))

	train, test, err := MNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 30 || test.Len() != 7 {
		t.Errorf("train %d, test %d examples; want 30, 7", train.Len(), test.Len())
	}
	if err := train.Validate(); err != nil {
		t.Error(err)
	}
}

func TestMNISTSinglePair(t *testing.T) {
	dir := t.TempDir()
	img, lab := idxPair(13)
	writeFile(t, dir, "images-idx3-ubyte.gz", gz(img))
	writeFile(t, dir, "labels-idx1-ubyte.gz", gz(lab))
	train, test, err := MNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	// 80% of 13, rounded down: the first 10 train, the last 3 test.
	if train.Len() != 10 || test.Len() != 3 {
		t.Fatalf("train %d, test %d examples; want 10, 3", train.Len(), test.Len())
	}
	if !slices.Equal(test.Labels, []int{0, 1, 2}) || test.X[0] != 10.0/255 {
		t.Errorf("test set: labels %v, first pixel %v; want [0 1 2], 10/255", test.Labels, test.X[0])
	}
}

func TestMNISTErrors(t *testing.T) {
	img, lab := idxPair(5)
	tests := []struct {
		name    string
		files   map[string][]byte
		wantErr []string
	}{
		{"empty directory", nil, []string{"no IDX files in", "train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz] (standard layout) or images-idx3-ubyte[.gz] and labels-idx1-ubyte[.gz] (single pair)"}},
		{"part of the standard layout", map[string][]byte{"train-images-idx3-ubyte": img, "train-labels-idx1-ubyte.gz": gz(lab), "t10k-images-idx3-ubyte": img},
			[]string{"part of the standard layout but not t10k-labels-idx1-ubyte[.gz]"}},
		{"half a pair", map[string][]byte{"labels-idx1-ubyte": lab}, []string{"part of the single-pair layout but not images-idx3-ubyte[.gz]"}},
		{"too few to split", map[string][]byte{"images-idx3-ubyte": idxImages(1, 1, 1, []byte{0}), "labels-idx1-ubyte": idxLabels(0)},
			[]string{"images-idx3-ubyte: 1 examples are too few to split 80/20"}},
		{"corrupt file", map[string][]byte{"images-idx3-ubyte": img[:10], "labels-idx1-ubyte": lab}, []string{"images-idx3-ubyte: IDX images: truncated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				writeFile(t, dir, name, data)
			}
			_, _, err := MNIST(dir)
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range append(tt.wantErr, dir) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
	missing := filepath.Join(t.TempDir(), "nowhere")
	if _, _, err := MNIST(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing directory: error %v, want fs.ErrNotExist naming %s", err, missing)
	}
}

// TestMNISTFashion reads the full Fashion-MNIST where Debian's
// dataset-fashion-mnist package installed it, or from the directory named
// by BNN_FASHION_MNIST_DIR.
func TestMNISTFashion(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 70,000 images")
	}
	dir := os.Getenv("BNN_FASHION_MNIST_DIR")
	if dir == "" {
		dir = "/usr/share/datasets/fashion-mnist"
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("no Fashion-MNIST (apt-get install dataset-fashion-mnist): %v", err)
	}
	train, test, err := MNIST(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		d    Dataset
		n    int
	}{{"train", train, 60000}, {"test", test, 10000}} {
		if err := c.d.Validate(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.d.Len() != c.n || !slices.Equal(c.d.XShape, []int{1, 28, 28}) {
			t.Errorf("%s: %d examples of %v, want %d of [1 28 28]", c.name, c.d.Len(), c.d.XShape, c.n)
		}
		// Fashion-MNIST is balanced: a tenth of each set per class.
		counts := make([]int, 10)
		for _, l := range c.d.Labels {
			counts[l]++
		}
		for k, got := range counts {
			if got != c.n/10 {
				t.Errorf("%s: class %d has %d examples, want %d", c.name, k, got, c.n/10)
			}
		}
	}
}
