package graph

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// NoiseKind is the distribution a noise input is filled from.
type NoiseKind int

const (
	// Gaussian noise: independent standard normal draws.
	Gaussian NoiseKind = iota
	// Rademacher noise: independent signs, -1 or +1 with equal probability.
	Rademacher
)

func (k NoiseKind) String() string {
	switch k {
	case Gaussian:
		return "gaussian"
	case Rademacher:
		return "rademacher"
	}
	return fmt.Sprintf("NoiseKind(%d)", int(k))
}

// Builder is what a Network and its layers build a graph through. It is only
// valid during Model.Build.
type Builder struct {
	m      *Model
	g      *G.ExprGraph
	batch  int
	skipKL bool // prediction graphs: nothing reads the KL
	// marginal prediction graphs (Model.PredictMarginal): only each
	// example's distribution matters, not the joint of a pass
	marginal bool

	params  map[*Param]*G.Node
	learn   []*G.Node // parameter nodes in order of first use
	inputs  map[string]*input
	noise   []*input
	kls     []*G.Node
	klCount int
	watched map[string]*watched
	once    map[any]*G.Node
	// parameters whose substitute is being built: their substitute's own
	// Builder.Param calls get the parameter's node
	substituting map[*Param]bool
	// names of every node the builder made. Gorgonia merges equal nodes
	// by name, type and shape (hash-consing), so a noise input that shared
	// a parameter's name would silently become that parameter.
	names map[string]bool
}

// input is a node fed from a buffer the graph owns.
type input struct {
	name  string
	node  *G.Node
	buf   *tensor.Dense
	kind  NoiseKind
	fixed bool // noise set by hand for the next Execute only
	// checks run on values before they are stored (see CheckInput).
	checks []func(values []float64) error
}

// watched is a node whose value is copied out after every run. Gorgonia's
// TapeMachine may reuse an intermediate node's memory (upstream #576), so
// values are read through G.Read rather than from the node.
type watched struct {
	node *G.Node
	val  G.Value
}

func newBuilder(m *Model, batch int) *Builder {
	return &Builder{
		m: m, g: G.NewGraph(), batch: batch,
		params:  map[*Param]*G.Node{},
		inputs:  map[string]*input{},
		watched: map[string]*watched{},
		names:   map[string]bool{},
	}
}

// ExprGraph returns the Gorgonia graph being built.
func (b *Builder) ExprGraph() *G.ExprGraph { return b.g }

// Dtype returns the dtype every node must have.
func (b *Builder) Dtype() tensor.Dtype { return b.m.dtype }

// Batch returns the batch size the graph is built for.
func (b *Builder) Batch() int { return b.batch }

// Param returns the node of p in this graph, registering p with the model on
// its first use. Using a parameter twice in one graph returns the same node.
// If the model replaces p (Model.Replace), it returns the substitute's node.
func (b *Builder) Param(p *Param) (*G.Node, error) {
	if p == nil {
		return nil, fmt.Errorf("graph: Builder.Param: nil parameter")
	}
	if sub, ok := b.m.substitutes[p]; ok && !b.substituting[p] {
		return b.substitute(p, sub)
	}
	if n, ok := b.params[p]; ok {
		return n, nil
	}
	if err := b.m.register(p); err != nil {
		return nil, err
	}
	if b.names[p.name] {
		return nil, fmt.Errorf("graph: parameter %s has the name of an input of the graph; rename it", p.name)
	}
	b.names[p.name] = true
	n := G.NewTensor(b.g, b.m.dtype, len(p.shape), G.WithShape(p.shape...), G.WithName(p.name), G.WithValue(p.value))
	b.params[p] = n
	b.learn = append(b.learn, n)
	return n, nil
}

// Input adds a named input node of the given shape (empty for a scalar) that
// the caller fills with Graph.SetInput before running.
func (b *Builder) Input(name string, shape ...int) (*G.Node, error) {
	if name == "" {
		return nil, fmt.Errorf("graph: an input needs a name")
	}
	if b.names[name] || strings.HasPrefix(name, NoisePrefix) {
		return nil, fmt.Errorf("graph: input %q: the graph has a node of that name already, or it starts with %q", name, NoisePrefix)
	}
	if len(shape) > 0 {
		if err := checkShape("input "+name, shape); err != nil {
			return nil, err
		}
	}
	in, err := b.newInput(name, shape)
	if err != nil {
		return nil, err
	}
	b.inputs[name] = in
	return in.node, nil
}

// CheckInput adds a check that Graph.SetInput (and SetX, and so Predict)
// runs on the values of the input node n before storing them: a layer
// whose op cannot take some values (an embedding's indices must be whole
// numbers in range) rejects them with an error before anything runs. It
// reports whether n is an input of the graph; for any other node it does
// nothing and returns false.
func (b *Builder) CheckInput(n *G.Node, check func(values []float64) error) bool {
	if n == nil || check == nil {
		return false
	}
	for _, in := range b.inputs {
		if in.node == n {
			in.checks = append(in.checks, check)
			return true
		}
	}
	return false
}

// NoisePrefix starts the node name of every noise input, keeping noise apart
// from parameters (whose names may not start with it) and other inputs.
const NoisePrefix = "noise/"

