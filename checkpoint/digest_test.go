package checkpoint

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gorgonia-bnn/bnn/graph"
)

// TestDigestCatchesAFlippedByte saves a model, flips one bit in each of a
// few bytes of the tensor data (one at a time) and checks that Load
// reports ErrDigest each time, and that the intact file loads.
func TestDigestCatchesAFlippedByte(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.safetensors")
	m := newModel(t, 1, graph.Float64, 2, 4, 1)
	if err := Save(path, m); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Metadata[DigestKey]; ok {
		t.Error("Parse left the digest in the metadata")
	}
	start := 8 + int(binary.LittleEndian.Uint64(b))
	for _, at := range []int{start, start + (len(b)-start)/2, len(b) - 1} {
		bad := append([]byte(nil), b...)
		bad[at] ^= 0x10
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		dst := newModel(t, 2, graph.Float64, 2, 4, 1)
		if err := Load(path, dst); !errors.Is(err, ErrDigest) {
			t.Errorf("byte %d flipped: Load gave %v, want ErrDigest", at, err)
		}
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Load(path, newModel(t, 2, graph.Float64, 2, 4, 1)); err != nil {
		t.Errorf("the intact file: %v", err)
	}
}

// TestFileWithoutDigestParses checks that a file written by another tool,
// with no digest, is read as it is.
func TestFileWithoutDigestParses(t *testing.T) {
	head := []byte(`{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`)
	for len(head)%8 != 0 {
		head = append(head, ' ')
	}
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(head)))
	b = append(b, head...)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(2.5))
	f, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	w, ok := f.Lookup("w")
	if !ok {
		t.Fatal("no tensor w")
	}
	if v, err := w.Float64s(); err != nil || v[0] != 2.5 {
		t.Errorf("w = %v (%v), want [2.5]", v, err)
	}
}
