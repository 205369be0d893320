package checkpoint

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"unicode/utf8"

	"github.com/gorgonia-bnn/bnn/internal/atomicfile"
)

// MaxHeaderSize bounds the JSON header Parse accepts, as the reference
// implementation does (100 MB).
const MaxHeaderSize = 100_000_000

// metadataKey is the header entry that holds the file's metadata.
const metadataKey = "__metadata__"

// DigestKey is the metadata entry in which WriteTo records the SHA-256
// digest of the file's data section (every tensor's bytes, in file order),
// in hexadecimal, and against which Parse checks the data: a flipped byte
// is ErrDigest, not a silently different model. Parse removes it from the
// metadata it returns. Files without it (written by other tools) are read
// unchecked.
const DigestKey = "bnn.sha256"

// Dtype is a tensor's element type, named as in the safetensors header.
type Dtype string

// The dtypes of the safetensors format. Parse accepts all of them;
// Tensor.Float64s converts the floating-point ones but the 8-bit floats.
const (
	BOOL   Dtype = "BOOL"
	U8     Dtype = "U8"
	I8     Dtype = "I8"
	F8E5M2 Dtype = "F8_E5M2"
	F8E4M3 Dtype = "F8_E4M3"
	I16    Dtype = "I16"
	U16    Dtype = "U16"
	F16    Dtype = "F16"
	BF16   Dtype = "BF16"
	I32    Dtype = "I32"
	U32    Dtype = "U32"
	F32    Dtype = "F32"
	I64    Dtype = "I64"
	U64    Dtype = "U64"
	F64    Dtype = "F64"
)

var dtypeSizes = map[Dtype]int{
	BOOL: 1, U8: 1, I8: 1, F8E5M2: 1, F8E4M3: 1,
	I16: 2, U16: 2, F16: 2, BF16: 2,
	I32: 4, U32: 4, F32: 4,
	I64: 8, U64: 8, F64: 8,
}

// Size returns the bytes per element of d, or 0 if the format does not
// define d.
func (d Dtype) Size() int { return dtypeSizes[d] }

// Tensor is one named tensor of a safetensors file.
type Tensor struct {
	Name  string
	Dtype Dtype
	Shape []int // empty for a scalar
	// Data holds the elements in row-major order, little-endian:
	// product(Shape) * Dtype.Size() bytes. A parsed tensor's Data is a
	// slice of the buffer given to Parse.
	Data []byte
}

// NewTensor returns a tensor of values (row-major) stored as dt, which must
// be F64 or F32.
func NewTensor(name string, dt Dtype, shape []int, values []float64) (Tensor, error) {
	n, err := elements(shape)
	if err != nil {
		return Tensor{}, tensorErr(name, ErrShape, "%v", err)
	}
	if n != len(values) {
		return Tensor{}, tensorErr(name, ErrShape, "shape %v holds %d values, got %d", shape, n, len(values))
	}
	t := Tensor{Name: name, Dtype: dt, Shape: slices.Clone(shape), Data: make([]byte, n*dt.Size())}
	switch dt {
	case F64:
		for i, v := range values {
			binary.LittleEndian.PutUint64(t.Data[8*i:], math.Float64bits(v))
		}
	case F32:
		for i, v := range values {
			binary.LittleEndian.PutUint32(t.Data[4*i:], math.Float32bits(float32(v)))
		}
	default:
		return Tensor{}, tensorErr(name, ErrUnknownDtype, "NewTensor writes F64 or F32, not %q", dt)
	}
	return t, nil
}

