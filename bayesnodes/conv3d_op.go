package bayesnodes

// A 3-D convolution op for Gorgonia, which has none.
//
// Each op lowers the convolution of one example and one group to a matrix
// product over an im2col buffer, as Gorgonia's Conv2d does:
//
//	col [K, P]  K = in/groups * kd * kh * kw taps, P = D' * H' * W' outputs
//	conv3dOp            (x, w)  -> y:   y_g  = w_g [out/g, K] col [K, P]
//	conv3dWeightGradOp  (x, dy) -> dw:  dw_g = sum over examples of dy_g col^T
//	conv3dInputGradOp   (w, dy) -> dx:  dx   = col2im(w_g^T dy_g)
//
// x is [batch, in, D, H, W] (NCDHW) and w [out, in/groups, kd, kh, kw], as in
// PyTorch; the products run on the BLAS Gorgonia uses (G.WhichBLAS), so
// building with -tags openblas speeds them up too. The ops keep their
// output and im2col memory across runs, like the fused posterior ops (see
// scratch in fused.go). Every parameter of the geometry, the dtype and, for
// the input gradient, the input's shape are part of each op's hash: Gorgonia
// merges nodes whose ops hash alike over equal inputs (see dilationTag in
// conv.go for what a missing parameter did).

import (
	"fmt"
	"hash"

	"github.com/chewxy/hm"
	"gonum.org/v1/gonum/blas"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// conv3dGeom is the geometry of a 3-D convolution: one value per spatial
// axis (depth, height, width) and the number of channel groups.
type conv3dGeom struct {
	kernel, stride, padding, dilation [3]int
	groups                            int
}

func (g conv3dGeom) String() string {
	return fmt.Sprintf("kernel=%v,stride=%v,padding=%v,dilation=%v,groups=%d", g.kernel, g.stride, g.padding, g.dilation, g.groups)
}

// outSize returns the output's spatial size for an input of size in, or an
// error if the kernel does not fit the padded input along some axis.
func (g conv3dGeom) outSize(in []int) ([3]int, error) {
	var out [3]int
	for i := range out {
		span := g.dilation[i]*(g.kernel[i]-1) + 1
		padded := in[i] + 2*g.padding[i]
		if span > padded {
			return out, fmt.Errorf("along axis %d the kernel spans %d, more than the padded input's %d", 2+i, span, padded)
		}
		out[i] = (padded-span)/g.stride[i] + 1
	}
	return out, nil
}

// check reports a geometry the op cannot run: the layer validates it first,
// so this only guards the op's own use.
func (g conv3dGeom) check() error {
	if g.groups <= 0 {
		return fmt.Errorf("groups=%d, want > 0", g.groups)
	}
	for i := range 3 {
		if g.kernel[i] <= 0 || g.stride[i] <= 0 || g.padding[i] < 0 || g.dilation[i] <= 0 {
			return fmt.Errorf("geometry %v: want kernel, stride and dilation > 0, padding >= 0", g)
		}
	}
	return nil
}

// shapes checks the shapes of x and w against g and returns y's shape.
func (g conv3dGeom) shapes(x, w tensor.Shape) (tensor.Shape, error) {
	if err := g.check(); err != nil {
		return nil, err
	}
	if len(x) != 5 {
		return nil, fmt.Errorf("input has shape %v, want [batch, channels, D, H, W]", x)
	}
	if len(w) != 5 || w[2] != g.kernel[0] || w[3] != g.kernel[1] || w[4] != g.kernel[2] || w[0]%g.groups != 0 {
		return nil, fmt.Errorf("weight has shape %v, want [out, in/%d, %d, %d, %d] with out divisible by %d",
			w, g.groups, g.kernel[0], g.kernel[1], g.kernel[2], g.groups)
	}
	if x[1] != w[1]*g.groups {
		return nil, fmt.Errorf("input has shape %v: %d channels, the weight %v wants %d", x, x[1], w, w[1]*g.groups)
	}
	out, err := g.outSize(x[2:])
	if err != nil {
		return nil, fmt.Errorf("input has shape %v: %w", x, err)
	}
	return tensor.Shape{x[0], w[0], out[0], out[1], out[2]}, nil
}

// conv3d adds the convolution of x [batch, in, D, H, W] with w [out,
// in/groups, kd, kh, kw] to x's graph.
func conv3d(x, w *G.Node, g conv3dGeom) (*G.Node, error) {
	return G.ApplyOp(&conv3dOp{geom: g, dt: x.Dtype()}, x, w)
}

// conv3dBuffers is an op's memory, kept across runs: its output and the
// im2col matrix.
type conv3dBuffers struct {
	out scratch
	col scratch
}

// conv3dOp is y = conv3d(x, w).
type conv3dOp struct {
	geom conv3dGeom
	dt   tensor.Dtype
	conv3dBuffers
}

func conv3dType() hm.Type {
	t := G.TensorType{Dims: 5, Of: hm.TypeVariable('a')}
	return hm.NewFnType(t, t, t)
}

func (op *conv3dOp) Arity() int           { return 2 }
func (op *conv3dOp) Type() hm.Type        { return conv3dType() }
func (op *conv3dOp) ReturnsPtr() bool     { return false }
func (op *conv3dOp) CallsExtern() bool    { return false }
func (op *conv3dOp) OverwritesInput() int { return -1 }
func (op *conv3dOp) String() string       { return "bayesnodes.conv3d(" + op.geom.String() + ")" }
func (op *conv3dOp) Hashcode() uint32     { return hashOf(op) }
func (op *conv3dOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.conv3d(%v,%v)", op.geom, op.dt)
}

func (op *conv3dOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, in, 2)
	if err != nil {
		return nil, err
	}
	out, err := op.geom.shapes(s[0], s[1])
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	return out, nil
}

