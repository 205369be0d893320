package checkpoint

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"slices"
	"testing"
)

// FuzzParse checks that Parse never panics, that every error it returns is
// one of the named ones, that whatever it accepts survives a round trip
// through WriteTo unchanged, and that Restore does not panic on it. The corpus is in testdata/fuzz/FuzzParse:
//
//	go test -fuzz FuzzParse -fuzztime 60s ./checkpoint/
func FuzzParse(f *testing.F) {
	f.Add(encode(f, sample(f)))
	if b, err := os.ReadFile("testdata/interop/blitz_mlp.safetensors"); err == nil {
		f.Add(b)
	}
	f.Add(assemble(`{"x":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"y":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}`, make([]byte, 8)))
	f.Add(assemble(`{"__metadata__":{"a":"b"}}`, nil))
	// A checkpoint with a trainer's state, and a model and trainer that
	// every parsed input is restored into.
	r := newTraining(f, 1, "adam")
	r.fit(f, sineData(f), 1)
	snap, err := Snapshot(r.model, WithTrainer(r.trainer), WithMetadata("k", "v"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(encode(f, snap))
	into := newTraining(f, 2, "adam")
	named := []error{ErrTruncated, ErrHeaderLength, ErrInvalidHeader, ErrOffsets, ErrUnknownDtype, ErrShape}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Parse(b)
		if err != nil {
			if !slices.ContainsFunc(named, func(e error) bool { return errors.Is(err, e) }) {
				t.Fatalf("error %q is none of the named errors", err)
			}
			return
		}
		for _, tn := range file.Tensors {
			tn.Float64s() // must not panic, whatever the dtype
		}
		// Restoring must not panic either; most inputs are refused.
		Restore(file, into.model, WithTrainer(into.trainer))
		var buf bytes.Buffer
		if _, err := file.WriteTo(&buf); err != nil {
			t.Fatalf("a parsed file does not encode: %v", err)
		}
		again, err := Parse(buf.Bytes())
		if err != nil {
			t.Fatalf("a re-encoded file does not parse: %v", err)
		}
		if !maps.Equal(file.Metadata, again.Metadata) {
			t.Fatalf("metadata %v became %v", file.Metadata, again.Metadata)
		}
		if len(again.Tensors) != len(file.Tensors) {
			t.Fatalf("%d tensors became %d", len(file.Tensors), len(again.Tensors))
		}
		for i, a := range file.Tensors {
			z := again.Tensors[i]
			if a.Name != z.Name || a.Dtype != z.Dtype || !slices.Equal(a.Shape, z.Shape) || !bytes.Equal(a.Data, z.Data) {
				t.Fatalf("tensor %d changed in a round trip: %s %s %v -> %s %s %v", i, a.Name, a.Dtype, a.Shape, z.Name, z.Dtype, z.Shape)
			}
		}
	})
}
