package graph

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/internal/gvalue"
	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// Graph is one compiled graph of a model, for one batch size. It is not safe
// for concurrent use; graphs of one model share parameter tensors and the
// noise generator, so run them from one goroutine (RunParallel excepted).
// The model's prediction methods keep graphs of their own and are safe for
// concurrent use (see Model).
type Graph struct {
	m     *Model
	b     *Builder
	batch int
	kind  graphKind
	vm    G.VM

	out, kl, loss *watched
	learnables    []G.ValueGrad
	outWidth      int // OutputWidth, once known
	revision      int // the model's revision when the graph was built
	noise         *noiseFill
	steady        *opkit.Epoch // prediction graphs' steady memoised ops (steady.go)
}

// usable returns an error for a nil *Graph or one not made by Build.
func (g *Graph) usable() error {
	if g == nil || g.vm == nil || g.b == nil {
		return errors.New("graph: no graph: a nil *Graph, or a Graph not made by Model.Build")
	}
	return nil
}

// Stale reports whether the model's parameters were replaced (Model.Replace)
// after the graph was built: it would still compute with the old ones, so
// Execute refuses to run it.
func (g *Graph) Stale() bool { return g.revision != g.m.revision }

// Batch returns the batch size the graph was built for.
func (g *Graph) Batch() int { return g.batch }

// Model returns the model the graph was built from.
func (g *Graph) Model() *Model { return g.m }

// SetX fills the network input: batch rows of the model's input width.
func (g *Graph) SetX(x []float64) error { return g.SetInput(XName, x) }

// SetInput fills the named input from data (row-major, converted to the
// model's dtype). NaN and infinite values are rejected.
func (g *Graph) SetInput(name string, data []float64) error {
	if err := g.usable(); err != nil {
		return err
	}
	in, ok := g.b.inputs[name]
	if !ok {
		return fmt.Errorf("graph: no input named %q (inputs: %v)", name, g.InputNames())
	}
	return g.fill(in, data)
}

// SetNoise sets a noise input by hand for the next run (a Run after that
// draws fresh noise again). name is as given to Builder.Noise (a Bayesian
// layer's posterior name). It serves conformance tests and replays.
func (g *Graph) SetNoise(name string, data []float64) error {
	if err := g.usable(); err != nil {
		return err
	}
	in, ok := g.b.inputs[NoisePrefix+name]
	if !ok || !g.isNoise(in) {
		return fmt.Errorf("graph: no noise input named %q (noise: %v)", name, g.NoiseNames())
	}
	if err := g.fill(in, data); err != nil {
		return err
	}
	in.fixed = true
	return nil
}

func (g *Graph) isNoise(in *input) bool {
	for _, n := range g.b.noise {
		if n == in {
			return true
		}
	}
	return false
}

func (g *Graph) fill(in *input, data []float64) error {
	want := in.buf.Shape().TotalSize()
	if len(data) != want {
		return fmt.Errorf("graph: input %s has shape %v (%d values), got %d values", in.name, in.node.Shape(), want, len(data))
	}
	if err := checkFinite("graph: input "+in.name, g.m.dtype, data); err != nil {
		return err
	}
	for _, check := range in.checks {
		if err := check(data); err != nil {
			return fmt.Errorf("graph: input %s: %w", in.name, err)
		}
	}
	copyIn(in.buf, data)
	if in.node.IsScalar() {
		return G.Let(in.node, scalarValue(in.buf))
	}
	return nil
}

func scalarValue(t *tensor.Dense) interface{} {
	switch d := t.Data().(type) {
	case []float32:
		return d[0]
	case []float64:
		return d[0]
	}
	return nil
}

