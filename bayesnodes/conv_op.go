package bayesnodes

// The convolution op behind Conv (NewConv1D, NewConv2D, NewConv3D): one implementation
// for 1, 2 or 3 spatial axes (a 1-D or 2-D geometry is a 3-D one with
// leading axes of size 1, so the kernels below see depth, height and width
// always).
//
// Each op lowers the convolution of a chunk of examples and one group to a
// single matrix product over an im2col buffer whose columns are the chunk's
// output positions, example after example:
//
//	col [K, B*P]  K = in/groups * kd * kh * kw taps, P = D' * H' * W' outputs, B examples
//	convOp            (x, w)  -> y:   y_g [out/g, B*P] = w_g [out/g, K] col
//	convWeightGradOp  (x, dy) -> dw:  dw_g = sum over chunks of dy_g [out/g, B*P] col^T
//	convInputGradOp   (w, dy) -> dx:  dx   = col2im(w_g^T dy_g)
//
// When the whole minibatch is one chunk of one group (LeNet's case), the
// weight gradient reuses the forward op's im2col matrix instead of building
// it again: the forward op keeps a copy of the input the matrix came from,
// and the gradient op uses the matrix only if its own input is bit for bit
// that copy (the matrix is kernel-size times larger than the input, so
// comparing costs far less than rebuilding), so nothing the VM does between
// the two runs can make it stale.
//
// One product over the whole minibatch instead of one per example keeps the
// matrices large enough for the BLAS kernels: LeNet's second convolution is
// 64 products of 16x150x64 one by one, one of 16x150x4096 batched. The
// price is a copy of y (or dy) between the product's [out, B*P] layout and
// the tensor's [B, out, P]; a chunk holds as many examples as fit in
// maxColValues, so a large 3-D input never needs a huge buffer. im2col,
// col2im and those copies split a chunk's examples across the cores
// (internal/parallel), as the products split their blocks: for LeNet they
// take longer than the products.
//
// x is [batch, in, spatial...] (NCL, NCHW, NCDHW) and w [out, in/groups,
// kernel...], as in PyTorch; the products run on the BLAS Gorgonia uses
// (G.WhichBLAS), so faster BLAS speeds them up too. The ops keep their
// output, im2col and transposition memory across runs, like the fused
// posterior ops (see opkit.Scratch). Every parameter of the geometry,
// the dtype and, for the input gradient, the input's shape are part of each
// op's hash: Gorgonia merges nodes whose ops hash alike over equal inputs
// (its own Im2Col leaves out the dilation, which merged two convolutions
// that differ only in it; see TestConvDilationIsNotMerged).

import (
	"bytes"
	"fmt"
	"slices"
	"unsafe"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
	"github.com/gorgonia-bnn/bnn/internal/parallel"
	"github.com/gorgonia-bnn/bnn/internal/strided"
)

// maxColValues bounds the im2col buffer of one chunk of examples (8 MiB
// in float32): LeNet's whole minibatch of 64 fits in one chunk.
var maxColValues = 1 << 21

// convGeom is the geometry of a convolution over rank spatial axes (1, 2 or
// 3). Its arrays are indexed depth, height, width; a geometry of lower rank
// fills its leading axes with kernel 1, stride 1, padding 0, dilation 1.
type convGeom struct {
	rank                              int
	kernel, stride, padding, dilation [3]int
	groups                            int
}

// newConvGeom returns the geometry with one value per spatial axis in each
// slice (all of one length, 1 to 3).
func newConvGeom(kernel, stride, padding, dilation []int, groups int) convGeom {
	g := convGeom{rank: len(kernel), groups: groups,
		kernel: [3]int{1, 1, 1}, stride: [3]int{1, 1, 1}, dilation: [3]int{1, 1, 1}}
	off := 3 - len(kernel)
	copy(g.kernel[off:], kernel)
	copy(g.stride[off:], stride)
	copy(g.padding[off:], padding)
	copy(g.dilation[off:], dilation)
	return g
}

