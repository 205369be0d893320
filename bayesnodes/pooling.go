package bayesnodes

// Max-pooling with an op of its own: Gorgonia's MaxPool2D allocates its
// output, an index tensor and its gradient on every run and showed in the
// LeNet profile. This op keeps its memory across runs (see opkit) and its
// gradient op recomputes the window maxima from the input
// instead of sharing state with the forward op, so two pools of one input
// can be merged by hash-consing without harm.

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
	"github.com/gorgonia-bnn/bnn/internal/parallel"
	"github.com/gorgonia-bnn/bnn/internal/pool2x2"
)

// MaxPool2D returns the maximum of x [batch, C, H, W] over windows of
// kernel[0] x kernel[1] values moved by stride, as PyTorch's MaxPool2d:
// the output is [batch, C, H', W'] with H' = (H + 2 padding[0] - kernel[0])
// / stride[0] + 1, and W' likewise. Padding is never the maximum (it acts
// as -Inf), so it may be at most half the kernel, as in PyTorch. The
// gradient flows to the first maximum of each window; a NaN in a window is
// its maximum.
func MaxPool2D(x *G.Node, kernel, stride, padding [2]int) (*G.Node, error) {
	if x == nil {
		return nil, fmt.Errorf("bayesnodes: MaxPool2D: nil input node")
	}
	p := poolGeom{kernel: kernel, stride: stride, padding: padding}
	if _, err := p.outShape(x.Shape()); err != nil {
		return nil, fmt.Errorf("bayesnodes: MaxPool2D: %w", err)
	}
	if dt := x.Dtype(); dt != tensor.Float64 && dt != tensor.Float32 {
		return nil, fmt.Errorf("bayesnodes: MaxPool2D: input has dtype %v, want float64 or float32", dt)
	}
	return opkit.Apply(maxPoolOp[float32]{p}, maxPoolOp[float64]{p}, x)
}

// poolGeom is the geometry of a 2-D pooling, axes height and width.
type poolGeom struct {
	kernel, stride, padding [2]int
}

func (p poolGeom) String() string {
	return fmt.Sprintf("kernel=%v,stride=%v,padding=%v", p.kernel, p.stride, p.padding)
}

// outShape checks p and an input shape [batch, C, H, W] and returns the
// output shape.
func (p poolGeom) outShape(x tensor.Shape) (tensor.Shape, error) {
	for i := range 2 {
		switch {
		case p.kernel[i] <= 0:
			return nil, fmt.Errorf("kernel %v, want every size > 0", p.kernel)
		case p.stride[i] <= 0:
			return nil, fmt.Errorf("stride %v, want every value > 0", p.stride)
		case p.padding[i] < 0 || 2*p.padding[i] > p.kernel[i]:
			return nil, fmt.Errorf("padding %v for kernel %v, want every value in [0, kernel/2]", p.padding, p.kernel)
		}
	}
	if len(x) != 4 {
		return nil, fmt.Errorf("input has shape %v, want [batch, channels, H, W]", x)
	}
	out := tensor.Shape{x[0], x[1], 0, 0}
	for i := range 2 {
		padded := x[2+i] + 2*p.padding[i]
		if p.kernel[i] > padded {
			return nil, fmt.Errorf("input has shape %v: along axis %d the kernel %d is larger than the padded input's %d (%d + 2*%d)",
				x, 2+i, p.kernel[i], padded, x[2+i], p.padding[i])
		}
		out[2+i] = (padded-p.kernel[i])/p.stride[i] + 1
	}
	return out, nil
}

// maxPoolOp is y = maxpool(x).
type maxPoolOp[T float] struct{ geom poolGeom }

func (m maxPoolOp[T]) String() string    { return "bayesnodes.maxPool2D(" + m.geom.String() + ")" }
func (maxPoolOp[T]) Ranks() ([]int, int) { return []int{4}, 4 }
func (maxPoolOp[T]) DiffWRT() []bool     { return []bool{true} }

