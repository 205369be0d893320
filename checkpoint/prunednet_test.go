package checkpoint_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/prune"
)

// prunedNet returns a compacted random ReLU network 40-30-20-5 whose first
// layer keeps about density of its weights and whose others are full.
func prunedNet(t *testing.T, seed uint64, density float64) (*prune.Net, *prune.Net) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 3))
	layer := func(in, out int, density float64) prune.Layer {
		l := prune.Layer{In: in, Out: out, Weight: make([]float64, in*out), Bias: make([]float64, out)}
		for i := range l.Weight {
			if rng.Float64() < density {
				l.Weight[i] = rng.NormFloat64()
			}
		}
		for i := range l.Bias {
			l.Bias[i] = rng.NormFloat64()
		}
		return l
	}
	dense, err := prune.NewNet([]prune.Layer{layer(40, 30, density), layer(30, 20, 1), layer(20, 5, 1)}, prune.ReLU)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := prune.Compact(dense)
	if err != nil {
		t.Fatal(err)
	}
	return dense, compact
}

func roundTrip(t *testing.T, f *checkpoint.File) (*checkpoint.File, int) {
	t.Helper()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := checkpoint.Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return g, buf.Len()
}

// TestPrunedNetRoundTrip: the network read back from either layout
// computes what the compact network does, to the last bit in F64 and to
// float32 rounding in F32.
func TestPrunedNetRoundTrip(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		dense, compact := prunedNet(t, seed, 0.05)
		rng := rand.New(rand.NewPCG(seed, 4))
		x := make([]float64, 7*dense.InputWidth)
		for i := range x {
			x[i] = rng.NormFloat64()
		}
		want, err := dense.Forward(x, 7)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			dt     checkpoint.Dtype
			layout checkpoint.NetLayout
			tol    float64
		}{{checkpoint.F64, checkpoint.Smallest, 1e-12}, {checkpoint.F64, checkpoint.Dense, 1e-12}, {checkpoint.F32, checkpoint.Smallest, 1e-5}} {
			f, err := checkpoint.PrunedNet(compact, tc.dt, tc.layout)
			if err != nil {
				t.Fatal(err)
			}
			g, _ := roundTrip(t, f)
			net, err := checkpoint.ReadPrunedNet(g)
			if err != nil {
				t.Fatal(err)
			}
			got, err := net.Forward(x, 7)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if d := math.Abs(got[i] - want[i]); d > tc.tol*(1+math.Abs(want[i])) {
					t.Fatalf("seed %d, %s layout %d: output %d is %v, want %v", seed, tc.dt, tc.layout, i, got[i], want[i])
				}
			}
		}
	}
}

// TestPrunedNetSizeFollowsKeptWeights: the sparse first layer is stored in
// compressed sparse rows with 16-bit columns, the full layers dense, and
// the file's data section is exactly the bytes that layout needs, far
// below the dense file's.
func TestPrunedNetSizeFollowsKeptWeights(t *testing.T) {
	_, compact := prunedNet(t, 7, 0.05)
	small, err := checkpoint.PrunedNet(compact, checkpoint.F32, checkpoint.Smallest)
	if err != nil {
		t.Fatal(err)
	}
	full, err := checkpoint.PrunedNet(compact, checkpoint.F32, checkpoint.Dense)
	if err != nil {
		t.Fatal(err)
	}
	if small.Metadata["layers.0.format"] != "csr" || small.Metadata["layers.1.format"] != "dense" {
		t.Fatalf("formats %q, %q: want csr for the 5%% layer, dense for the full one", small.Metadata["layers.0.format"], small.Metadata["layers.1.format"])
	}
	cols, ok := small.Lookup("layers.0.weight.cols")
	if !ok || cols.Dtype != checkpoint.U16 {
		t.Fatalf("columns %+v: want a U16 tensor", cols)
	}
	// Decode the columns by hand and compare with the network's own.
	s := compact.Sparse().Layers()[0]
	for i, c := range s.Cols {
		if got := binary.LittleEndian.Uint16(cols.Data[2*i:]); int32(got) != c {
			t.Fatalf("column %d stored as %d, want %d", i, got, c)
		}
	}
	l0, l1, l2 := compact.Layers[0], compact.Layers[1], compact.Layers[2]
	wantSmall := len(s.Values)*(4+2) + (l0.Out+1)*4 + (l1.Out*l1.In+l2.Out*l2.In)*4 + (l0.Out+l1.Out+l2.Out)*4 + len(compact.Inputs)*4
	data := 0
	for _, ts := range small.Tensors {
		data += len(ts.Data)
	}
	if data != wantSmall {
		t.Errorf("data section %d bytes, want %d", data, wantSmall)
	}
	_, smallBytes := roundTrip(t, small)
	_, fullBytes := roundTrip(t, full)
	if !(float64(fullBytes) > 1.5*float64(smallBytes)) {
		t.Errorf("dense file %d bytes, smallest %d: want the sparse layout well below", fullBytes, smallBytes)
	}
}