func (op *conv3dOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 2)
	if err != nil {
		return nil, err
	}
	x, w := ts[0], ts[1]
	yShape, err := op.geom.shapes(x.Shape(), w.Shape())
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	y := op.out.get(op.dt, yShape)
	l := newConv3dLayout(op.geom, x.Shape(), yShape)
	if op.dt == tensor.Float64 {
		convForward(l, x.Float64s(), w.Float64s(), y.Float64s(), colOf[float64](&op.col, l))
	} else {
		convForward(l, x.Float32s(), w.Float32s(), y.Float32s(), colOf[float32](&op.col, l))
	}
	return y, nil
}

func (op *conv3dOp) DiffWRT(inputs int) []bool { return []bool{true, true} }

// SymDiff returns the gradients of x and w, one op each.
func (op *conv3dOp) SymDiff(inputs G.Nodes, output, grad *G.Node) (G.Nodes, error) {
	if len(inputs) != 2 {
		return nil, fmt.Errorf("%v: %d inputs, want 2", op, len(inputs))
	}
	x, w := inputs[0], inputs[1]
	var xShape [5]int
	copy(xShape[:], x.Shape())
	dx, err := G.ApplyOp(&conv3dInputGradOp{geom: op.geom, dt: op.dt, xShape: xShape}, w, grad)
	if err != nil {
		return nil, err
	}
	dw, err := G.ApplyOp(&conv3dWeightGradOp{geom: op.geom, dt: op.dt}, x, grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx, dw}, nil
}

// conv3dInputGradOp is (w, dy) -> dx, the gradient of conv3d for its input.
// The input's shape is part of the op: with a stride above 1 several input
// sizes give one output size.
type conv3dInputGradOp struct {
	geom   conv3dGeom
	dt     tensor.Dtype
	xShape [5]int
	conv3dBuffers
}

func (op *conv3dInputGradOp) Arity() int           { return 2 }
func (op *conv3dInputGradOp) Type() hm.Type        { return conv3dType() }
func (op *conv3dInputGradOp) ReturnsPtr() bool     { return false }
func (op *conv3dInputGradOp) CallsExtern() bool    { return false }
func (op *conv3dInputGradOp) OverwritesInput() int { return -1 }
func (op *conv3dInputGradOp) String() string {
	return fmt.Sprintf("bayesnodes.conv3dInputGrad(%v,input=%v)", op.geom, op.xShape)
}
func (op *conv3dInputGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *conv3dInputGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.conv3dInputGrad(%v,%v,%v)", op.geom, op.dt, op.xShape)
}

// check verifies w and dy against the op's input shape and returns dx's.
func (op *conv3dInputGradOp) check(w, dy tensor.Shape) (tensor.Shape, error) {
	x := tensor.Shape(op.xShape[:]).Clone()
	y, err := op.geom.shapes(x, w)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	if !y.Eq(dy) {
		return nil, fmt.Errorf("%v: output gradient has shape %v, want %v", op, dy, y)
	}
	return x, nil
}

func (op *conv3dInputGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, in, 2)
	if err != nil {
		return nil, err
	}
	return op.check(s[0], s[1])
}

func (op *conv3dInputGradOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 2)
	if err != nil {
		return nil, err
	}
	w, dy := ts[0], ts[1]
	xShape, err := op.check(w.Shape(), dy.Shape())
	if err != nil {
		return nil, err
	}
	dx := op.out.get(op.dt, xShape)
	l := newConv3dLayout(op.geom, xShape, dy.Shape())
	if op.dt == tensor.Float64 {
		convInputGrad(l, w.Float64s(), dy.Float64s(), dx.Float64s(), colOf[float64](&op.col, l))
	} else {
		convInputGrad(l, w.Float32s(), dy.Float32s(), dx.Float32s(), colOf[float32](&op.col, l))
	}
	return dx, nil
}