func (g convGeom) String() string {
	a := 3 - g.rank
	if a < 0 || a > 2 {
		a = 0
	}
	return fmt.Sprintf("rank=%d,kernel=%v,stride=%v,padding=%v,dilation=%v,groups=%d",
		g.rank, g.kernel[a:], g.stride[a:], g.padding[a:], g.dilation[a:], g.groups)
}

// spatial3 returns the spatial sizes of a shape of rank axes as depth,
// height and width, leading axes 1.
func (g convGeom) spatial3(s []int) [3]int {
	out := [3]int{1, 1, 1}
	copy(out[3-g.rank:], s)
	return out
}

// tail returns the rank spatial values of one of g's arrays.
func (g convGeom) tail(a [3]int) []int { return slices.Clone(a[3-g.rank:]) }

// outSize returns the output's spatial size for an input of spatial size in
// (3 axes), or an error if the kernel does not fit the padded input along
// some axis.
func (g convGeom) outSize(in [3]int) ([3]int, error) {
	var out [3]int
	for i := range out {
		span := g.dilation[i]*(g.kernel[i]-1) + 1
		padded := in[i] + 2*g.padding[i]
		if span > padded {
			return out, fmt.Errorf("along axis %d the kernel spans %d (size %d, dilation %d), more than the padded input's %d (%d + 2*%d)",
				2+i-(3-g.rank), span, g.kernel[i], g.dilation[i], padded, in[i], g.padding[i])
		}
		out[i] = (padded-span)/g.stride[i] + 1
	}
	return out, nil
}

// check reports a geometry that is no convolution: the layer and the op
// both ask, a layer because its fields are exported and Gorgonia panics in
// its VM on most of what it rejects.
func (g convGeom) check() error {
	if g.rank < 1 || g.rank > 3 {
		return fmt.Errorf("geometry %v: rank %d, want 1, 2 or 3", g, g.rank)
	}
	for _, v := range [...]struct {
		what string
		a    [3]int
		want string
		ok   func(int) bool
	}{
		{"kernel", g.kernel, "want every size > 0", positive},
		{"stride", g.stride, "want every value > 0", positive},
		{"padding", g.padding, "want every value >= 0", func(x int) bool { return x >= 0 }},
		{"dilation", g.dilation, "want every value > 0", positive},
	} {
		for _, x := range v.a {
			if !v.ok(x) {
				return fmt.Errorf("%s %v, %s", v.what, g.tail(v.a), v.want)
			}
		}
	}
	for i := range 3 - g.rank {
		if g.kernel[i] != 1 || g.stride[i] != 1 || g.padding[i] != 0 || g.dilation[i] != 1 {
			return fmt.Errorf("geometry %v: an axis beyond rank %d is not the identity", g, g.rank)
		}
	}
	if g.groups <= 0 {
		return fmt.Errorf("groups=%d, want > 0", g.groups)
	}
	return nil
}

func positive(x int) bool { return x > 0 }

// axesName is the spatial axes of a shape, for errors.
func (g convGeom) axesName() string {
	return [...]string{"L", "H, W", "D, H, W"}[max(0, min(g.rank, 3)-1)]
}

// shapes checks the shapes of x and w against g and returns y's shape.
func (g convGeom) shapes(x, w tensor.Shape) (tensor.Shape, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	n := 2 + g.rank
	if len(x) != n {
		return nil, fmt.Errorf("input has shape %v, want [batch, channels, %s]", x, g.axesName())
	}
	a := 3 - g.rank
	if len(w) != n || !slices.Equal([]int(w[2:]), g.kernel[a:]) || w[0]%g.groups != 0 {
		return nil, fmt.Errorf("weight has shape %v, want [out, in/groups, %v] with out divisible by groups=%d", w, g.kernel[a:], g.groups)
	}
	if x[1] != w[1]*g.groups {
		return nil, fmt.Errorf("input has shape %v: %d channels, the weight %v wants %d", x, x[1], w, w[1]*g.groups)
	}
	out, err := g.outSize(g.spatial3(x[2:]))
	if err != nil {
		return nil, fmt.Errorf("input has shape %v: %w", x, err)
	}
	return append(tensor.Shape{x[0], w[0]}, out[a:]...), nil
}

