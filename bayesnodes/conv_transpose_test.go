package bayesnodes_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
)

// TestConvTransposeReference checks the layer against PyTorch's
// conv_transpose1d/2d/3d, computed in float64 from the same sampled
// weights (testdata/convtranspose/gen.py writes the vectors): the output
// with the recorded eps, with the mean weights, and log q, log p and both
// KL estimates of the draw.
func TestConvTransposeReference(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "convtranspose", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no reference vectors in testdata/convtranspose")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var c goldenCase
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, dt := range conformanceDtypes {
			t.Run(c.Name+"/"+dt.name, func(t *testing.T) {
				l := goldenConvTranspose(t, &c)
				pp := posteriorParts{"weight": l.Weight}
				if l.Bias != nil {
					pp["bias"] = l.Bias
				}
				runLayerCase(t, &c, dt, pp, l.Apply)
			})
		}
	}
}

// goldenConvTranspose builds the layer a reference case describes.
func goldenConvTranspose(t *testing.T, c *goldenCase) *bayesnodes.ConvTranspose {
	t.Helper()
	in, out := configInts(t, c.Config, "in_channels")[0], configInts(t, c.Config, "out_channels")[0]
	k := configInts(t, c.Config, "kernel_size")
	opts := append(goldenConvOptions(t, c), bayesnodes.OutputPadding(configInts(t, c.Config, "output_padding")...))
	var l *bayesnodes.ConvTranspose
	var err error
	switch c.Layer {
	case "conv_transpose1d":
		l, err = bayesnodes.NewConvTranspose1D(in, out, k[0], opts...)
	case "conv_transpose2d":
		l, err = bayesnodes.NewConvTranspose2D(in, out, [2]int{k[0], k[1]}, opts...)
	case "conv_transpose3d":
		l, err = bayesnodes.NewConvTranspose3D(in, out, [3]int{k[0], k[1], k[2]}, opts...)
	default:
		t.Fatalf("layer kind %q, want conv_transpose1d, 2d or 3d", c.Layer)
	}
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestConvTransposeGradients checks the gradients of every parameter of
// two stacked transposed convolutions under every estimator against
// central differences in float64: the second layer's input gradient
// reaches the first layer's parameters.
func TestConvTransposeGradients(t *testing.T) {
	for _, e := range []bayesnodes.Estimator{bayesnodes.Reparameterization, bayesnodes.LocalReparameterization, bayesnodes.Flipout} {
		for _, rank := range []int{1, 2, 3} {
			t.Run(e.String()+"/"+[]string{"1d", "2d", "3d"}[rank-1], func(t *testing.T) {
				opts := []bayesnodes.ConvOption{bayesnodes.WithEstimator(e), bayesnodes.WithPrior(bayesnodes.Normal{Sigma: 0.5}),
					bayesnodes.Stride(2), bayesnodes.Padding(1), bayesnodes.OutputPadding(1)}
				first, err := newConvTransposeOfRank(rank, 2, 4, 3, append(opts, bayesnodes.Groups(2))...)
				if err != nil {
					t.Fatal(err)
				}
				second, err := newConvTransposeOfRank(rank, 4, 1, 2, bayesnodes.WithEstimator(e), bayesnodes.Dilation(2), bayesnodes.WithKL(bayesnodes.KLMonteCarlo))
				if err != nil {
					t.Fatal(err)
				}
				net := func(b *graph.Builder, x *G.Node) (*G.Node, error) {
					h, err := first.Apply(b, x)
					if err != nil {
						return nil, err
					}
					if h, err = G.Tanh(h); err != nil {
						return nil, err
					}
					return second.Apply(b, h)
				}
				in := []int{2, 3, 2, 2}[:1+rank]
				checkGradientsAbs(t, net, in, 2, nil)
			})
		}
	}
}

// newConvTransposeOfRank returns a transposed convolution over rank axes
// with a cubic kernel.
func newConvTransposeOfRank(rank, in, out, kernel int, opts ...bayesnodes.ConvOption) (*bayesnodes.ConvTranspose, error) {
	switch rank {
	case 1:
		return bayesnodes.NewConvTranspose1D(in, out, kernel, opts...)
	case 2:
		return bayesnodes.NewConvTranspose2D(in, out, [2]int{kernel, kernel}, opts...)
	}
	return bayesnodes.NewConvTranspose3D(in, out, [3]int{kernel, kernel, kernel}, opts...)
}

// TestConvTransposeBadInput checks that every geometry PyTorch rejects, and
// a wrong input, gets an error naming it before any graph runs.
func TestConvTransposeBadInput(t *testing.T) {
	build := func(l *bayesnodes.ConvTranspose, err error, in ...int) error {
		if err != nil {
			return err
		}
		m, err := graph.NewModel(l.Apply, graph.Input(in...))
		if err != nil {
			return err
		}
		_, err = m.Build(2, nil)
		return err
	}
	k2 := [2]int{3, 3}
	cases := []struct {
		name string
		err  func() error
		want string
	}{
		{"empty output", func() error {
			l, err := bayesnodes.NewConvTranspose1D(1, 1, 1, bayesnodes.Padding(1))
			return build(l, err, 1, 1)
		}, "conv_transpose1d: input has shape (2, 1, 1): along axis 2 an input of 1 gives an output of -1 ((1-1)*1 - 2*1 + 1*(1-1) + 0 + 1), want at least 1"},
		{"zero output", func() error {
			l, err := bayesnodes.NewConvTranspose2D(1, 1, [2]int{1, 2}, bayesnodes.Padding(0, 1))
			return build(l, err, 1, 2, 1)
		}, "along axis 3 an input of 1 gives an output of 0"},
		{"output padding equal to stride", func() error {
			_, err := bayesnodes.NewConvTranspose2D(2, 2, k2, bayesnodes.Stride(2), bayesnodes.OutputPadding(2))
			return err
		}, "conv_transpose2d: output padding [2 2]: want each value >= 0 and smaller than its axis's stride [2 2] or dilation [1 1]"},
		{"output padding without stride or dilation", func() error {
			_, err := bayesnodes.NewConvTranspose3D(2, 2, [3]int{1, 1, 1}, bayesnodes.OutputPadding(0, 1, 0))
			return err
		}, "output padding [0 1 0]: want each value >= 0 and smaller than its axis's stride [1 1 1] or dilation [1 1 1]"},
		{"negative output padding", func() error {
			_, err := bayesnodes.NewConvTranspose1D(2, 2, 3, bayesnodes.OutputPadding(-1))
			return err
		}, "conv_transpose1d: output padding [-1]: want every value >= 0"},
		{"output padding of the wrong length", func() error {
			_, err := bayesnodes.NewConvTranspose2D(2, 2, k2, bayesnodes.Stride(2), bayesnodes.OutputPadding(1, 1, 1))
			return err
		}, "conv_transpose2d: output padding [1 1 1] has 3 values, want 1 or 2"},
		{"groups not dividing in", func() error {
			_, err := bayesnodes.NewConvTranspose2D(3, 4, k2, bayesnodes.Groups(2))
			return err
		}, "conv_transpose2d: in=3 and out=4 channels must both be divisible by groups=2"},
		{"groups not dividing out", func() error {
			_, err := bayesnodes.NewConvTranspose1D(4, 3, 3, bayesnodes.Groups(2))
			return err
		}, "in=4 and out=3 channels must both be divisible by groups=2"},
		{"wrong rank", func() error {
			l, err := bayesnodes.NewConvTranspose2D(2, 3, k2)
			return build(l, err, 2, 5)
		}, "conv_transpose2d: input has shape (2, 2, 5), want [batch, 2, H, W]"},
		{"wrong channels", func() error {
			l, err := bayesnodes.NewConvTranspose3D(2, 3, [3]int{2, 2, 2})
			return build(l, err, 3, 2, 2, 2)
		}, "conv_transpose3d: input has shape (2, 3, 2, 2, 2), want [batch, 2, D, H, W]"},
		{"fields changed to another rank", func() error {
			l, err := bayesnodes.NewConvTranspose2D(2, 3, k2)
			if err == nil {
				l.Stride = []int{1}
			}
			return build(l, err, 2, 4, 4)
		}, "want one value per spatial axis"},
		{"output padding on a convolution", func() error {
			_, err := bayesnodes.NewConv2D(2, 2, k2, bayesnodes.Stride(2), bayesnodes.OutputPadding(1))
			return err
		}, "conv2d: output padding [1]: only a transposed convolution has one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}