// InputNames returns the names of the graph's inputs, noise included, sorted.
func (g *Graph) InputNames() []string {
	names := make([]string, 0, len(g.b.inputs))
	for n := range g.b.inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// NoiseNames returns the names of the noise inputs (as SetNoise takes them)
// in the order they are filled.
func (g *Graph) NoiseNames() []string {
	names := make([]string, len(g.b.noise))
	for i, n := range g.b.noise {
		names[i] = strings.TrimPrefix(n.name, NoisePrefix)
	}
	return names
}

// Execute runs the graph once with the inputs and noise as they are: forward,
// and backward if the graph was built with an objective (gradients add up in
// the parameters' dual values until a solver step zeroes them).
func (g *Graph) Execute() error {
	if err := g.usable(); err != nil {
		return err
	}
	if g.Stale() {
		return errors.New("graph: the model's parameters were replaced (Model.Replace, bayesnodes.Wrap) after this graph was built: build a new graph (a new Trainer builds its own)")
	}
	defer g.vm.Reset()
	if err := g.vm.RunAll(); err != nil {
		return fmt.Errorf("graph: run: %w", err)
	}
	return nil
}

// Run resamples the noise (unless it was set by hand with SetNoise) and
// executes the graph.
func (g *Graph) Run() error {
	if err := g.usable(); err != nil {
		return err
	}
	return g.run(nil)
}

// run is Run with the noise drawn as d says, or as the model's next run
// if d is nil.
func (g *Graph) run(d *noiseDraw) error {
	if !g.noiseFixed() {
		if d == nil {
			g.Resample()
		} else {
			g.resample(*d)
		}
	}
	err := g.Execute()
	g.releaseNoise()
	return err
}

// Output copies the network output of the last run into dst (grown if
// needed) and returns it: batch rows of OutputWidth values.
func (g *Graph) Output(dst []float64) []float64 {
	return valueInto(g.out.val, dst)
}

// OutputShape returns the shape of the network output node.
func (g *Graph) OutputShape() []int { return append([]int(nil), g.out.node.Shape()...) }

// OutputWidth returns the number of output values per example.
func (g *Graph) OutputWidth() int {
	if g.outWidth == 0 { // the shape is fixed; Node.Shape copies it
		g.outWidth = product(g.out.node.Shape()) / g.batch
	}
	return g.outWidth
}

// KL returns the value of the KL accumulator after the last run (0 for a
// network without Bayesian layers).
func (g *Graph) KL() float64 {
	if g.kl == nil {
		return 0
	}
	return scalarOf(g.kl.val)
}

// KLCount returns the number of weights the KL covers.
func (g *Graph) KLCount() int { return g.b.klCount }

// Loss returns the objective's loss after the last run (0 without one).
func (g *Graph) Loss() float64 {
	if g.loss == nil {
		return 0
	}
	return scalarOf(g.loss.val)
}

// Value returns the value of a watched scalar after the last run.
func (g *Graph) Value(name string) (float64, error) {
	w, ok := g.b.watched[name]
	if !ok {
		return 0, fmt.Errorf("graph: no watched value named %q", name)
	}
	return scalarOf(w.val), nil
}

// Trainable reports whether the graph computes gradients.
func (g *Graph) Trainable() bool { return g.loss != nil }

// Learnables returns the parameter nodes with their gradients, in the order
// a solver steps them (the model's order of first use). The slice is made
// once per graph and shared by every call, so a training loop allocates
// nothing for it; do not modify it.
func (g *Graph) Learnables() []G.ValueGrad {
	if g.learnables == nil {
		g.learnables = make([]G.ValueGrad, len(g.b.learn))
		for i, n := range g.b.learn {
			g.learnables[i] = n
		}
	}
	return g.learnables
}

// Close releases the graph's machine.
func (g *Graph) Close() error { return g.vm.Close() }

// scalarOf reads a logged scalar (the loss, the KL, a watched value), NaN
// if v does not hold one number.
func scalarOf(v G.Value) float64 {
	if x, ok := gvalue.Scalar(v); ok {
		return x
	}
	return math.NaN()
}

func valueInto(v G.Value, dst []float64) []float64 {
	switch v := v.(type) {
	case *tensor.Dense:
		return copyOut(v, dst)
	case nil:
		return dst[:0]
	}
	return append(dst[:0], scalarOf(v))
}
