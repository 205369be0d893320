package bayesnodes

// A convolution's bias, added per channel by an op of its own: Gorgonia's
// BroadcastAdd of a [1, C, 1, 1] bias repeats it to the output's full size
// (a new tensor every run) before adding, and showed in the LeNet profile.

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// addChannelBias returns y [batch, C, spatial...] + b [C], b[c] added to
// every value of channel c.
func addChannelBias(y, b *G.Node) (*G.Node, error) {
	ys, bs := y.Shape(), b.Shape()
	if len(ys) < 2 || bs.TotalSize() != ys[1] || b.Dims() != 1 {
		return nil, fmt.Errorf("bias of shape %v for an output of shape %v, want [%v]", bs, ys, ys[1:2])
	}
	return opkit.Apply(channelBias[float32]{len(ys)}, channelBias[float64]{len(ys)}, y, b)
}

// channelBias is (y, b) -> y + b per channel.
type channelBias[T opkit.Float] struct{ dims int }

func (m channelBias[T]) String() string      { return fmt.Sprintf("bayesnodes.channelBias(%d)", m.dims) }
func (m channelBias[T]) Ranks() ([]int, int) { return []int{m.dims, 1}, m.dims }
func (m channelBias[T]) DiffWRT() []bool     { return []bool{true, true} }

func (m channelBias[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if y, b := in[0], in[1]; len(y) < 2 || b[0] != y[1] {
		return nil, fmt.Errorf("output %v and bias %v, want a bias of one value per channel", y, b)
	}
	return in[0].Clone(), nil
}

func (m channelBias[T]) Eval(a *opkit.Args[T]) error {
	addPerChannel(a.In[0], a.In[1], a.Out, planeSize(a.Shapes[0]))
	return nil
}

// Grad: the output gradient passes to y as it is, and sums per channel
// to b.
func (m channelBias[T]) Grad(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	db, err := opkit.ApplyOf[T](channelSum[T](m), grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{grad, db}, nil
}

// planeSize is the number of values of one channel of one example of a
// tensor [batch, C, spatial...].
func planeSize(s tensor.Shape) int {
	n := 1
	for _, d := range s[2:] {
		n *= d
	}
	return n
}

// addPerChannel sets out = y + b, b[c] added to each plane of channel c.
func addPerChannel[T float32 | float64](y, b, out []T, plane int) {
	c := len(b)
	for i := range len(y) / plane {
		bias := b[i%c]
		src, dst := y[i*plane:(i+1)*plane], out[i*plane:(i+1)*plane]
		for k := range dst {
			dst[k] = src[k] + bias
		}
	}
}

// channelSum is dy [batch, C, spatial...] -> [C], the sum of each
// channel's values.
type channelSum[T opkit.Float] struct{ dims int }

func (m channelSum[T]) String() string      { return fmt.Sprintf("bayesnodes.channelSum(%d)", m.dims) }
func (m channelSum[T]) Ranks() ([]int, int) { return []int{m.dims}, 1 }

func (m channelSum[T]) Shape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in[0]) < 2 {
		return nil, fmt.Errorf("input has shape %v, want [batch, C, ...]", in[0])
	}
	return tensor.Shape{in[0][1]}, nil
}

func (m channelSum[T]) Eval(a *opkit.Args[T]) error {
	sumPerChannel(a.In[0], a.Out, planeSize(a.Shapes[0]))
	return nil
}

// sumPerChannel sets db[c] to the sum of every plane of channel c in dy,
// accumulating each plane in float64. Four planes are summed side by
// side: one plane's sum is a chain of dependent adds, each waiting for
// the last, and four chains fill the adder where one leaves it idle; each
// plane's terms are added in the same order, so the same bits.
func sumPerChannel[T float32 | float64](dy, db []T, plane int) {
	c := len(db)
	sums := make([]float64, c)
	n := len(dy) / plane
	i := 0
	for ; i+4 <= n; i += 4 {
		p0 := dy[i*plane : (i+1)*plane]
		p1, p2, p3 := dy[(i+1)*plane:][:len(p0)], dy[(i+2)*plane:][:len(p0)], dy[(i+3)*plane:][:len(p0)]
		var s0, s1, s2, s3 float64
		for k, v := range p0 {
			s0 += float64(v)
			s1 += float64(p1[k])
			s2 += float64(p2[k])
			s3 += float64(p3[k])
		}
		sums[i%c] += s0
		sums[(i+1)%c] += s1
		sums[(i+2)%c] += s2
		sums[(i+3)%c] += s3
	}
	for ; i < n; i++ {
		s := 0.0
		for _, v := range dy[i*plane : (i+1)*plane] {
			s += float64(v)
		}
		sums[i%c] += s
	}
	for k, s := range sums {
		db[k] = T(s)
	}
}
