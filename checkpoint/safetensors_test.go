package checkpoint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// sample returns a file with tensors of several dtypes and shapes: a
// matrix, a vector, a scalar and an empty tensor.
func sample(t testing.TB) *File {
	t.Helper()
	a, err := NewTensor("a", F32, []int{2, 3}, []float64{1, 2, 3, 4, 5, 6.5})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewTensor("b.weight/x", F64, []int{2}, []float64{math.Pi, -0.1})
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewTensor("s", F64, nil, []float64{42})
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewTensor("e", F32, []int{0, 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &File{Tensors: []Tensor{a, b, s, e}, Metadata: map[string]string{"format": "pt", "note": `<&> "quoted"`}}
}

func encode(t testing.TB, f *File) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := f.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

// assemble returns a file of the given header text and data.
func assemble(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

func TestRoundTrip(t *testing.T) {
	want := sample(t)
	b := encode(t, want)
	n := binary.LittleEndian.Uint64(b)
	if n%8 != 0 {
		t.Errorf("header length %d: want a multiple of 8, so the data is aligned", n)
	}
	got, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Tensors) != len(want.Tensors) {
		t.Fatalf("%d tensors, want %d", len(got.Tensors), len(want.Tensors))
	}
	for i, w := range want.Tensors {
		g := got.Tensors[i] // the data order is the order written
		if g.Name != w.Name || g.Dtype != w.Dtype || !slices.Equal(g.Shape, w.Shape) || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("tensor %d: got %s %s %v %x, want %s %s %v %x", i, g.Name, g.Dtype, g.Shape, g.Data, w.Name, w.Dtype, w.Shape, w.Data)
		}
	}
	if s, _ := got.Lookup("s"); s.Shape == nil || len(s.Shape) != 0 {
		t.Errorf("scalar shape %#v, want []", s.Shape)
	}
	for k, v := range want.Metadata {
		if got.Metadata[k] != v {
			t.Errorf("metadata %q = %q, want %q", k, got.Metadata[k], v)
		}
	}
	vals, err := got.Tensors[0].Float64s()
	if err != nil || !slices.Equal(vals, []float64{1, 2, 3, 4, 5, 6.5}) {
		t.Errorf("a = %v, %v", vals, err)
	}
	vals, err = got.Tensors[1].Float64s()
	if err != nil || !slices.Equal(vals, []float64{math.Pi, -0.1}) {
		t.Errorf("b = %v, %v: want the float64 values to the bit", vals, err)
	}
	// Encoding is deterministic: the same file gives the same bytes.
	if again := encode(t, got); !bytes.Equal(again, b) {
		t.Error("re-encoding a parsed file changed its bytes")
	}
}

func TestParseRejects(t *testing.T) {
	valid := encode(t, sample(t))
	withLength := func(n uint64) []byte {
		b := slices.Clone(valid)
		binary.LittleEndian.PutUint64(b, n)
		return b
	}
	hdrLen := int(binary.LittleEndian.Uint64(valid))
	d8 := make([]byte, 8)
	cases := []struct {
		name   string
		file   []byte
		want   error
		tensor string // the tensor a *TensorError must name, if any
	}{
		{"empty", nil, ErrTruncated, ""},
		{"7 bytes", valid[:7], ErrTruncated, ""},
		{"cut in the header", valid[:8+hdrLen-1], ErrHeaderLength, ""},
		{"cut in the data", valid[:len(valid)-1], ErrTruncated, "e"}, // the first in the header past the end
		{"header length past the end", withLength(uint64(hdrLen + len(valid))), ErrHeaderLength, ""},
		{"header length 2^63", withLength(1 << 63), ErrHeaderLength, ""},
		{"header length 2^64-1", withLength(math.MaxUint64), ErrHeaderLength, ""},
		{"invalid JSON", assemble(`{"a": `, nil), ErrInvalidHeader, ""},
		{"not an object", assemble(`[1, 2]`, nil), ErrInvalidHeader, ""},
		{"empty header", assemble(``, nil), ErrInvalidHeader, ""},
		{"data after the object", assemble(`{} {}`, nil), ErrInvalidHeader, ""},
		{"invalid UTF-8", assemble("{\"\xff\": 1}", nil), ErrInvalidHeader, ""},
		{"duplicate name", assemble(`{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, []byte{1, 2}), ErrInvalidHeader, ""},
		{"metadata not strings", assemble(`{"__metadata__":{"a":1}}`, nil), ErrInvalidHeader, ""},
		{"metadata not an object", assemble(`{"__metadata__":"a"}`, nil), ErrInvalidHeader, ""},
		{"tensor not an object", assemble(`{"x":[1]}`, nil), ErrInvalidHeader, "x"},
		{"unknown field", assemble(`{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"strides":[1]}}`, []byte{1}), ErrInvalidHeader, "x"},
		{"missing field", assemble(`{"x":{"dtype":"U8","shape":[1]}}`, []byte{1}), ErrInvalidHeader, "x"},
		{"fractional offset", assemble(`{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1.5]}}`, []byte{1}), ErrInvalidHeader, "x"},
		{"unknown dtype", assemble(`{"x":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}`, make([]byte, 16)), ErrUnknownDtype, "x"},
		{"lower-case dtype", assemble(`{"x":{"dtype":"f32","shape":[1],"data_offsets":[0,4]}}`, make([]byte, 4)), ErrUnknownDtype, "x"},
		{"shape too small", assemble(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}`, d8), ErrShape, "x"},
		{"shape too large", assemble(`{"x":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}}`, d8), ErrShape, "x"},
		{"negative dimension", assemble(`{"x":{"dtype":"U8","shape":[-8],"data_offsets":[0,8]}}`, d8), ErrShape, "x"},
		{"overflowing shape", assemble(`{"x":{"dtype":"F64","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}`, d8), ErrShape, "x"},
		{"three offsets", assemble(`{"x":{"dtype":"U8","shape":[8],"data_offsets":[0,8,8]}}`, d8), ErrOffsets, "x"},
		{"reversed offsets", assemble(`{"x":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}}`, d8), ErrOffsets, "x"},
		{"negative offset", assemble(`{"x":{"dtype":"U8","shape":[8],"data_offsets":[-8,0]}}`, d8), ErrOffsets, "x"},
		{"offsets past the data", assemble(`{"x":{"dtype":"U8","shape":[16],"data_offsets":[0,16]}}`, d8), ErrTruncated, "x"},
		{"huge offsets", assemble(`{"x":{"dtype":"U8","shape":[1],"data_offsets":[9223372036854775806,9223372036854775807]}}`, d8), ErrTruncated, "x"},
		{"overlap", assemble(`{"x":{"dtype":"U8","shape":[6],"data_offsets":[0,6]},"y":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}`, d8), ErrOffsets, "y"},
		{"same range twice", assemble(`{"x":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"y":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}`, d8), ErrOffsets, "y"},
		{"gap", assemble(`{"x":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"y":{"dtype":"U8","shape":[2],"data_offsets":[6,8]}}`, d8), ErrOffsets, "y"},
		{"data not covered", assemble(`{"x":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, d8), ErrOffsets, ""},
		{"data and no tensor", assemble(`{}`, d8), ErrOffsets, ""},
	}
	sentinels := []error{ErrTruncated, ErrHeaderLength, ErrInvalidHeader, ErrOffsets, ErrUnknownDtype, ErrShape}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse(c.file)
			if err == nil {
				t.Fatalf("parsed %d tensors, want %v", len(f.Tensors), c.want)
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("error %q, want %v", err, c.want)
			}
			for _, s := range sentinels {
				if s != c.want && errors.Is(err, s) {
					t.Errorf("error %q is also %v", err, s)
				}
			}
			var te *TensorError
			switch {
			case c.tensor == "" && errors.As(err, &te):
				t.Errorf("error %q names tensor %q, want none", err, te.Name)
			case c.tensor != "" && (!errors.As(err, &te) || te.Name != c.tensor):
				t.Errorf("error %q: want a *TensorError naming %q", err, c.tensor)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	for name, file := range map[string][]byte{
		"no tensors":             assemble(`{}`, nil),
		"null metadata":          assemble(`{"__metadata__":null}`, nil),
		"whitespace and order":   assemble(" \n{\"y\":{\"data_offsets\":[4,8],\"shape\":[4],\"dtype\":\"U8\"}, \"x\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}   ", make([]byte, 8)),
		"empty tensors anywhere": assemble(`{"x":{"dtype":"F64","shape":[0],"data_offsets":[0,0]},"y":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"z":{"dtype":"BF16","shape":[3,0],"data_offsets":[8,8]}}`, make([]byte, 8)),
	} {
		if _, err := Parse(file); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	f, err := Parse(assemble(" \n{\"y\":{\"data_offsets\":[4,8],\"shape\":[4],\"dtype\":\"U8\"}, \"x\":{\"dtype\":\"I32\",\"shape\":[],\"data_offsets\":[0,4]}}", make([]byte, 8)))
	if err != nil {
		t.Fatal(err)
	}
	if f.Tensors[0].Name != "x" || f.Tensors[1].Name != "y" {
		t.Errorf("tensors %s, %s: want them in the order of their data", f.Tensors[0].Name, f.Tensors[1].Name)
	}
}

func TestFloat64s(t *testing.T) {
	le := binary.LittleEndian
	halves := map[uint16]float64{
		0x3c00: 1, 0xc000: -2, 0x7bff: 65504, 0x0001: math.Ldexp(1, -24), 0x03ff: math.Ldexp(1023, -24),
		0x0400: math.Ldexp(1, -14), 0x3555: 0.333251953125, 0x7c00: math.Inf(1), 0xfc00: math.Inf(-1), 0x0000: 0,
	}
	for bits, want := range halves {
		got, err := Tensor{Name: "h", Dtype: F16, Shape: []int{1}, Data: le.AppendUint16(nil, bits)}.Float64s()
		if err != nil || got[0] != want {
			t.Errorf("F16 %#04x = %v, %v; want %v", bits, got, err, want)
		}
	}
	if got, _ := (Tensor{Dtype: F16, Shape: []int{1}, Data: le.AppendUint16(nil, 0x8000)}).Float64s(); !math.Signbit(got[0]) {
		t.Errorf("F16 0x8000 = %v, want -0", got[0])
	}
	if got, _ := (Tensor{Dtype: F16, Shape: []int{1}, Data: le.AppendUint16(nil, 0x7e00)}).Float64s(); !math.IsNaN(got[0]) {
		t.Errorf("F16 0x7e00 = %v, want NaN", got[0])
	}
	bf := Tensor{Name: "b", Dtype: BF16, Shape: []int{2}, Data: le.AppendUint16(le.AppendUint16(nil, 0x3f80), 0xc040)}
	if got, err := bf.Float64s(); err != nil || !slices.Equal(got, []float64{1, -3}) {
		t.Errorf("BF16 = %v, %v; want [1 -3]", got, err)
	}
	if _, err := (Tensor{Name: "i", Dtype: I64, Shape: []int{1}, Data: make([]byte, 8)}).Float64s(); !errors.Is(err, ErrDtypeMismatch) {
		t.Errorf("I64: %v, want ErrDtypeMismatch", err)
	}
	if _, err := (Tensor{Name: "f", Dtype: F32, Shape: []int{2}, Data: make([]byte, 4)}).Float64s(); !errors.Is(err, ErrShape) {
		t.Errorf("short data: %v, want ErrShape", err)
	}
}

func TestWriteRejects(t *testing.T) {
	ok := sample(t).Tensors[0]
	cases := map[string]struct {
		f    *File
		want error
	}{
		"duplicate":     {&File{Tensors: []Tensor{ok, ok}}, ErrInvalidHeader},
		"empty name":    {&File{Tensors: []Tensor{{Dtype: U8, Shape: []int{1}, Data: []byte{1}}}}, ErrInvalidHeader},
		"metadata name": {&File{Tensors: []Tensor{{Name: metadataKey, Dtype: U8, Shape: []int{1}, Data: []byte{1}}}}, ErrInvalidHeader},
		"bad dtype":     {&File{Tensors: []Tensor{{Name: "x", Dtype: "F128", Shape: []int{1}, Data: make([]byte, 16)}}}, ErrUnknownDtype},
		"short data":    {&File{Tensors: []Tensor{{Name: "x", Dtype: F32, Shape: []int{2}, Data: make([]byte, 4)}}}, ErrShape},
		"negative dim":  {&File{Tensors: []Tensor{{Name: "x", Dtype: F32, Shape: []int{-1}}}}, ErrShape},
	}
	for name, c := range cases {
		var buf bytes.Buffer
		n, err := c.f.WriteTo(&buf)
		if !errors.Is(err, c.want) || n != 0 || buf.Len() != 0 {
			t.Errorf("%s: wrote %d bytes, error %v; want nothing written and %v", name, buf.Len(), err, c.want)
		}
	}
	if _, err := NewTensor("x", I32, []int{1}, []float64{1}); !errors.Is(err, ErrUnknownDtype) {
		t.Errorf("NewTensor I32: %v, want an error", err)
	}
	if _, err := NewTensor("x", F32, []int{2, 2}, []float64{1}); !errors.Is(err, ErrShape) {
		t.Errorf("NewTensor with 1 value for [2 2]: %v, want ErrShape", err)
	}
}

// TestWriteFileKeepsOldOnError checks that a write that fails leaves the
// previous file whole and no temporary file behind.
func TestWriteFileKeepsOldOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.safetensors")
	if err := WriteFile(path, sample(t)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	bad := &File{Tensors: []Tensor{{Name: "x", Dtype: F32, Shape: []int{2}, Data: make([]byte, 4)}}}
	if err := WriteFile(path, bad); !errors.Is(err, ErrShape) {
		t.Fatalf("WriteFile of a bad file: %v, want ErrShape", err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Error("a failed WriteFile changed the file")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("%d entries in the directory, want only the file", len(entries))
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("ReadFile of a missing file: %v", err)
	}
}