// Noise adds an input node of the given shape that Graph.Run fills with
// fresh draws of kind from the model's seeded generator before every run,
// and with zeros while the model is frozen. Names are made unique by suffix;
// Bayesian layers name their noise after the posterior it perturbs.
func (b *Builder) Noise(name string, kind NoiseKind, shape ...int) (*G.Node, error) {
	if kind != Gaussian && kind != Rademacher {
		return nil, fmt.Errorf("graph: noise %q: unknown kind %v", name, kind)
	}
	if err := checkShape("noise "+name, shape); err != nil {
		return nil, err
	}
	unique := NoisePrefix + name
	for i := 1; b.names[unique]; i++ {
		unique = fmt.Sprintf("%s%s_%d", NoisePrefix, name, i)
	}
	in, err := b.newInput(unique, shape)
	if err != nil {
		return nil, err
	}
	in.kind = kind
	b.inputs[unique] = in
	b.noise = append(b.noise, in)
	return in.node, nil
}

func (b *Builder) newInput(name string, shape []int) (*input, error) {
	b.names[name] = true
	if len(shape) == 0 {
		// A scalar node takes a scalar value, set by SetInput.
		n := G.NewScalar(b.g, b.m.dtype, G.WithName(name))
		return &input{name: name, node: n, buf: newDense(b.m.dtype, []int{1})}, nil
	}
	buf := newDense(b.m.dtype, shape)
	n := G.NewTensor(b.g, b.m.dtype, len(shape), G.WithShape(shape...), G.WithName(name))
	if err := G.Let(n, buf); err != nil {
		return nil, fmt.Errorf("graph: input %s: %w", name, err)
	}
	return &input{name: name, node: n, buf: buf}, nil
}

// AddKL adds kl, a scalar node, to the graph's KL accumulator; count is the
// number of weights the term covers (for per-weight means).
// A posterior's KL is added once per graph, however often its sample is used.
func (b *Builder) AddKL(kl *G.Node, count int) error {
	if kl == nil {
		return fmt.Errorf("graph: AddKL: nil node")
	}
	if !kl.IsScalar() {
		return fmt.Errorf("graph: AddKL: the KL node %s has shape %v, want a scalar", kl.Name(), kl.Shape())
	}
	if count <= 0 {
		return fmt.Errorf("graph: AddKL: count is %d, want > 0", count)
	}
	b.kls = append(b.kls, kl)
	b.klCount += count
	return nil
}

// WantsKL reports whether the graph uses KL terms. Prediction graphs built
// by Model.Predict do not, and layers skip building them there: computing
// the KL of every weight costs as much as a layer's forward pass.
func (b *Builder) WantsKL() bool { return !b.skipKL }

// Predicting reports whether the graph is one of Model.Predict's: one
// weight draw per pass, outputs only. Layers whose training estimator
// samples per example (local reparameterisation, Flipout) sample their
// weights here instead: each example's predictive distribution is the
// same, a pass is one network, and it costs one matrix product, not two.
func (b *Builder) Predicting() bool { return b.skipKL }

// Marginal reports whether the graph is one of Model.PredictMarginal's
// (Predicting is then true too): only each example's predictive
// distribution must be right, not the joint distribution of one pass over
// several examples. A dense layer fed the data (see IsX) may then sample
// its pre-activations per example from moments it computes once for all
// passes, since the data is the same on every pass.
func (b *Builder) Marginal() bool { return b.marginal }

// IsX reports whether n is the network's input node x, the data: in a
// prediction graph it holds the same values on every pass over a chunk.
// A graph differentiates its parameters only, so bayesnodes' layers build
// no gradient for x: G.Grad with respect to x (for saliency, say) needs a
// network of plain Gorgonia ops at its input.
func (b *Builder) IsX(n *G.Node) bool {
	x, ok := b.inputs[XName]
	return ok && n != nil && x.node == n
}

// KLCount returns the number of weights whose KL has been
// added so far.
func (b *Builder) KLCount() int { return b.klCount }

// Watch records a scalar node whose value Graph.Value returns after each run.
func (b *Builder) Watch(name string, n *G.Node) error {
	if n == nil || !n.IsScalar() {
		return fmt.Errorf("graph: Watch %q: want a scalar node", name)
	}
	if _, dup := b.watched[name]; dup {
		return fmt.Errorf("graph: Watch %q: name used twice", name)
	}
	w := &watched{node: n}
	G.Read(n, &w.val)
	b.watched[name] = w
	return nil
}

// Scalar returns a constant of the builder's dtype.
func (b *Builder) Scalar(v float64) *G.Node {
	if b.m.dtype == tensor.Float32 {
		return G.NewConstant(float32(v))
	}
	return G.NewConstant(v)
}

// klSum returns the KL accumulator: the sum of every term added, or nil.
func (b *Builder) klSum() (*G.Node, error) {
	if len(b.kls) == 0 {
		return nil, nil
	}
	sum := b.kls[0]
	for _, k := range b.kls[1:] {
		var err error
		if sum, err = G.Add(sum, k); err != nil {
			return nil, fmt.Errorf("graph: KL accumulator: %w", err)
		}
	}
	return sum, nil
}

// Once returns the node built for key in this graph, building it with fn on
// first request. Layers use it so that a posterior applied twice in one
// graph (shared weights, or every step of a sequence) is sampled once and
// its KL counted once.
func (b *Builder) Once(key any, fn func() (*G.Node, error)) (*G.Node, error) {
	if fn == nil {
		return nil, fmt.Errorf("graph: Builder.Once(%v): nil build function", key)
	}
	if b.once == nil {
		b.once = map[any]*G.Node{}
	}
	if n, ok := b.once[key]; ok {
		return n, nil
	}
	n, err := fn()
	if err != nil {
		return nil, err
	}
	b.once[key] = n
	return n, nil
}

// Built reports whether Once has built key's node in this graph.
func (b *Builder) Built(key any) bool {
	_, ok := b.once[key]
	return ok
}