// convolve adds the convolution of x [batch, in, spatial...] with w [out,
// in/groups, kernel...] to x's graph. With inputGrad false the op has no
// gradient for x, only for w: for a network's data, whose gradient nobody
// asks for but which Gorgonia would compute all the same.
func convolve(x, w *G.Node, g convGeom, inputGrad bool) (*G.Node, error) {
	if x == nil || w == nil {
		return nil, fmt.Errorf("bayesnodes: convolution: nil input or weight node")
	}
	return opkit.Apply(newConv[float32](g, inputGrad), newConv[float64](g, inputGrad), x, w)
}

func newConv[T opkit.Float](g convGeom, inputGrad bool) conv[T] {
	return conv[T]{geom: g, noInputGrad: !inputGrad, st: new(convState[T])}
}

// convBufs is an op's im2col matrix and product in [out, B*P] layout,
// kept across runs.
type convBufs[T opkit.Float] struct{ col, mat []T }

// of returns the buffers sized for l.
func (b *convBufs[T]) of(l convLayout) (col, mat []T) {
	return sized(&b.col, l.colSize()), sized(&b.mat, l.matSize())
}

// convState is a forward convolution's buffers, and the input whose
// im2col matrix col holds whole, for the weight gradient (empty when col
// holds a part or nothing).
type convState[T opkit.Float] struct {
	convBufs[T]
	colOf []T
}

// conv is y = conv(x, w).
type conv[T opkit.Float] struct {
	geom        convGeom
	noInputGrad bool // x is not differentiated
	st          *convState[T]
}

func (m conv[T]) String() string {
	return fmt.Sprintf("bayesnodes.conv(%v,noInputGrad=%t)", m.geom, m.noInputGrad)
}

func (m conv[T]) Ranks() ([]int, int) { return convRanks(m.geom) }

func convRanks(g convGeom) ([]int, int) {
	n := 2 + g.rank
	return []int{n, n}, n
}

func (m conv[T]) Shape(in []tensor.Shape) (tensor.Shape, error) { return m.geom.shapes(in[0], in[1]) }

func (m conv[T]) Eval(a *opkit.Args[T]) error {
	y, err := m.geom.shapes(a.Shapes[0], a.Shapes[1])
	if err != nil {
		return err
	}
	l := newConvLayout(m.geom, a.Shapes[0], y)
	col, mat := m.st.of(l)
	x := a.In[0]
	convForward(l, x, a.In[1], a.Out, col, mat)
	m.st.colOf = m.st.colOf[:0]
	if l.whole() {
		m.st.colOf = append(m.st.colOf, x...)
	}
	return nil
}

func (m conv[T]) DiffWRT() []bool { return []bool{!m.noInputGrad, true} }