// conv3dWeightGradOp is (x, dy) -> dw, the gradient of conv3d for its
// weights.
type conv3dWeightGradOp struct {
	geom conv3dGeom
	dt   tensor.Dtype
	conv3dBuffers
}

func (op *conv3dWeightGradOp) Arity() int           { return 2 }
func (op *conv3dWeightGradOp) Type() hm.Type        { return conv3dType() }
func (op *conv3dWeightGradOp) ReturnsPtr() bool     { return false }
func (op *conv3dWeightGradOp) CallsExtern() bool    { return false }
func (op *conv3dWeightGradOp) OverwritesInput() int { return -1 }
func (op *conv3dWeightGradOp) String() string {
	return "bayesnodes.conv3dWeightGrad(" + op.geom.String() + ")"
}
func (op *conv3dWeightGradOp) Hashcode() uint32 { return hashOf(op) }
func (op *conv3dWeightGradOp) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "bayesnodes.conv3dWeightGrad(%v,%v)", op.geom, op.dt)
}

// check verifies x and dy and returns dw's shape.
func (op *conv3dWeightGradOp) check(x, dy tensor.Shape) (tensor.Shape, error) {
	if len(x) != 5 || len(dy) != 5 || x[1]%op.geom.groups != 0 {
		return nil, fmt.Errorf("%v: input %v and output gradient %v, want both [batch, channels, D, H, W]", op, x, dy)
	}
	k := op.geom.kernel
	w := tensor.Shape{dy[1], x[1] / op.geom.groups, k[0], k[1], k[2]}
	y, err := op.geom.shapes(x, w)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", op, err)
	}
	if !y.Eq(dy) {
		return nil, fmt.Errorf("%v: output gradient has shape %v, want %v", op, dy, y)
	}
	return w, nil
}

func (op *conv3dWeightGradOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shapesOf(op, in, 2)
	if err != nil {
		return nil, err
	}
	return op.check(s[0], s[1])
}