// TestPrunedNetOnDisk writes through WriteFile and reads through ReadFile.
func TestPrunedNetOnDisk(t *testing.T) {
	_, compact := prunedNet(t, 2, 0.1)
	f, err := checkpoint.PrunedNet(compact, checkpoint.F64, checkpoint.Smallest)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "net.safetensors")
	if err := checkpoint.WriteFile(path, f); err != nil {
		t.Fatal(err)
	}
	g, err := checkpoint.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	net, err := checkpoint.ReadPrunedNet(g)
	if err != nil {
		t.Fatal(err)
	}
	if net.NonZero() != compact.Sparse().NonZero() {
		t.Errorf("read back %d weights, want %d", net.NonZero(), compact.Sparse().NonZero())
	}
}

func TestPrunedNetErrors(t *testing.T) {
	_, compact := prunedNet(t, 3, 0.05)
	tanh := *compact
	tanh.Hidden = math.Tanh
	if _, err := checkpoint.PrunedNet(&tanh, checkpoint.F32, checkpoint.Smallest); err == nil || !strings.Contains(err.Error(), "ReLU") {
		t.Errorf("tanh network: error %v, want one naming ReLU", err)
	}
	if _, err := checkpoint.PrunedNet(compact, checkpoint.I32, checkpoint.Smallest); err == nil || !strings.Contains(err.Error(), "I32") {
		t.Errorf("I32 values: error %v, want one naming the dtype", err)
	}
	if _, err := checkpoint.PrunedNet(nil, checkpoint.F32, checkpoint.Smallest); err == nil {
		t.Error("nil network: no error")
	}
	good, err := checkpoint.PrunedNet(compact, checkpoint.F32, checkpoint.Smallest)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(f *checkpoint.File)
		want  string
		match error
	}{
		{"another kind of file", func(f *checkpoint.File) { f.Metadata["bnn.export"] = "mean-weights" }, "pruned-net", checkpoint.ErrNotCheckpoint},
		{"huge layer count", func(f *checkpoint.File) { f.Metadata["layers"] = "1000000000000" }, "layers", checkpoint.ErrMetadataMismatch},
		{"unknown format", func(f *checkpoint.File) { f.Metadata["layers.1.format"] = "coo" }, "coo", checkpoint.ErrMetadataMismatch},
		{"missing columns", func(f *checkpoint.File) { drop(f, "layers.0.weight.cols") }, "layers.0.weight.cols", checkpoint.ErrMissingTensor},
		{"column out of range", func(f *checkpoint.File) { f.Metadata["layers.0.in"] = "1" }, "column", prune.ErrShape},
	} {
		f := clone(good)
		tc.edit(f)
		_, err := checkpoint.ReadPrunedNet(f)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, tc.match) {
			t.Errorf("%s: error %v, want %v naming %q", tc.name, err, tc.match, tc.want)
		}
	}
}

func clone(f *checkpoint.File) *checkpoint.File {
	g := &checkpoint.File{Tensors: append([]checkpoint.Tensor(nil), f.Tensors...), Metadata: map[string]string{}}
	for k, v := range f.Metadata {
		g.Metadata[k] = v
	}
	return g
}

func drop(f *checkpoint.File, name string) {
	for i, t := range f.Tensors {
		if t.Name == name {
			f.Tensors = append(f.Tensors[:i], f.Tensors[i+1:]...)
			return
		}
	}
}