// Grad returns the gradients of x and w, one op each.
func (m conv[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	x, w := in[0], in[1]
	dw, err := opkit.ApplyOf[T](convGradW[T]{geom: m.geom, fwd: m.st, buf: new(convBufs[T])}, x, grad)
	if err != nil || m.noInputGrad {
		return G.Nodes{nil, dw}, err
	}
	dx, err := opkit.ApplyOf[T](convGradX[T]{geom: m.geom, xShape: x.Shape().Clone(), buf: new(convBufs[T])}, w, grad)
	return G.Nodes{dx, dw}, err
}

// convGradX is (w, dy) -> dx, the gradient of conv for its input. The
// input's shape is part of the op: with a stride above 1 several input
// sizes give one output size.
type convGradX[T opkit.Float] struct {
	geom   convGeom
	xShape tensor.Shape
	buf    *convBufs[T]
}

func (m convGradX[T]) String() string {
	return fmt.Sprintf("bayesnodes.convInputGrad(%v,input=%v)", m.geom, []int(m.xShape))
}

func (m convGradX[T]) Ranks() ([]int, int) { return convRanks(m.geom) }

func (m convGradX[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	y, err := m.geom.shapes(m.xShape, in[0])
	if err != nil {
		return nil, err
	}
	if !y.Eq(in[1]) {
		return nil, fmt.Errorf("output gradient has shape %v, want %v", in[1], y)
	}
	return m.xShape.Clone(), nil
}

func (m convGradX[T]) Eval(a *opkit.Args[T]) error {
	l := newConvLayout(m.geom, m.xShape, a.Shapes[1])
	col, mat := m.buf.of(l)
	convInputGrad(l, a.In[0], a.In[1], a.Out, col, mat)
	return nil
}

// convGradW is (x, dy) -> dw, the gradient of conv for its weights.
type convGradW[T opkit.Float] struct {
	geom convGeom
	fwd  *convState[T] // whose im2col matrix may be reused; not part of the op's name
	buf  *convBufs[T]
}

func (m convGradW[T]) String() string { return "bayesnodes.convWeightGrad(" + m.geom.String() + ")" }

func (m convGradW[T]) Ranks() ([]int, int) { return convRanks(m.geom) }

func (m convGradW[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	x, dy := in[0], in[1]
	if x[1]%m.geom.groups != 0 {
		return nil, fmt.Errorf("input %v: %d channels, not divisible by groups=%d", x, x[1], m.geom.groups)
	}
	w := append(tensor.Shape{dy[1], x[1] / m.geom.groups}, m.geom.tail(m.geom.kernel)...)
	y, err := m.geom.shapes(x, w)
	if err != nil {
		return nil, err
	}
	if !y.Eq(dy) {
		return nil, fmt.Errorf("output gradient has shape %v, want %v", dy, y)
	}
	return w, nil
}

func (m convGradW[T]) Eval(a *opkit.Args[T]) error {
	l := newConvLayout(m.geom, a.Shapes[0], a.Shapes[1])
	x := a.In[0]
	col, mat := m.buf.of(l)
	built := false
	if f := m.fwd; f != nil && l.whole() && len(f.col) >= len(col) && sameBits(f.colOf, x) {
		col, built = f.col[:len(col)], true
	}
	convWeightGrad(l, x, a.In[1], a.Out, col, mat, built)
	return nil
}

// sameBits reports whether a and b hold the same values bit for bit, by
// the runtime's vectorised memory comparison: comparing as floats, one at
// a time, cost a fifth of LeNet's weight gradient.
func sameBits[T float32 | float64](a, b []T) bool {
	return len(a) == len(b) && bytes.Equal(asBytes(a), asBytes(b))
}

func asBytes[T float32 | float64](s []T) []byte {
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), len(s)*int(unsafe.Sizeof(zero)))
}

// convType, shapesOf and denseInputs serve the ops not yet on opkit
// (pooling among them).

func convType(dims int) hm.Type {
	t := G.TensorType{Dims: dims, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t)
}

// shapesOf returns the n input shapes of an op.
func shapesOf(op fmt.Stringer, in []G.DimSizer, n int) ([]tensor.Shape, error) {
	if len(in) != n {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(in), n)
	}
	out := make([]tensor.Shape, n)
	for i, d := range in {
		s, ok := d.(tensor.Shape)
		if !ok {
			return nil, fmt.Errorf("%v: input %d's shape is a %T", op, i, d)
		}
		out[i] = s
	}
	return out, nil
}

