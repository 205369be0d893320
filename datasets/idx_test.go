package datasets

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// idxImages encodes an IDX images file with the given header and data.
func idxImages(count, rows, cols uint32, pixels []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, idxImagesMagic)
	b = binary.BigEndian.AppendUint32(b, count)
	b = binary.BigEndian.AppendUint32(b, rows)
	b = binary.BigEndian.AppendUint32(b, cols)
	return append(b, pixels...)
}

// idxLabels encodes an IDX labels file of labels.
func idxLabels(labels ...byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, idxLabelsMagic)
	b = binary.BigEndian.AppendUint32(b, uint32(len(labels)))
	return append(b, labels...)
}

// gz returns data gzipped.
func gz(data []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

// testPixels returns 3 images of 2x2: 0, 51, 102, ..., 255, 0, ...
func testPixels() []byte {
	p := make([]byte, 12)
	for i := range p {
		p[i] = byte(i % 6 * 51)
	}
	return p
}

func TestReadIDX(t *testing.T) {
	pixels := testPixels()
	images := idxImages(3, 2, 2, pixels)
	labels := idxLabels(7, 0, 9)
	for _, compress := range []bool{false, true} {
		imgData, labData := images, labels
		if compress {
			imgData, labData = gz(images), gz(labels)
		}
		img, err := ReadIDXImages(bytes.NewReader(imgData))
		if err != nil {
			t.Fatalf("gzip %v: %v", compress, err)
		}
		if img.Count != 3 || img.Rows != 2 || img.Cols != 2 || !bytes.Equal(img.Pixels, pixels) {
			t.Errorf("gzip %v: read %+v", compress, img)
		}
		lab, err := ReadIDXLabels(bytes.NewReader(labData))
		if err != nil {
			t.Fatalf("gzip %v: %v", compress, err)
		}
		if !bytes.Equal(lab, []byte{7, 0, 9}) {
			t.Errorf("gzip %v: labels %v", compress, lab)
		}
	}
	// No images is a valid file (DecodeIDX refuses it).
	if img, err := ReadIDXImages(bytes.NewReader(idxImages(0, 28, 28, nil))); err != nil || img.Count != 0 {
		t.Errorf("empty images file: %+v, %v", img, err)
	}
}

func TestReadIDXErrors(t *testing.T) {
	images := idxImages(3, 2, 2, testPixels())
	labels := idxLabels(1, 2, 3)
	// Enough data that half the gzip stream holds more than the header.
	big := make([]byte, 64*4*4)
	for i := range big {
		big[i] = byte(i * i >> 3)
	}
	zipped := gz(idxImages(64, 4, 4, big))
	badCRC := slices.Clone(zipped)
	badCRC[len(badCRC)-6] ^= 0xff // in the CRC-32 of the trailer
	badDeflate := slices.Clone(zipped)
	badDeflate[10] = 0xff // the first byte of the deflate stream: a reserved block type

	tests := []struct {
		name      string
		labels    bool // read as labels, not images
		data      []byte
		wantErr   string
		truncated bool // errors.Is(err, io.ErrUnexpectedEOF)
	}{
		{"empty", false, nil, "IDX images: truncated header: 0 of its 16 bytes", true},
		{"short header", false, images[:9], "truncated header: 9 of its 16 bytes", true},
		{"short magic", false, images[:3], "truncated header: 3 of its 16 bytes", true},
		{"short labels header", true, labels[:5], "IDX labels: truncated header: 5 of its 8 bytes", true},
		{"labels read as images", false, labels, "magic number 0x00000801 is that of uint8 labels, want 0x00000803 (uint8 images)", false},
		{"images read as labels", true, images, "magic number 0x00000803 is that of uint8 images, want 0x00000801 (uint8 labels)", false},
		{"not IDX", false, []byte("PK\x03\x04 this is a zip file, not IDX"), "magic number 0x504b0304: not an IDX file", false},
		{"float32", false, append([]byte{0, 0, 0x0d, 3}, images[4:]...), "element type 0x0d (float32) is not supported", false},
		{"2 dimensions", false, append([]byte{0, 0, 8, 2}, images[4:]...), "magic number 0x00000802: 2 dimensions, want 0x00000803", false},
		{"zero rows", false, idxImages(3, 0, 2, nil), "header announces 3 images of 0x2; images need at least 1x1", false},
		{"huge header", false, idxImages(1<<31, 1<<16, 1<<16, nil), "more than the limit", false},
		{"huge labels header", true, []byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff}, "header announces 4294967295 labels, more than the limit", false},
		{"truncated pixels", false, images[:len(images)-1], "truncated: the header announces 3 images of 2x2 (12 bytes), the data ends after 11", true},
		{"truncated labels", true, labels[:9], "truncated: the header announces 3 labels (3 bytes), the data ends after 1", true},
		{"trailing data", false, append(slices.Clone(images), 0), "trailing data after the 3 images of 2x2", false},
		{"trailing labels", true, append(slices.Clone(labels), 4, 5), "trailing data after the 3 labels", false},
		{"gzip header", false, []byte{0x1f, 0x8b, 0, 0}, "bad gzip header", true},
		{"truncated gzip", false, zipped[:len(zipped)/2], "truncated: the header announces 64 images of 4x4 (1024 bytes), the data ends after", true},
		{"gzip without trailer", false, zipped[:len(zipped)-8], "the gzip stream ends before its checksum", true},
		{"gzip checksum", false, badCRC, "corrupt gzip stream: gzip: invalid checksum", false},
		{"corrupt deflate", false, badDeflate, "corrupt gzip stream: flate: corrupt input", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.labels {
				_, err = ReadIDXLabels(bytes.NewReader(tt.data))
			} else {
				_, err = ReadIDXImages(bytes.NewReader(tt.data))
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			var e *IDXError
			if !errors.As(err, &e) {
				t.Errorf("error %T is not an *IDXError", err)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.truncated {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = %v, want %v", got, tt.truncated)
			}
		})
	}
}

// A header announcing much more data than there is must not make the
// reader allocate what it announces.
func TestReadIDXCorruptHeaderAllocation(t *testing.T) {
	// 1 GB announced, within the limit; 100 bytes there.
	data := idxImages(1000, 1000, 1000, make([]byte, 100))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadIDXImages(bytes.NewReader(data))
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error = %v, want truncated data", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("reading a 116-byte file allocated %d bytes", alloc)
	}
}

