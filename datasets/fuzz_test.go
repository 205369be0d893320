package datasets

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"slices"
	"testing"
)

// The fuzz targets check that the IDX readers never panic and never
// accept anything but exactly one well-formed file: whatever they accept
// re-encodes to the (decompressed) input. Their seed corpus is under
// testdata/fuzz; run one with, e.g.,
//
//	go test -run '^$' -fuzz '^FuzzReadIDXImages$' -fuzztime 60s ./datasets

// gunzipped returns data decompressed when it starts with gzip's magic
// number, data itself otherwise.
func gunzipped(t *testing.T, data []byte) []byte {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the reader accepted a gzip stream that gzip refuses: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("the reader accepted a gzip stream that gzip refuses: %v", err)
	}
	return plain
}

// checkIDXError fails unless err is an *IDXError.
func checkIDXError(t *testing.T, err error) {
	t.Helper()
	var e *IDXError
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *IDXError", err, err)
	}
	if e.Kind != "images" && e.Kind != "labels" {
		t.Fatalf("IDXError.Kind = %q", e.Kind)
	}
}

func addIDXSeeds(f *testing.F, files ...[]byte) {
	for _, data := range files {
		f.Add(data)
		f.Add(gz(data))
		f.Add(data[:len(data)/2])
	}
}

func FuzzReadIDXImages(f *testing.F) {
	addIDXSeeds(f,
		idxImages(3, 2, 2, testPixels()),
		idxImages(0, 28, 28, nil),
		idxImages(1, 3, 1, []byte{0, 128, 255}),
		idxLabels(1, 2, 3),
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := ReadIDXImages(bytes.NewReader(data))
		if err != nil {
			checkIDXError(t, err)
			if img.Pixels != nil || img.Count != 0 {
				t.Fatalf("images returned with the error %v", err)
			}
			return
		}
		if img.Rows < 1 || img.Cols < 1 || img.Count < 0 || len(img.Pixels) != img.Count*img.Rows*img.Cols {
			t.Fatalf("accepted %d images of %dx%d with %d pixels", img.Count, img.Rows, img.Cols, len(img.Pixels))
		}
		if want := gunzipped(t, data); !bytes.Equal(idxImages(uint32(img.Count), uint32(img.Rows), uint32(img.Cols), img.Pixels), want) {
			t.Fatal("what was read does not re-encode to the input")
		}
	})
}

func FuzzReadIDXLabels(f *testing.F) {
	addIDXSeeds(f,
		idxLabels(7, 0, 9),
		idxLabels(),
		idxLabels(255),
		idxImages(1, 1, 1, []byte{4}),
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, err := ReadIDXLabels(bytes.NewReader(data))
		if err != nil {
			checkIDXError(t, err)
			if labels != nil {
				t.Fatalf("labels returned with the error %v", err)
			}
			return
		}
		if want := gunzipped(t, data); !bytes.Equal(idxLabels(labels...), want) {
			t.Fatal("what was read does not re-encode to the input")
		}
	})
}

func FuzzDecodeIDX(f *testing.F) {
	f.Add(idxImages(3, 2, 2, testPixels()), idxLabels(7, 0, 9))
	f.Add(gz(idxImages(1, 1, 1, []byte{200})), gz(idxLabels(3)))
	f.Add(idxImages(2, 1, 1, []byte{1, 2}), idxLabels(1))
	f.Add(idxImages(1, 1, 1, []byte{1}), idxLabels(10))
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		d, err := DecodeIDX(bytes.NewReader(images), bytes.NewReader(labels))
		if err != nil {
			checkIDXError(t, err)
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("DecodeIDX returned an invalid dataset: %v", err)
		}
		if d.Classes != 10 || len(d.XShape) != 3 || d.XShape[0] != 1 || slices.ContainsFunc(d.X, func(x float64) bool { return x < 0 || x > 1 }) {
			t.Fatalf("Classes %d, XShape %v, or a pixel outside [0, 1]", d.Classes, d.XShape)
		}
	})
}