// denseInputs checks that in holds n tensors of dtype dt and returns them
// contiguous (a strided view is copied).
func denseInputs(op fmt.Stringer, dt tensor.Dtype, in []G.Value, n int) ([]*tensor.Dense, error) {
	if len(in) != n {
		return nil, fmt.Errorf("%v: %d inputs, want %d", op, len(in), n)
	}
	if dt != tensor.Float64 && dt != tensor.Float32 {
		return nil, fmt.Errorf("%v: dtype %v, want float64 or float32", op, dt)
	}
	out := make([]*tensor.Dense, n)
	for i, v := range in {
		t, ok := v.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("%v: input %d is a %T, want a tensor", op, i, v)
		}
		if t.Dtype() != dt {
			return nil, fmt.Errorf("%v: input %d has dtype %v, want %v", op, i, t.Dtype(), dt)
		}
		if t.RequiresIterator() {
			t = t.Materialize().(*tensor.Dense)
		}
		out[i] = t
	}
	return out, nil
}

// convLayout is the sizes of one convolution run, spatial axes as depth,
// height, width.
type convLayout struct {
	geom                convGeom
	batch, in, out      int
	inSize, outSize     [3]int
	inPlane, outPlane   int // D*H*W, D'*H'*W'
	groupIn, groupOut   int // channels per group
	taps                int // K = groupIn * kd * kh * kw
	groupWeights        int // groupOut * taps
	inStride, outStride int // values per example of x and y
	chunk               int // examples per product
}

func newConvLayout(g convGeom, x, y tensor.Shape) convLayout {
	l := convLayout{geom: g, batch: x[0], in: x[1], out: y[1],
		inSize: g.spatial3(x[2:]), outSize: g.spatial3(y[2:])}
	l.inPlane = l.inSize[0] * l.inSize[1] * l.inSize[2]
	l.outPlane = l.outSize[0] * l.outSize[1] * l.outSize[2]
	l.groupIn, l.groupOut = l.in/g.groups, l.out/g.groups
	l.taps = l.groupIn * g.kernel[0] * g.kernel[1] * g.kernel[2]
	l.groupWeights = l.groupOut * l.taps
	l.inStride, l.outStride = l.in*l.inPlane, l.out*l.outPlane
	l.chunk = max(1, min(l.batch, maxColValues/max(1, l.taps*l.outPlane)))
	return l
}

// whole reports whether one product covers the run: one chunk, one group.
func (l convLayout) whole() bool { return l.chunk == l.batch && l.geom.groups == 1 }

// The buffers of one run: col [taps, chunk*outPlane] and mat [groupOut,
// chunk*outPlane]; mat is needed only when a chunk holds several examples.
func (l convLayout) colSize() int { return l.taps * l.chunk * l.outPlane }
func (l convLayout) matSize() int {
	if l.chunk == 1 {
		return 0
	}
	return l.groupOut * l.chunk * l.outPlane
}

// sized returns *buf with length n, reallocated only when too small.
func sized[T float32 | float64](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}

// im2col fills the columns of col for one example: row (c, a, b, e), at
// col[r*ld:], holds the outPlane input values each output position sees
// through tap (a, b, e) of channel c of x (the group's channels first),
// zero in the padding.
func im2col[T float32 | float64](l convLayout, x, col []T, ld int) {
	if l.geom.plain() {
		plainTaps(l, x, col, ld, false)
		return
	}
	im2colGeneral(l, x, col, ld)
}

