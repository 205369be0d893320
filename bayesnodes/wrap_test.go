package bayesnodes_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/internal/gradcheck"
)

// plainMLP is a deterministic 4-3-2 network written against graph.Param,
// with no knowledge of Bayesian layers.
type plainMLP struct {
	w1, b1, w2, b2 *graph.Param
}

func newPlainMLP(t *testing.T) *plainMLP {
	t.Helper()
	mk := func(name string, shape ...int) *graph.Param {
		p, err := graph.NewParam(name, shape, graph.Normal(0, 0.5))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	return &plainMLP{w1: mk("fc1.weight", 3, 4), b1: mk("fc1.bias", 3), w2: mk("fc2.weight", 3, 2), b2: mk("fc2.bias", 2)}
}

// forward: tanh(x W1^T + b1) W2 + b2 (W2 stored [in, out], to show that the
// wrapper does not care how a weight is used).
func (n *plainMLP) forward(b *graph.Builder, x *G.Node) (*G.Node, error) {
	w1, err := b.Param(n.w1)
	if err != nil {
		return nil, err
	}
	b1, err := b.Param(n.b1)
	if err != nil {
		return nil, err
	}
	w2, err := b.Param(n.w2)
	if err != nil {
		return nil, err
	}
	b2, err := b.Param(n.b2)
	if err != nil {
		return nil, err
	}
	h := G.Must(G.Mul(x, G.Must(G.Transpose(w1))))
	h = G.Must(G.Tanh(G.Must(G.BroadcastAdd(h, G.Must(G.Reshape(b1, []int{1, 3})), nil, []byte{0}))))
	y := G.Must(G.Mul(h, w2))
	return G.BroadcastAdd(y, G.Must(G.Reshape(b2, []int{1, 2})), nil, []byte{0})
}

func newPlainModel(t *testing.T) (*plainMLP, *graph.Model) {
	t.Helper()
	n := newPlainMLP(t)
	m, err := graph.NewModel(n.forward, graph.Input(4), graph.Seed(2))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.InitParams(); err != nil {
		t.Fatal(err)
	}
	return n, m
}

// TestWrapKeepsDeterministicOutputs: a wrapped network with its noise at
// zero (frozen) gives exactly the deterministic network's outputs, and with
// noise gives others, with the wrapped weights' KL.
func TestWrapKeepsDeterministicOutputs(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []bayesnodes.WrapOption
	}{
		{"gaussian", []bayesnodes.WrapOption{bayesnodes.MOPED(0.2)}},
		{"sparse", []bayesnodes.WrapOption{bayesnodes.WrapSparse(), bayesnodes.MOPED(0.2)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, m := newPlainModel(t)
			x := randomInput(5*4, 8)
			det, err := m.PredictMean(x)
			if err != nil {
				t.Fatal(err)
			}
			posts, err := bayesnodes.Wrap(m, []*graph.Param{n.w1, n.w2}, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if len(posts) != 2 || posts[0].Name() != "fc1.weight" {
				t.Fatalf("posteriors %v", posts)
			}
			frozen, err := m.PredictMean(x)
			if err != nil {
				t.Fatal(err)
			}
			for i := range det {
				if frozen[i] != det[i] {
					t.Fatalf("frozen output %d = %v, deterministic %v", i, frozen[i], det[i])
				}
			}
			sampled, err := m.Predict(x, 1)
			if err != nil {
				t.Fatal(err)
			}
			differ := 0
			for i := range det {
				if sampled.Samples[0][i] != det[i] {
					differ++
				}
			}
			if differ == 0 {
				t.Error("a sampled pass equals the deterministic one: no weight noise")
			}
			g, err := m.Build(5, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			if got, want := g.KLCount(), 12+6; got != want {
				t.Errorf("KL over %d weights, want %d", got, want)
			}
			// sigma = delta |w| at the start
			snr := posts[1].SignalToNoise()
			for i, r := range snr {
				if math.Abs(r-5) > 1e-9 && n.w2.Values()[i] != 0 {
					t.Fatalf("SNR[%d] = %v, want 1/delta = 5", i, r)
				}
			}
		})
	}
}

func TestWrapGradients(t *testing.T) {
	for _, sparse := range []bool{false, true} {
		name := "gaussian"
		opts := []bayesnodes.WrapOption{bayesnodes.MOPED(0.3)}
		if sparse {
			name = "sparse"
			opts = append(opts, bayesnodes.WrapSparse())
		}
		t.Run(name, func(t *testing.T) {
			n, m := newPlainModel(t)
			if _, err := bayesnodes.Wrap(m, []*graph.Param{n.w1, n.w2}, opts...); err != nil {
				t.Fatal(err)
			}
			g, err := m.Build(5, gradcheck.Probe{})
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			if err := g.SetX(randomInput(5*4, 11)); err != nil {
				t.Fatal(err)
			}
			if err := gradcheck.FillProbe(g, 5); err != nil {
				t.Fatal(err)
			}
			worst, err := gradcheck.Check(g, 99, 1e-6, 1e-4)
			if err != nil {
				t.Fatal(err)
			}
			// the wrapped posteriors' two tensors each, and the two
			// deterministic biases; the replaced weights are not in the graph
			if len(worst) != 6 {
				t.Fatalf("%d parameters checked, want 6: %v", len(worst), worst)
			}
			for _, w := range worst {
				if strings.HasPrefix(w.Param, "fc1.weight") && !strings.Contains(w.Param, "fc1.weight.") {
					t.Errorf("the replaced parameter %s is still trained", w.Param)
				}
				if w.RelErr > 1e-6 {
					t.Errorf("gradient of %s", w)
				}
			}
		})
	}
}

func TestWrapBadInput(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T) error
		want string
		is   error
	}{
		{"NaN delta", func(t *testing.T) error {
			n, m := newPlainModel(t)
			_, err := bayesnodes.Wrap(m, []*graph.Param{n.w1}, bayesnodes.MOPED(math.NaN()))
			return err
		}, "MOPED delta is NaN", nil},
		{"zero delta", func(t *testing.T) error {
			n, m := newPlainModel(t)
			_, err := bayesnodes.Wrap(m, []*graph.Param{n.w1}, bayesnodes.MOPED(0))
			return err
		}, "MOPED delta is 0", nil},
		{"parameter of another model", func(t *testing.T) error {
			_, m := newPlainModel(t)
			other, err := graph.NewParam("other", []int{2}, graph.Constant(1))
			if err != nil {
				return err
			}
			_, err = bayesnodes.Wrap(m, []*graph.Param{other})
			return err
		}, "other: not a parameter of the model", bayesnodes.ErrNotModelParam},
		{"model not built", func(t *testing.T) error {
			n := newPlainMLP(t)
			m, err := graph.NewModel(n.forward, graph.Input(4))
			if err != nil {
				return err
			}
			_, err = bayesnodes.Wrap(m, []*graph.Param{n.w1})
			return err
		}, "call InitParams first", bayesnodes.ErrNotModelParam},
		{"nil model", func(t *testing.T) error {
			_, err := bayesnodes.Wrap(nil, nil)
			return err
		}, "nil model", nil},
		{"nothing to wrap", func(t *testing.T) error {
			_, m := newPlainModel(t)
			_, err := bayesnodes.Wrap(m, nil)
			return err
		}, "no parameters", nil},
		{"nil parameter", func(t *testing.T) error {
			_, m := newPlainModel(t)
			_, err := bayesnodes.Wrap(m, []*graph.Param{nil})
			return err
		}, "parameter 0 is nil", nil},
		{"wrapped twice", func(t *testing.T) error {
			n, m := newPlainModel(t)
			if _, err := bayesnodes.Wrap(m, []*graph.Param{n.w1}); err != nil {
				return err
			}
			_, err := bayesnodes.Wrap(m, []*graph.Param{n.w1})
			return err
		}, "fc1.weight is wrapped already", nil},
		{"MOPED weights of the wrong shape", func(t *testing.T) error {
			p, err := bayesnodes.NewSparsePosterior("w", []int{3, 4}, nil, graph.Constant(0), graph.Constant(0))
			if err != nil {
				return err
			}
			return p.InitMOPED(make([]float64, 10), 0.1)
		}, "10 deterministic weights for a posterior of shape [3 4] (12 weights)", nil},
		{"MOPED weight NaN", func(t *testing.T) error {
			p, err := bayesnodes.NewPosterior("w", []int{2}, bayesnodes.DefaultPrior, graph.Constant(0), graph.Constant(0), bayesnodes.KLAuto)
			if err != nil {
				return err
			}
			return p.InitMOPED([]float64{1, math.NaN()}, 0.1)
		}, "deterministic weight 1 is NaN", nil},
		{"substitute of the wrong shape", func(t *testing.T) error {
			n, m := newPlainModel(t)
			wrong, err := bayesnodes.NewPosterior("wrong", []int{4, 3}, bayesnodes.DefaultPrior, graph.Constant(0), graph.Constant(-3), bayesnodes.KLAuto)
			if err != nil {
				return err
			}
			if err := m.Replace(n.w1, func(b *graph.Builder) (*G.Node, error) { return wrong.Sample(b) }); err != nil {
				return err
			}
			_, err = m.Build(2, nil)
			return err
		}, "substitute of fc1.weight has shape [4 3], the parameter [3 4]", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run(t)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Fatalf("error %v is not %v", err, c.is)
			}
		})
	}
}