// writeFile writes data to dir/name and returns the path.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadIDX(t *testing.T) {
	dir := t.TempDir()
	img := writeFile(t, dir, "images.gz", gz(idxImages(3, 2, 2, testPixels())))
	lab := writeFile(t, dir, "labels", idxLabels(7, 0, 9))
	d, err := LoadIDX(img, lab)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []float64{0, 0.2, 0.4, 0.6, 0.8, 1, 0, 0.2, 0.4, 0.6, 0.8, 1}
	for i := range want {
		if diff := d.X[i] - want[i]; diff > 1e-15 || diff < -1e-15 {
			t.Fatalf("X = %v, want %v", d.X, want)
		}
	}
	if d.X[5] != 1 || !slices.Equal(d.XShape, []int{1, 2, 2}) || !slices.Equal(d.Labels, []int{7, 0, 9}) || d.Classes != 10 || d.Y != nil {
		t.Errorf("XShape %v, Labels %v, Classes %d, Y %v", d.XShape, d.Labels, d.Classes, d.Y)
	}
}

func TestLoadIDXErrors(t *testing.T) {
	dir := t.TempDir()
	images := idxImages(3, 2, 2, testPixels())
	labels := idxLabels(1, 2, 3)
	file := func(name string, data []byte) string { return writeFile(t, dir, name, data) }
	goodImg, goodLab := file("images", images), file("labels.gz", gz(labels))
	missing := filepath.Join(dir, "no-such-file")

	tests := []struct {
		name       string
		img, lab   string
		culprit    string // the file the error must name
		wantErr    string
		notExist   bool
		idxError   bool
		truncation bool
	}{
		{"missing images", missing, goodLab, missing, "no such file", true, false, false},
		{"missing labels", goodImg, missing, missing, "no such file", true, false, false},
		{"swapped", goodLab, goodImg, goodLab, "magic number 0x00000801 is that of uint8 labels", false, true, false},
		{"truncated images", file("short-images", images[:20]), goodLab, "short-images", "truncated", false, true, true},
		{"truncated labels", goodImg, file("short-labels.gz", gz(labels[:10])), "short-labels.gz", "truncated", false, true, true},
		{"gzip error", file("bad.gz", []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff}), goodLab, "bad.gz", "gzip", false, true, false},
		{"count mismatch", goodImg, file("four-labels", idxLabels(1, 2, 3, 4)), "four-labels", "4 labels for 3 images in " + goodImg, false, true, false},
		{"label 10", goodImg, file("label-10", idxLabels(1, 10, 3)), "label-10", "label 10 of example 1 is outside 0-9", false, true, false},
		{"no images", file("no-images", idxImages(0, 2, 2, nil)), file("no-labels", idxLabels()), "no-images", "no images", false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := LoadIDX(tt.img, tt.lab)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "datasets: ") || !strings.Contains(msg, tt.culprit) || !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error %q, want one naming %s and containing %q", msg, tt.culprit, tt.wantErr)
			}
			var e *IDXError
			if got := errors.As(err, &e); got != tt.idxError {
				t.Errorf("error is *IDXError: %v, want %v", got, tt.idxError)
			} else if got && !strings.HasSuffix(e.File, tt.culprit) {
				t.Errorf("IDXError.File = %q, want %s", e.File, tt.culprit)
			}
			if got := errors.Is(err, fs.ErrNotExist); got != tt.notExist {
				t.Errorf("errors.Is(err, fs.ErrNotExist) = %v, want %v", got, tt.notExist)
			}
			if got := errors.Is(err, io.ErrUnexpectedEOF); got != tt.truncation {
				t.Errorf("errors.Is(err, io.ErrUnexpectedEOF) = %v, want %v", got, tt.truncation)
			}
			if d.X != nil {
				t.Error("data returned with the error")
			}
		})
	}
}

func TestDecodeIDXErrorsWithoutFiles(t *testing.T) {
	_, err := DecodeIDX(bytes.NewReader(idxImages(3, 2, 2, testPixels())), bytes.NewReader(idxLabels(1)))
	if err == nil || err.Error() != "datasets: IDX labels: 1 labels for 3 images" {
		t.Errorf("error = %v, want %q", err, "datasets: IDX labels: 1 labels for 3 images")
	}
}