// im2colGeneral is im2col for any geometry.
func im2colGeneral[T float32 | float64](l convLayout, x, col []T, ld int) {
	g := l.geom
	id, ih, iw := l.inSize[0], l.inSize[1], l.inSize[2]
	od, oh, ow := l.outSize[0], l.outSize[1], l.outSize[2]
	r := 0
	for c := range l.groupIn {
		xc := x[c*l.inPlane : (c+1)*l.inPlane]
		for a := range g.kernel[0] {
			for b := range g.kernel[1] {
				for e := range g.kernel[2] {
					row := col[r*ld : r*ld+l.outPlane]
					r++
					x0 := -g.padding[2] + e*g.dilation[2]
					lo, hi := validRange(x0, g.stride[2], iw, ow)
					i := 0
					for zd := range od {
						z := zd*g.stride[0] - g.padding[0] + a*g.dilation[0]
						if z < 0 || z >= id {
							clear(row[i : i+oh*ow])
							i += oh * ow
							continue
						}
						for yh := range oh {
							y := yh*g.stride[1] - g.padding[1] + b*g.dilation[1]
							out := row[i : i+ow]
							i += ow
							if y < 0 || y >= ih {
								clear(out)
								continue
							}
							xr := xc[(z*ih+y)*iw : (z*ih+y+1)*iw]
							clear(out[:lo])
							if g.stride[2] == 1 {
								copy(out[lo:hi], xr[x0+lo:x0+hi])
							} else {
								dst := out[lo:hi]
								for k, xi := 0, x0+lo*g.stride[2]; k < len(dst); k, xi = k+1, xi+g.stride[2] {
									dst[k] = xr[xi]
								}
							}
							clear(out[hi:])
						}
					}
				}
			}
		}
	}
}

// plain reports whether g reads no padding and moves and dilates by one
// along every axis: each row of an im2col tap is a run of an input row.
func (g convGeom) plain() bool {
	return g.padding == [3]int{} && g.stride == [3]int{1, 1, 1} && g.dilation == [3]int{1, 1, 1}
}

// plainTaps is im2col (adjoint false) or col2im (adjoint true, x the
// input's gradient) for a plain geometry: every row of outputs of a tap
// is a run of an input row, copied or added whole, with none of the
// general loops' per-row bounds work. The sums of float32 planes up to a
// vector wide go by internal/strided's kernel, a row at a time in a
// register, in the same order as the loops.
func plainTaps[T float32 | float64](l convLayout, x, col []T, ld int, adjoint bool) {
	g := l.geom
	ih, iw := l.inSize[1], l.inSize[2]
	od, oh, ow := l.outSize[0], l.outSize[1], l.outSize[2]
	if x32, ok := any(x).([]float32); ok && adjoint && iw <= strided.MaxShiftedWidth && strided.Available() {
		col32 := any(col).([]float32)
		kh, kw := g.kernel[1], g.kernel[2]
		for c := range l.groupIn {
			for a := range g.kernel[0] {
				taps := col32[(c*g.kernel[0]+a)*kh*kw*ld:]
				for zd := range od {
					strided.AddShifted(x32[(c*l.inSize[0]+zd+a)*ih*iw:][:ih*iw], taps[zd*oh*ow:], ld, oh, ow, kh, kw)
				}
			}
		}
		return
	}
	r := 0
	for c := range l.groupIn {
		xc := x[c*l.inPlane : (c+1)*l.inPlane]
		for a := range g.kernel[0] {
			for b := range g.kernel[1] {
				for e := range g.kernel[2] {
					row := col[r*ld : r*ld+l.outPlane]
					r++
					for zd := range od {
						plainBlock(row[zd*oh*ow:], xc[((zd+a)*ih+b)*iw+e:], oh, ow, iw, adjoint)
					}
				}
			}
		}
	}
}

// plainBlock copies rows runs of ow input values, iw apart in in, to
// taps, ow apart (or, adjoint, adds taps to in). Copies of float32 go by
// internal/strided's vector kernel where the CPU has one. Sums here stay
// scalar: one tap's rows overlap the next's, shifted by a value, and a
// vector load that overlaps an earlier vector store waits for it, while
// scalar ones are forwarded (vector adds block by block made LeNet's input
// gradient 20% slower).
func plainBlock[T float32 | float64](taps, in []T, rows, ow, iw int, adjoint bool) {
	if t32, ok := any(taps).([]float32); ok && !adjoint && strided.Available() {
		strided.Copy(rows, ow, t32, ow, any(in).([]float32), iw)
		return
	}
	for y := range rows {
		t, x := taps[y*ow:][:ow], in[y*iw:][:ow]
		if !adjoint {
			copy(t, x)
			continue
		}
		for k, v := range t {
			x[k] += v
		}
	}
}

