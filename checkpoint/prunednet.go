package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/gorgonia-bnn/bnn/prune"
)

// NetLayout chooses how PrunedNet stores each layer's weights.
type NetLayout int

const (
	// Dense stores every layer as an [out, in] matrix, zeros included:
	// the size of the network before pruning, the baseline a compression
	// figure divides.
	Dense NetLayout = iota
	// Smallest stores each layer dense or in compressed sparse rows,
	// whichever takes fewer bytes, so the file grows with the kept
	// weights.
	Smallest
)

// prunedNetExport is the bnn.export metadata value of PrunedNet's files.
const prunedNetExport = "pruned-net"

// PrunedNet returns the safetensors file of a pruned deterministic ReLU
// network (typically prune.Compact's output), its values stored as dt (F32
// or F64). Layer k's bias is "layers.k.bias" [out]; its weights are either
// "layers.k.weight" [out, in] or, in compressed sparse rows,
// "layers.k.weight.values" [nnz], "layers.k.weight.cols" [nnz] (U16 where
// the layer has at most 65,536 inputs, else I32) and
// "layers.k.weight.rowstart" [out+1] (I32), as layout chooses; metadata
// "layers.k.format" says which ("dense" or "csr"). A network that reads
// only some inputs lists them in "inputs" (I32). ReadPrunedNet reads the
// file back.
func PrunedNet(n *prune.Net, dt Dtype, layout NetLayout) (*File, error) {
	if n == nil {
		return nil, errors.New("checkpoint: PrunedNet: nil network")
	}
	if dt != F32 && dt != F64 {
		return nil, fmt.Errorf("checkpoint: PrunedNet: dtype %q, want F32 or F64", dt)
	}
	if layout != Dense && layout != Smallest {
		return nil, fmt.Errorf("checkpoint: PrunedNet: unknown layout %d", int(layout))
	}
	if n.Hidden == nil || reflect.ValueOf(n.Hidden).Pointer() != reflect.ValueOf(prune.ReLU).Pointer() {
		return nil, errors.New("checkpoint: PrunedNet: only networks with prune.ReLU as Hidden can be exported")
	}
	s := n.Sparse()
	if _, err := s.Forward(make([]float64, n.InputWidth), 1); err != nil {
		return nil, fmt.Errorf("checkpoint: PrunedNet: %w", err) // the Net does not fit together
	}
	f := &File{Metadata: map[string]string{
		"bnn.export":  prunedNetExport,
		"activation":  "relu",
		"input_width": strconv.Itoa(n.InputWidth),
		"layers":      strconv.Itoa(len(n.Layers)),
		"layout": "layer k: y = x W^T + b; W dense [out, in] row-major, or compressed sparse rows " +
			"(row o holds values[rowstart[o]:rowstart[o+1]] in columns cols[...]); ReLU after every layer but the last",
	}}
	if n.Inputs != nil {
		t, err := intTensor("inputs", I32, n.Inputs)
		if err != nil {
			return nil, err
		}
		f.Tensors = append(f.Tensors, t)
	}
	for k, l := range s.Layers() {
		name := "layers." + strconv.Itoa(k)
		cols := U16
		if l.In > 1<<16 {
			cols = I32
		}
		denseBytes := l.Out * l.In * dt.Size()
		csrBytes := len(l.Values)*(dt.Size()+cols.Size()) + (l.Out+1)*I32.Size()
		var ts []Tensor
		var err error
		if layout == Dense || denseBytes <= csrBytes {
			f.Metadata[name+".format"] = "dense"
			ts, err = denseWeight(name, dt, n.Layers[k])
		} else {
			f.Metadata[name+".format"] = "csr"
			f.Metadata[name+".in"] = strconv.Itoa(l.In)
			ts, err = csrWeight(name, dt, cols, l)
		}
		if err != nil {
			return nil, fmt.Errorf("checkpoint: PrunedNet: %w", err)
		}
		f.Tensors = append(f.Tensors, ts...)
		if l.Bias != nil {
			b, err := NewTensor(name+".bias", dt, []int{l.Out}, l.Bias)
			if err != nil {
				return nil, fmt.Errorf("checkpoint: PrunedNet: %w", err)
			}
			f.Tensors = append(f.Tensors, b)
		}
	}
	return f, nil
}