// Float64s returns the tensor's values as float64: exactly for F64, F32,
// F16 and BF16. Other dtypes are an error wrapping ErrDtypeMismatch, and
// data of the wrong length one wrapping ErrShape.
func (t Tensor) Float64s() ([]float64, error) {
	size := t.Dtype.Size()
	if size == 0 {
		return nil, tensorErr(t.Name, ErrUnknownDtype, "%q", t.Dtype)
	}
	n, err := elements(t.Shape)
	if err != nil || n*size != len(t.Data) {
		return nil, tensorErr(t.Name, ErrShape, "shape %v of %s needs %d bytes, the data has %d", t.Shape, t.Dtype, n*size, len(t.Data))
	}
	out := make([]float64, n)
	le := binary.LittleEndian
	switch t.Dtype {
	case F64:
		for i := range out {
			out[i] = math.Float64frombits(le.Uint64(t.Data[8*i:]))
		}
	case F32:
		for i := range out {
			out[i] = float64(math.Float32frombits(le.Uint32(t.Data[4*i:])))
		}
	case BF16:
		for i := range out {
			out[i] = float64(math.Float32frombits(uint32(le.Uint16(t.Data[2*i:])) << 16))
		}
	case F16:
		for i := range out {
			out[i] = half(le.Uint16(t.Data[2*i:]))
		}
	default:
		return nil, tensorErr(t.Name, ErrDtypeMismatch, "%s is not a floating-point dtype this package converts", t.Dtype)
	}
	return out, nil
}

// half returns the value of an IEEE 754 binary16.
func half(h uint16) float64 {
	sign, exp, frac := h>>15, int(h>>10&0x1f), float64(h&0x3ff)
	var v float64
	switch exp {
	case 0: // zero and subnormals
		v = math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		v = math.Inf(1)
	default:
		v = math.Ldexp(1024+frac, exp-25)
	}
	if sign == 1 {
		return -v
	}
	return v
}

// elements returns the number of elements of shape, or an error for a
// negative dimension or a count that overflows an int.
func elements(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("shape %v has a negative dimension", shape)
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, fmt.Errorf("shape %v has too many elements", shape)
		}
		n *= d
	}
	return n, nil
}

// File is a safetensors file: named tensors and string metadata.
type File struct {
	Tensors  []Tensor          // in the order of their data
	Metadata map[string]string // the header's __metadata__; nil if none
}

// Lookup returns the tensor of the given name.
func (f *File) Lookup(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

// header is one tensor entry of the JSON header. Pointers tell a missing
// field from a zero one.
type header struct {
	Dtype   *Dtype   `json:"dtype"`
	Shape   *[]int64 `json:"shape"`
	Offsets *[]int64 `json:"data_offsets"`
}

// Parse decodes a safetensors file. It accepts only a well-formed file (see
// the Err* values for what it rejects) and allocates no more than in
// proportion to len(b), whatever the header claims. The tensors' Data are
// slices of b.
func Parse(b []byte) (*File, error) {
	f, err := parse(b)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return f, nil
}

// ReadFile reads and parses the safetensors file at path.
func ReadFile(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	f, err := parse(b)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return f, nil
}

func parse(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the 8-byte header length", ErrTruncated, len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if rest := uint64(len(b) - 8); n > rest {
		return nil, fmt.Errorf("%w: the header is said to be %d bytes, the file has %d after the length", ErrHeaderLength, n, rest)
	}
	if n > MaxHeaderSize {
		return nil, fmt.Errorf("%w: the header is %d bytes, more than %d", ErrHeaderLength, n, MaxHeaderSize)
	}
	head, data := b[8:8+n], b[8+n:]
	if !utf8.Valid(head) {
		return nil, fmt.Errorf("%w: not valid UTF-8", ErrInvalidHeader)
	}
	entries, err := object(head)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidHeader, err)
	}
	f := &File{Tensors: make([]Tensor, 0, len(entries))}
	spans := make([]span, 0, len(entries))
	for _, e := range entries {
		if e.key == metadataKey {
			if f.Metadata, err = metadata(e.value); err != nil {
				return nil, fmt.Errorf("%w: %s: %v", ErrInvalidHeader, metadataKey, err)
			}
			continue
		}
		t, s, err := parseTensor(e.key, e.value, data)
		if err != nil {
			return nil, err
		}
		f.Tensors = append(f.Tensors, t)
		spans = append(spans, s)
	}
	if err := tile(f.Tensors, spans, int64(len(data))); err != nil {
		return nil, err
	}
	if want, ok := f.Metadata[DigestKey]; ok {
		if got := digest(data); got != want {
			return nil, fmt.Errorf("%w: the data's SHA-256 is %s, the header records %s: the file was damaged after it was written", ErrDigest, got, want)
		}
		// A property of the encoding, not of the content: WriteTo
		// writes it anew.
		delete(f.Metadata, DigestKey)
		if len(f.Metadata) == 0 {
			f.Metadata = nil
		}
	}
	return f, nil
}