// validRange returns the outputs [lo, hi) of a row of ow whose input
// column x0 + k*stride falls inside [0, iw); the others read padding.
func validRange(x0, stride, iw, ow int) (lo, hi int) {
	if x0 < 0 {
		lo = (-x0 + stride - 1) / stride
	}
	if last := iw - 1 - x0; last >= 0 {
		hi = min(ow, last/stride+1)
	}
	return lo, max(lo, hi)
}

// col2im adds every value of one example's columns of col (rows at
// col[r*ld:]) into the input position it was taken from: im2col's adjoint.
// dx (one example, the group's channels) must be zeroed before.
func col2im[T float32 | float64](l convLayout, col, dx []T, ld int) {
	if l.geom.plain() {
		plainTaps(l, dx, col, ld, true)
		return
	}
	col2imGeneral(l, col, dx, ld)
}

// col2imGeneral is col2im for any geometry.
func col2imGeneral[T float32 | float64](l convLayout, col, dx []T, ld int) {
	g := l.geom
	id, ih, iw := l.inSize[0], l.inSize[1], l.inSize[2]
	od, oh, ow := l.outSize[0], l.outSize[1], l.outSize[2]
	r := 0
	for c := range l.groupIn {
		xc := dx[c*l.inPlane : (c+1)*l.inPlane]
		for a := range g.kernel[0] {
			for b := range g.kernel[1] {
				for e := range g.kernel[2] {
					row := col[r*ld : r*ld+l.outPlane]
					r++
					x0 := -g.padding[2] + e*g.dilation[2]
					lo, hi := validRange(x0, g.stride[2], iw, ow)
					i := 0
					for zd := range od {
						z := zd*g.stride[0] - g.padding[0] + a*g.dilation[0]
						if z < 0 || z >= id {
							i += oh * ow
							continue
						}
						for yh := range oh {
							y := yh*g.stride[1] - g.padding[1] + b*g.dilation[1]
							in := row[i : i+ow]
							i += ow
							if y < 0 || y >= ih || lo == hi {
								continue
							}
							xr := xc[(z*ih+y)*iw : (z*ih+y+1)*iw]
							src := in[lo:hi]
							if g.stride[2] == 1 {
								dst := xr[x0+lo : x0+hi]
								for k := range dst {
									dst[k] += src[k]
								}
							} else {
								for k, xi := 0, x0+lo*g.stride[2]; k < len(src); k, xi = k+1, xi+g.stride[2] {
									xr[xi] += src[k]
								}
							}
						}
					}
				}
			}
		}
	}
}

// blasGemm sets c = op(a) op(b) + beta c, row-major, on Gorgonia's BLAS.
func blasGemm[T float32 | float64](tA, tB blas.Transpose, m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch a := any(a).(type) {
	case []float64:
		G.WhichBLAS().Dgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	case []float32:
		G.WhichBLAS().Sgemm(tA, tB, m, n, k, 1, a, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	}
}

// chunkCols fills col [taps, nb*outPlane] from examples n0..n0+nb-1 of
// group g of x.
func chunkCols[T float32 | float64](l convLayout, x, col []T, n0, nb, g int) {
	ld := nb * l.outPlane
	parallel.ForWeighted(nb, l.taps*l.outPlane, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			im2col(l, x[(n0+i)*l.inStride+g*l.groupIn*l.inPlane:], col[i*l.outPlane:], ld)
		}
	})
}