func (m maxPoolOp[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	return m.geom.outShape(in[0])
}

func (m maxPoolOp[T]) Eval(a *opkit.Args[T]) error {
	maxPool(m.geom, a.Shapes[0], a.OutShape, a.In[0], a.Out, nil)
	return nil
}

func (m maxPoolOp[T]) Grad(in G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := opkit.ApplyOf[T](maxPoolGradOp[T](m), in[0], grad)
	return G.Nodes{dx}, err
}

// maxPoolGradOp is (x, dy) -> dx: each window's output gradient added to
// the input value that was its maximum.
type maxPoolGradOp[T float] struct{ geom poolGeom }

func (m maxPoolGradOp[T]) String() string {
	return "bayesnodes.maxPool2DGrad(" + m.geom.String() + ")"
}
func (maxPoolGradOp[T]) Ranks() ([]int, int) { return []int{4, 4}, 4 }

func (m maxPoolGradOp[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	x, dy := in[0], in[1]
	y, err := m.geom.outShape(x)
	if err != nil {
		return nil, err
	}
	if !y.Eq(dy) {
		return nil, fmt.Errorf("output gradient has shape %v, want %v", dy, y)
	}
	return x.Clone(), nil
}

func (m maxPoolGradOp[T]) Eval(a *opkit.Args[T]) error {
	if !m.geom.tiles(a.Shapes[0], a.Shapes[1]) {
		clear(a.Out)
	}
	maxPool(m.geom, a.Shapes[0], a.Shapes[1], a.In[0], a.In[1], a.Out)
	return nil
}

// tiles reports whether the windows are LeNet's disjoint 2x2 ones and
// cover an input of shape xs, output ys, exactly: the gradient then writes
// every value of dx, and needs no clearing first.
func (p poolGeom) tiles(xs, ys tensor.Shape) bool {
	return p == (poolGeom{kernel: [2]int{2, 2}, stride: [2]int{2, 2}}) && xs[2] == 2*ys[2] && xs[3] == 2*ys[3]
}

// maxPool finds the maximum of every window of x. With dx nil it writes
// the maxima to y; otherwise it adds y (the output gradient) to dx at the
// first place of each window's maximum, or of its first NaN. Windows are
// clipped to the input, which is what padding with -Inf amounts to. The
// maxima use the branch-free builtin max (NaN wins, as we want): random
// data made a compare-and-branch loop mispredict at every other value.
// The planes are split across the cores.
func maxPool[T float32 | float64](p poolGeom, xs, ys tensor.Shape, x, y, dx []T) {
	ih, iw, oh, ow := xs[2], xs[3], ys[2], ys[3]
	inPlane, outPlane := ih*iw, oh*ow
	parallel.ForWeighted(xs[0]*xs[1], inPlane, func(lo, hi int) {
		var d []T
		if dx != nil {
			d = dx[lo*inPlane : hi*inPlane]
		}
		maxPoolPlanes(p, hi-lo, ih, iw, oh, ow, x[lo*inPlane:hi*inPlane], y[lo*outPlane:hi*outPlane], d)
	})
}

// maxPoolPlanes is maxPool over planes planes of ih x iw.
func maxPoolPlanes[T float32 | float64](p poolGeom, planes, ih, iw, oh, ow int, x, y, dx []T) {
	inPlane, outPlane := ih*iw, oh*ow
	if p == (poolGeom{kernel: [2]int{2, 2}, stride: [2]int{2, 2}}) {
		maxPool2x2(planes, ih, iw, oh, ow, x, y, dx)
		return
	}
	for c := range planes {
		xp := x[c*inPlane : (c+1)*inPlane]
		yp := y[c*outPlane : (c+1)*outPlane]
		for i := range oh {
			h0 := i*p.stride[0] - p.padding[0]
			hlo, hhi := max(h0, 0), min(h0+p.kernel[0], ih)
			for j := range ow {
				w0 := j*p.stride[1] - p.padding[1]
				wlo, whi := max(w0, 0), min(w0+p.kernel[1], iw)
				m := xp[hlo*iw+wlo]
				for r := hlo; r < hhi; r++ {
					for _, v := range xp[r*iw+wlo : r*iw+whi] {
						m = max(m, v)
					}
				}
				if dx == nil {
					yp[i*ow+j] = m
					continue
				}
			find:
				for r := hlo; r < hhi; r++ {
					for k, v := range xp[r*iw+wlo : r*iw+whi] {
						if v == m || v != v {
							dx[c*inPlane+r*iw+wlo+k] += yp[i*ow+j]
							break find
						}
					}
				}
			}
		}
	}
}

// maxPool2x2 is maxPool for LeNet's 2x2 windows of stride 2 without
// padding, over planes planes: by internal/pool2x2's vector kernels in
// float32 where the CPU has them, which give the same values.
func maxPool2x2[T float32 | float64](planes, ih, iw, oh, ow int, x, y, dx []T) {
	if x32, ok := any(x).([]float32); ok && pool2x2.Available() {
		maxPool2x2Rows(planes, ih, iw, oh, ow, x32, any(y).([]float32), any(dx).([]float32))
		return
	}
	for c := range planes {
		xp := x[c*ih*iw : (c+1)*ih*iw]
		for i := range oh {
			r0 := xp[2*i*iw : 2*i*iw+2*ow]
			r1 := xp[(2*i+1)*iw : (2*i+1)*iw+2*ow]
			yr := y[(c*oh+i)*ow : (c*oh+i+1)*ow]
			if dx == nil {
				for j := range yr {
					yr[j] = max(max(r0[2*j], r0[2*j+1]), max(r1[2*j], r1[2*j+1]))
				}
				continue
			}
			d0 := dx[c*ih*iw+2*i*iw : c*ih*iw+2*i*iw+2*ow]
			d1 := dx[c*ih*iw+(2*i+1)*iw : c*ih*iw+(2*i+1)*iw+2*ow]
			for j, g := range yr {
				a, b, e, f := r0[2*j], r0[2*j+1], r1[2*j], r1[2*j+1]
				m := max(max(a, b), max(e, f))
				// The first of a, b, e, f that is m (or NaN, when m is),
				// found without branches: random data mispredicts them.
				ia, ib, ie := firstMax(a, m), firstMax(b, m), firstMax(e, m)
				k := (1 - ia) * (1 + (1-ib)*(1+(1-ie)))
				var w [4]T // windows are disjoint: write all four
				w[k&3] = g
				d0[2*j], d0[2*j+1], d1[2*j], d1[2*j+1] = w[0], w[1], w[2], w[3]
			}
		}
	}
}

// maxPool2x2Rows is maxPool2x2 by pool2x2's kernels: the planes in one
// call when each has an even number of rows (its rows of windows then
// follow one another), else a plane a call.
func maxPool2x2Rows(planes, ih, iw, oh, ow int, x, y, dx []float32) {
	calls, rows := planes, oh
	if ih == 2*oh {
		calls, rows = 1, planes*oh
	}
	for c := range calls {
		xp, yp := x[c*ih*iw:], y[c*oh*ow:]
		if dx == nil {
			pool2x2.Max(rows, ow, xp, iw, yp)
			continue
		}
		pool2x2.Grad(rows, ow, xp, iw, yp, dx[c*ih*iw:])
	}
}

// firstMax is 1 if v is the window maximum m or a NaN, else 0.
func firstMax[T float32 | float64](v, m T) int {
	return b2i(v == m) | b2i(v != v)
}

// b2i is 1 for true, 0 for false (the compiler makes it a SETcc).
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