// digest returns the hexadecimal SHA-256 of the byte slices, one after
// another.
func digest(data ...[]byte) string {
	h := sha256.New()
	for _, b := range data {
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

type entry struct {
	key   string
	value json.RawMessage
}

// object splits a JSON object into its entries, in order, rejecting
// duplicate keys (which encoding/json would silently merge) and anything
// after the object.
func object(b []byte) ([]entry, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	var es []entry
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("key %v is not a string", tok)
		}
		if seen[key] {
			return nil, fmt.Errorf("%q appears twice", key)
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%q: %v", key, err)
		}
		es = append(es, entry{key, v})
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("data after the JSON object")
	}
	return es, nil
}

func metadata(raw json.RawMessage) (map[string]string, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	es, err := object(raw)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(es))
	for _, e := range es {
		var s string
		if err := json.Unmarshal(e.value, &s); err != nil {
			return nil, fmt.Errorf("value of %q is not a string", e.key)
		}
		m[e.key] = s
	}
	return m, nil
}

// parseTensor decodes one header entry and checks it against the data section.
func parseTensor(name string, raw json.RawMessage, data []byte) (Tensor, span, error) {
	var h header
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return Tensor{}, span{}, tensorErr(name, ErrInvalidHeader, "%v", err)
	}
	if h.Dtype == nil || h.Shape == nil || h.Offsets == nil {
		return Tensor{}, span{}, tensorErr(name, ErrInvalidHeader, "want the fields dtype, shape and data_offsets")
	}
	dt := *h.Dtype
	size := dt.Size()
	if size == 0 {
		return Tensor{}, span{}, tensorErr(name, ErrUnknownDtype, "%q", dt)
	}
	shape := make([]int, len(*h.Shape))
	for i, d := range *h.Shape {
		if d < 0 || d > math.MaxInt32 {
			return Tensor{}, span{}, tensorErr(name, ErrShape, "dimension %d is %d", i, d)
		}
		shape[i] = int(d)
	}
	off := *h.Offsets
	if len(off) != 2 {
		return Tensor{}, span{}, tensorErr(name, ErrOffsets, "data_offsets has %d numbers, want 2", len(off))
	}
	begin, end := off[0], off[1]
	if begin < 0 || end < begin {
		return Tensor{}, span{}, tensorErr(name, ErrOffsets, "[%d, %d] is not a range", begin, end)
	}
	if end > int64(len(data)) {
		return Tensor{}, span{}, tensorErr(name, ErrTruncated, "its data ends at byte %d, the data section has %d", end, len(data))
	}
	n, err := elements(shape)
	if err != nil || n > math.MaxInt/size || int64(n*size) != end-begin {
		return Tensor{}, span{}, tensorErr(name, ErrShape, "shape %v of %s does not fill data_offsets [%d, %d] (%d bytes)", shape, dt, begin, end, end-begin)
	}
	return Tensor{Name: name, Dtype: dt, Shape: shape, Data: data[begin:end:end]}, span{begin, end}, nil
}

// span is where a tensor's data lies in the data section.
type span struct {
	begin, end int64
}

