package datasets

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// TestDecodeIDXRefusesBombs feeds DecodeIDX small gzipped files whose
// headers announce data sets that would take more than MaxIDXDecodedBytes
// as float64 pixels or int labels: each is a named error, and nothing near
// that size is allocated. A header just under the limit passes the check
// and fails only as truncated, still without allocating what it announces.
func TestDecodeIDXRefusesBombs(t *testing.T) {
	zeros := make([]byte, 8<<20)
	oneImage := gz(idxImages(1, 28, 28, make([]byte, 784)))
	labelsHeader := func(count uint32) []byte {
		b := binary.BigEndian.AppendUint32(nil, idxLabelsMagic)
		return binary.BigEndian.AppendUint32(b, count)
	}
	cases := []struct {
		name           string
		images, labels []byte
		want           string
		limit          bool // the limit, rather than truncation, stops it
	}{
		// 700,000 28x28 images: 549 MB of pixels, within ReadIDXImages'
		// limit; 4.4 GB as float64.
		{"pixels", gz(idxImages(700_000, 28, 28, zeros)), gz(idxLabels(1)), "700000 images of 28x28, which would take 4390400000 bytes decoded", true},
		{"labels", oneImage, gz(append(labelsHeader(1<<31-1), zeros...)), "2147483647 labels, which would take", true},
		{"just under the limit", gz(idxImages(680_000, 28, 28, zeros)), gz(idxLabels(1)), "truncated", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if len(c.images)+len(c.labels) > 1<<20 {
				t.Fatalf("the test files take %d bytes: not a small file", len(c.images)+len(c.labels))
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := DecodeIDX(bytes.NewReader(c.images), bytes.NewReader(c.labels))
			runtime.ReadMemStats(&after)
			var ie *IDXError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an *IDXError saying %q", err, c.want)
			}
			if c.limit != strings.Contains(err.Error(), "MaxIDXDecodedBytes") {
				t.Errorf("error %q: names the limit = %v, want %v", err, !c.limit, c.limit)
			}
			if !c.limit && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error %v, want truncated data", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("decoding allocated %d bytes", alloc)
			}
		})
	}
}