func denseWeight(name string, dt Dtype, l prune.Layer) ([]Tensor, error) {
	t, err := NewTensor(name+".weight", dt, []int{l.Out, l.In}, l.Weight)
	return []Tensor{t}, err
}

func csrWeight(name string, dt, cols Dtype, l prune.SparseLayer) ([]Tensor, error) {
	v, err := NewTensor(name+".weight.values", dt, []int{len(l.Values)}, l.Values)
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(l.Cols))
	for i, c := range l.Cols {
		idx[i] = int(c)
	}
	c, err := intTensor(name+".weight.cols", cols, idx)
	if err != nil {
		return nil, err
	}
	r, err := intTensor(name+".weight.rowstart", I32, l.RowStart)
	if err != nil {
		return nil, err
	}
	return []Tensor{v, c, r}, nil
}

// ReadPrunedNet returns the network of a file PrunedNet wrote, in
// compressed sparse rows whatever its layout, so a forward pass costs one
// multiply-add per stored weight. A file of another kind, a missing or
// malformed tensor and layers that do not chain are named errors.
func ReadPrunedNet(f *File) (*prune.SparseNet, error) {
	if f == nil {
		return nil, errors.New("checkpoint: ReadPrunedNet: nil file")
	}
	if got := f.Metadata["bnn.export"]; got != prunedNetExport {
		return nil, fmt.Errorf("checkpoint: ReadPrunedNet: %w: bnn.export is %q, want %q", ErrNotCheckpoint, got, prunedNetExport)
	}
	if a := f.Metadata["activation"]; a != "relu" {
		return nil, fmt.Errorf("checkpoint: ReadPrunedNet: activation %q, want relu", a)
	}
	width, err1 := strconv.Atoi(f.Metadata["input_width"])
	count, err2 := strconv.Atoi(f.Metadata["layers"])
	// Each layer has at least one tensor: that bounds what count allocates.
	if err := errors.Join(err1, err2); err != nil || width <= 0 || count <= 0 || count > len(f.Tensors) {
		return nil, fmt.Errorf("checkpoint: ReadPrunedNet: %w: input_width %q and layers %q must be positive integers, layers at most the %d tensors",
			ErrMetadataMismatch, f.Metadata["input_width"], f.Metadata["layers"], len(f.Tensors))
	}
	var inputs []int
	var err error
	if t, ok := f.Lookup("inputs"); ok {
		if inputs, err = ints(t); err != nil {
			return nil, fmt.Errorf("checkpoint: ReadPrunedNet: %w", err)
		}
	}
	layers := make([]prune.SparseLayer, count)
	for k := range layers {
		if layers[k], err = readLayer(f, "layers."+strconv.Itoa(k)); err != nil {
			return nil, fmt.Errorf("checkpoint: ReadPrunedNet: %w", err)
		}
	}
	n, err := prune.NewSparseNet(width, inputs, layers, prune.ReLU)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: ReadPrunedNet: %w", err)
	}
	return n, nil
}