// tile sorts ts by offset and checks that their spans cover the data
// section of the given length exactly, without overlaps or gaps.
func tile(ts []Tensor, spans []span, length int64) error {
	order := make([]int, len(ts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(spans[a].begin, spans[b].begin); c != 0 {
			return c
		}
		return cmp.Compare(spans[a].end, spans[b].end)
	})
	var pos int64
	prev := ""
	sorted := make([]Tensor, len(ts))
	for k, i := range order {
		s, name := spans[i], ts[i].Name
		switch {
		case s.begin < pos:
			return tensorErr(name, ErrOffsets, "its data [%d, %d] overlaps that of %q, which ends at %d", s.begin, s.end, prev, pos)
		case s.begin > pos:
			return tensorErr(name, ErrOffsets, "its data starts at %d, leaving bytes [%d, %d) to no tensor", s.begin, pos, s.begin)
		}
		pos, prev = s.end, name
		sorted[k] = ts[i]
	}
	if pos != length {
		return fmt.Errorf("%w: the last %d bytes of the data section belong to no tensor", ErrOffsets, length-pos)
	}
	copy(ts, sorted)
	return nil
}

// WriteTo writes f in the safetensors format: the tensors' data in the
// order of f.Tensors, after a header padded with spaces to a multiple of 8
// bytes so that the data is aligned. The header's metadata is f.Metadata
// with the data's digest under DigestKey. It checks every tensor before
// writing anything.
func (f *File) WriteTo(w io.Writer) (int64, error) {
	head, err := f.header()
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	var prefix [8]byte
	binary.LittleEndian.PutUint64(prefix[:], uint64(len(head)))
	written := int64(0)
	for _, b := range append([][]byte{prefix[:], head}, f.data()...) {
		n, err := w.Write(b)
		written += int64(n)
		if err != nil {
			return written, fmt.Errorf("checkpoint: %w", err)
		}
	}
	return written, nil
}

func (f *File) data() [][]byte {
	d := make([][]byte, len(f.Tensors))
	for i, t := range f.Tensors {
		d[i] = t.Data
	}
	return d
}

// header returns f's JSON header, padded.
func (f *File) header() ([]byte, error) {
	type info struct {
		Dtype   Dtype    `json:"dtype"`
		Shape   []int    `json:"shape"`
		Offsets [2]int64 `json:"data_offsets"`
	}
	h := make(map[string]any, len(f.Tensors)+1)
	var off int64
	for _, t := range f.Tensors {
		if t.Name == "" || t.Name == metadataKey {
			return nil, tensorErr(t.Name, ErrInvalidHeader, "a tensor cannot have this name")
		}
		if _, dup := h[t.Name]; dup {
			return nil, tensorErr(t.Name, ErrInvalidHeader, "two tensors have this name")
		}
		size := t.Dtype.Size()
		if size == 0 {
			return nil, tensorErr(t.Name, ErrUnknownDtype, "%q", t.Dtype)
		}
		n, err := elements(t.Shape)
		if err != nil || n > math.MaxInt/size || n*size != len(t.Data) {
			return nil, tensorErr(t.Name, ErrShape, "shape %v of %s does not match %d bytes of data", t.Shape, t.Dtype, len(t.Data))
		}
		// A scalar's shape is [], never null.
		h[t.Name] = info{t.Dtype, append([]int{}, t.Shape...), [2]int64{off, off + int64(len(t.Data))}}
		off += int64(len(t.Data))
	}
	meta := make(map[string]string, len(f.Metadata)+1)
	for k, v := range f.Metadata {
		meta[k] = v
	}
	meta[DigestKey] = digest(f.data()...)
	h[metadataKey] = meta
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return nil, err
	}
	head := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	for len(head)%8 != 0 {
		head = append(head, ' ')
	}
	return head, nil
}

// WriteFile writes f to path atomically: a reader, or a crash, sees either
// the old file or the complete new one (see internal/atomicfile).
func WriteFile(path string, f *File) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := f.WriteTo(w)
		return err
	})
}