// gatherGroup copies group g of examples n0..n0+nb-1 of t [batch, out, P]
// into mat [groupOut, nb*P]; scatterGroup does the reverse.
func gatherGroup[T float32 | float64](l convLayout, t, mat []T, n0, nb, g int) {
	P := l.outPlane
	parallel.ForWeighted(nb, l.groupOut*P, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			src := t[(n0+i)*l.outStride+g*l.groupOut*P:]
			for o := range l.groupOut {
				copy(mat[(o*nb+i)*P:(o*nb+i+1)*P], src[o*P:(o+1)*P])
			}
		}
	})
}

func scatterGroup[T float32 | float64](l convLayout, mat, t []T, n0, nb, g int) {
	P := l.outPlane
	parallel.ForWeighted(nb, l.groupOut*P, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst := t[(n0+i)*l.outStride+g*l.groupOut*P:]
			for o := range l.groupOut {
				copy(dst[o*P:(o+1)*P], mat[(o*nb+i)*P:(o*nb+i+1)*P])
			}
		}
	})
}

// convForward sets y = conv(x, w), one product per chunk and group.
func convForward[T float32 | float64](l convLayout, x, w, y, col, mat []T) {
	for n0 := 0; n0 < l.batch; n0 += l.chunk {
		nb := min(l.chunk, l.batch-n0)
		ld := nb * l.outPlane
		for g := range l.geom.groups {
			chunkCols(l, x, col, n0, nb, g)
			wg := w[g*l.groupWeights:]
			if nb == 1 {
				blasGemm(blas.NoTrans, blas.NoTrans, l.groupOut, ld, l.taps, wg, l.taps, col, ld, 0, y[n0*l.outStride+g*l.groupOut*l.outPlane:], ld)
				continue
			}
			blasGemm(blas.NoTrans, blas.NoTrans, l.groupOut, ld, l.taps, wg, l.taps, col, ld, 0, mat, ld)
			scatterGroup(l, mat, y, n0, nb, g)
		}
	}
}

// convWeightGrad sets dw_g to the sum over chunks of dy_g col^T. built
// says that col already holds the im2col matrix of a whole run.
func convWeightGrad[T float32 | float64](l convLayout, x, dy, dw, col, mat []T, built bool) {
	for n0 := 0; n0 < l.batch; n0 += l.chunk {
		nb := min(l.chunk, l.batch-n0)
		ld := nb * l.outPlane
		var beta T
		if n0 > 0 {
			beta = 1
		}
		for g := range l.geom.groups {
			if !built {
				chunkCols(l, x, col, n0, nb, g)
			}
			dyg := dy[n0*l.outStride+g*l.groupOut*l.outPlane:]
			if nb > 1 {
				gatherGroup(l, dy, mat, n0, nb, g)
				dyg = mat
			}
			blasGemm(blas.NoTrans, blas.Trans, l.groupOut, l.taps, ld, dyg, ld, col, ld, beta, dw[g*l.groupWeights:], l.taps)
		}
	}
}

// convInputGrad sets dx to col2im(w_g^T dy_g) for every chunk and group.
func convInputGrad[T float32 | float64](l convLayout, w, dy, dx, col, mat []T) {
	clear(dx)
	for n0 := 0; n0 < l.batch; n0 += l.chunk {
		nb := min(l.chunk, l.batch-n0)
		ld := nb * l.outPlane
		for g := range l.geom.groups {
			dyg := dy[n0*l.outStride+g*l.groupOut*l.outPlane:]
			if nb > 1 {
				gatherGroup(l, dy, mat, n0, nb, g)
				dyg = mat
			}
			blasGemm(blas.Trans, blas.NoTrans, l.taps, ld, l.groupOut, w[g*l.groupWeights:], l.taps, dyg, ld, 0, col, ld)
			parallel.ForWeighted(nb, l.taps*l.outPlane, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					col2im(l, col[i*l.outPlane:], dx[(n0+i)*l.inStride+g*l.groupIn*l.inPlane:], ld)
				}
			})
		}
	}
}