func (op *conv3dWeightGradOp) Do(in ...G.Value) (G.Value, error) {
	ts, err := denseInputs(op, op.dt, in, 2)
	if err != nil {
		return nil, err
	}
	x, dy := ts[0], ts[1]
	wShape, err := op.check(x.Shape(), dy.Shape())
	if err != nil {
		return nil, err
	}
	dw := op.out.get(op.dt, wShape)
	l := newConv3dLayout(op.geom, x.Shape(), dy.Shape())
	if op.dt == tensor.Float64 {
		convWeightGrad(l, x.Float64s(), dy.Float64s(), dw.Float64s(), colOf[float64](&op.col, l))
	} else {
		convWeightGrad(l, x.Float32s(), dy.Float32s(), dw.Float32s(), colOf[float32](&op.col, l))
	}
	return dw, nil
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

// conv3dLayout is the sizes of one convolution run.
type conv3dLayout struct {
	geom                conv3dGeom
	batch, in, out      int
	inSize, outSize     [3]int
	inPlane, outPlane   int // D*H*W, D'*H'*W'
	groupIn, groupOut   int // channels per group
	taps                int // K = groupIn * kd * kh * kw
	groupWeights        int // groupOut * taps
	inStride, outStride int // values per example of x and y
}

func newConv3dLayout(g conv3dGeom, x, y tensor.Shape) conv3dLayout {
	l := conv3dLayout{geom: g, batch: x[0], in: x[1], out: y[1],
		inSize: [3]int{x[2], x[3], x[4]}, outSize: [3]int{y[2], y[3], y[4]}}
	l.inPlane = x[2] * x[3] * x[4]
	l.outPlane = y[2] * y[3] * y[4]
	l.groupIn, l.groupOut = l.in/g.groups, l.out/g.groups
	l.taps = l.groupIn * g.kernel[0] * g.kernel[1] * g.kernel[2]
	l.groupWeights = l.groupOut * l.taps
	l.inStride, l.outStride = l.in*l.inPlane, l.out*l.outPlane
	return l
}

// colOf returns the op's im2col buffer, [taps, outPlane], as a []T.
func colOf[T float32 | float64](s *scratch, l conv3dLayout) []T {
	n := l.taps * l.outPlane
	var zero T
	if _, ok := any(zero).(float32); ok {
		if len(s.f32) != n {
			s.f32 = make([]float32, n)
		}
		return any(s.f32).([]T)
	}
	if len(s.f64) != n {
		s.f64 = make([]float64, n)
	}
	return any(s.f64).([]T)
}

// im2col fills col [taps, outPlane] from the channels of x (one example,
// group's channels first): row (c, a, b, e) holds the input value each output
// position sees through tap (a, b, e) of channel c, zero in the padding.
func im2col[T float32 | float64](l conv3dLayout, x, col []T) {
	g := l.geom
	id, ih, iw := l.inSize[0], l.inSize[1], l.inSize[2]
	od, oh, ow := l.outSize[0], l.outSize[1], l.outSize[2]
	r := 0
	for c := range l.groupIn {
		xc := x[c*l.inPlane : (c+1)*l.inPlane]
		for a := range g.kernel[0] {
			for b := range g.kernel[1] {
				for e := range g.kernel[2] {
					row := col[r*l.outPlane : (r+1)*l.outPlane]
					r++
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
							if y < 0 || y >= ih {
								clear(row[i : i+ow])
								i += ow
								continue
							}
							xr := xc[(z*ih+y)*iw : (z*ih+y+1)*iw]
							x0 := -g.padding[2] + e*g.dilation[2]
							lo, hi := validRange(x0, g.stride[2], iw, ow)
							out := row[i : i+ow]
							clear(out[:lo])
							if g.stride[2] == 1 {
								copy(out[lo:hi], xr[x0+lo:x0+hi])
							} else {
								for k, xi := lo, x0+lo*g.stride[2]; k < hi; k, xi = k+1, xi+g.stride[2] {
									out[k] = xr[xi]
								}
							}
							clear(out[hi:])
							i += ow
						}
					}
				}
			}
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

// col2im adds every value of col [taps, outPlane] into the input position
// it was taken from: im2col's adjoint. dx (one example, one group's channels)
// must be zeroed before the first call.
func col2im[T float32 | float64](l conv3dLayout, col, dx []T) {
	g := l.geom
	id, ih, iw := l.inSize[0], l.inSize[1], l.inSize[2]
	od, oh, ow := l.outSize[0], l.outSize[1], l.outSize[2]
	r := 0
	for c := range l.groupIn {
		xc := dx[c*l.inPlane : (c+1)*l.inPlane]
		for a := range g.kernel[0] {
			for b := range g.kernel[1] {
				for e := range g.kernel[2] {
					row := col[r*l.outPlane : (r+1)*l.outPlane]
					r++
					i := 0
					for zd := range od {
						z := zd*g.stride[0] - g.padding[0] + a*g.dilation[0]
						if z < 0 || z >= id {
							i += oh * ow
							continue
						}
						for yh := range oh {
							y := yh*g.stride[1] - g.padding[1] + b*g.dilation[1]
							if y < 0 || y >= ih {
								i += ow
								continue
							}
							xr := xc[(z*ih+y)*iw : (z*ih+y+1)*iw]
							x0 := -g.padding[2] + e*g.dilation[2]
							lo, hi := validRange(x0, g.stride[2], iw, ow)
							in := row[i : i+ow]
							for k, xi := lo, x0+lo*g.stride[2]; k < hi; k, xi = k+1, xi+g.stride[2] {
								xr[xi] += in[k]
							}
							i += ow
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

// convForward sets y = conv3d(x, w).
func convForward[T float32 | float64](l conv3dLayout, x, w, y, col []T) {
	for n := range l.batch {
		for g := range l.geom.groups {
			im2col(l, x[n*l.inStride+g*l.groupIn*l.inPlane:], col)
			yg := y[n*l.outStride+g*l.groupOut*l.outPlane:]
			wg := w[g*l.groupWeights:]
			blasGemm(blas.NoTrans, blas.NoTrans, l.groupOut, l.outPlane, l.taps, wg, l.taps, col, l.outPlane, 0, yg, l.outPlane)
		}
	}
}

// convWeightGrad sets dw to the sum over examples of dy_g col^T.
func convWeightGrad[T float32 | float64](l conv3dLayout, x, dy, dw, col []T) {
	for n := range l.batch {
		for g := range l.geom.groups {
			im2col(l, x[n*l.inStride+g*l.groupIn*l.inPlane:], col)
			dyg := dy[n*l.outStride+g*l.groupOut*l.outPlane:]
			var beta T
			if n > 0 {
				beta = 1
			}
			blasGemm(blas.NoTrans, blas.Trans, l.groupOut, l.taps, l.outPlane, dyg, l.outPlane, col, l.outPlane, beta, dw[g*l.groupWeights:], l.taps)
		}
	}
}

// convInputGrad sets dx to col2im(w_g^T dy_g) for every example and group.
func convInputGrad[T float32 | float64](l conv3dLayout, w, dy, dx, col []T) {
	clear(dx)
	for n := range l.batch {
		for g := range l.geom.groups {
			dyg := dy[n*l.outStride+g*l.groupOut*l.outPlane:]
			blasGemm(blas.Trans, blas.NoTrans, l.taps, l.outPlane, l.groupOut, w[g*l.groupWeights:], l.taps, dyg, l.outPlane, 0, col, l.outPlane)
			col2im(l, col, dx[n*l.inStride+g*l.groupIn*l.inPlane:])
		}
	}
}