func readLayer(f *File, name string) (prune.SparseLayer, error) {
	var l prune.SparseLayer
	floats := func(suffix string) ([]float64, Tensor, error) {
		t, ok := f.Lookup(name + suffix)
		if !ok {
			return nil, t, tensorErr(name+suffix, ErrMissingTensor, "layer %s needs it", name)
		}
		v, err := t.Float64s()
		return v, t, err
	}
	switch format := f.Metadata[name+".format"]; format {
	case "dense":
		w, t, err := floats(".weight")
		if err != nil {
			return l, err
		}
		if len(t.Shape) != 2 {
			return l, tensorErr(t.Name, ErrShape, "shape %v, want [out, in]", t.Shape)
		}
		dense := prune.Net{Layers: []prune.Layer{{Out: t.Shape[0], In: t.Shape[1], Weight: w}}, Hidden: prune.ReLU, InputWidth: t.Shape[1]}
		l = dense.Sparse().Layers()[0]
	case "csr":
		v, _, err := floats(".weight.values")
		if err != nil {
			return l, err
		}
		cols, err := lookupInts(f, name+".weight.cols")
		if err != nil {
			return l, err
		}
		if l.RowStart, err = lookupInts(f, name+".weight.rowstart"); err != nil {
			return l, err
		}
		l.Values, l.Out = v, len(l.RowStart)-1
		l.Cols = make([]int32, len(cols))
		for i, c := range cols {
			l.Cols[i] = int32(c)
		}
		in, ok := f.Metadata[name+".in"]
		if l.In, err = strconv.Atoi(in); !ok || err != nil || l.In <= 0 {
			return l, fmt.Errorf("%w: %s.in is %q, want the layer's input count", ErrMetadataMismatch, name, in)
		}
	default:
		return l, fmt.Errorf("%w: %s.format is %q, want dense or csr", ErrMetadataMismatch, name, format)
	}
	if t, ok := f.Lookup(name + ".bias"); ok {
		b, err := t.Float64s()
		if err != nil {
			return l, err
		}
		l.Bias = b
	}
	return l, nil
}

func lookupInts(f *File, name string) ([]int, error) {
	t, ok := f.Lookup(name)
	if !ok {
		return nil, tensorErr(name, ErrMissingTensor, "a compressed sparse row layer needs it")
	}
	return ints(t)
}

// intTensor returns a one-dimensional tensor of integer values stored as
// dt (U16, I32 or I64), refusing values dt cannot hold.
func intTensor(name string, dt Dtype, values []int) (Tensor, error) {
	var lo, hi int
	switch dt {
	case U16:
		lo, hi = 0, math.MaxUint16
	case I32:
		lo, hi = math.MinInt32, math.MaxInt32
	case I64:
		lo, hi = math.MinInt64, math.MaxInt64
	default:
		return Tensor{}, tensorErr(name, ErrUnknownDtype, "integer tensors are U16, I32 or I64, not %q", dt)
	}
	size := dt.Size()
	t := Tensor{Name: name, Dtype: dt, Shape: []int{len(values)}, Data: make([]byte, len(values)*size)}
	for i, v := range values {
		if v < lo || v > hi {
			return Tensor{}, tensorErr(name, ErrShape, "value %d at %d does not fit %s", v, i, dt)
		}
		switch dt {
		case U16:
			binary.LittleEndian.PutUint16(t.Data[2*i:], uint16(v))
		case I32:
			binary.LittleEndian.PutUint32(t.Data[4*i:], uint32(int32(v)))
		case I64:
			binary.LittleEndian.PutUint64(t.Data[8*i:], uint64(v))
		}
	}
	return t, nil
}

// ints returns the values of a one-dimensional U16, I32 or I64 tensor.
func ints(t Tensor) ([]int, error) {
	size := t.Dtype.Size()
	if t.Dtype != U16 && t.Dtype != I32 && t.Dtype != I64 {
		return nil, tensorErr(t.Name, ErrDtypeMismatch, "%s, want U16, I32 or I64 indices", t.Dtype)
	}
	if len(t.Shape) != 1 || t.Shape[0]*size != len(t.Data) {
		return nil, tensorErr(t.Name, ErrShape, "shape %v of %s for %d bytes, want one dimension", t.Shape, t.Dtype, len(t.Data))
	}
	out := make([]int, t.Shape[0])
	le := binary.LittleEndian
	for i := range out {
		switch t.Dtype {
		case U16:
			out[i] = int(le.Uint16(t.Data[2*i:]))
		case I32:
			out[i] = int(int32(le.Uint32(t.Data[4*i:])))
		case I64:
			out[i] = int(int64(le.Uint64(t.Data[8*i:])))
		}
	}
	return out, nil
}
