// Package gradcheck compares the gradients Gorgonia computes for a model's
// parameters with central finite differences, for the tests of every layer
// and loss.
package gradcheck

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// ProbeName is the input the Probe objective weighs the output with.
const ProbeName = "probe"

// Probe is an objective whose gradient reaches every output value with a
// different weight: loss = sum(out * r) + kl, r a fixed random input.
type Probe struct{}

// Attach adds the probe input and the loss.
func (Probe) Attach(b *graph.Builder, out, kl *G.Node) (*G.Node, error) {
	r, err := b.Input(ProbeName, out.Shape()...)
	if err != nil {
		return nil, err
	}
	p, err := G.HadamardProd(out, r)
	if err != nil {
		return nil, err
	}
	loss, err := G.Sum(p)
	if err != nil {
		return nil, err
	}
	if kl == nil {
		return loss, nil
	}
	return G.Add(loss, kl)
}

// FillProbe sets the probe input of g from seed.
func FillProbe(g *graph.Graph, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 7))
	r := make([]float64, g.Batch()*g.OutputWidth())
	for i := range r {
		r[i] = rng.NormFloat64()
	}
	return g.SetInput(ProbeName, r)
}

// Worst is the largest disagreement found in one parameter.
type Worst struct {
	Param             string
	Index             int
	Analytic, Numeric float64
	RelErr            float64
	Checked           int
}

func (w Worst) String() string {
	return fmt.Sprintf("%s[%d]: analytic %.12g, numeric %.12g, relative error %.3g (%d values checked)",
		w.Param, w.Index, w.Analytic, w.Numeric, w.RelErr, w.Checked)
}

// Check runs g (built with an objective, inputs set) with the noise drawn
// from noiseSeed, and compares every parameter's gradient with central
// differences of step h, replaying the same noise for every evaluation.
// The relative error of a value is |a - n| / max(|a|, |n|, floor). It
// returns the worst value of each parameter. g's model must be float64.
func Check(g *graph.Graph, noiseSeed uint64, h, floor float64) ([]Worst, error) {
	m := g.Model()
	if m.Dtype() != tensor.Float64 {
		return nil, fmt.Errorf("gradcheck: the model computes in %v, want float64", m.Dtype())
	}
	if !g.Trainable() {
		return nil, fmt.Errorf("gradcheck: the graph has no objective")
	}
	run := func() (float64, error) {
		m.ReseedNoise(noiseSeed)
		if err := g.Run(); err != nil {
			return 0, err
		}
		return g.Loss(), nil
	}
	vgs := g.Learnables()
	for _, vg := range vgs { // start from zero: gradients accumulate across runs
		if gr, err := vg.Grad(); err == nil {
			if t, ok := gr.(*tensor.Dense); ok {
				t.Zero()
			}
		}
	}
	if _, err := run(); err != nil {
		return nil, err
	}
	analytic := make([][]float64, len(vgs))
	for i, vg := range vgs {
		gr, err := vg.Grad()
		if err != nil {
			return nil, err
		}
		analytic[i] = append([]float64(nil), gr.Data().([]float64)...)
	}
	params := m.Params()
	byName := map[string]*graph.Param{}
	for _, p := range params {
		byName[p.Name()] = p
	}
	var out []Worst
	for i, vg := range vgs {
		name := vg.(*G.Node).Name()
		p := byName[name]
		if p == nil {
			return nil, fmt.Errorf("gradcheck: no parameter named %s", name)
		}
		vals := p.Values()
		w := Worst{Param: name, Index: -1}
		for j := range vals {
			orig := vals[j]
			vals[j] = orig + h
			if err := p.SetValues(vals); err != nil {
				return nil, err
			}
			up, err := run()
			if err != nil {
				return nil, err
			}
			vals[j] = orig - h
			if err := p.SetValues(vals); err != nil {
				return nil, err
			}
			down, err := run()
			if err != nil {
				return nil, err
			}
			vals[j] = orig
			num := (up - down) / (2 * h)
			a := analytic[i][j]
			rel := math.Abs(a-num) / math.Max(math.Max(math.Abs(a), math.Abs(num)), floor)
			if w.Index < 0 || rel > w.RelErr {
				w.Index, w.Analytic, w.Numeric, w.RelErr = j, a, num, rel
			}
			w.Checked++
		}
		if err := p.SetValues(vals); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, nil
}
