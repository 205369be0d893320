package graph

import (
	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/internal/opkit"
)

// A prediction call runs its graphs pass after pass with the same data and
// parameters: only the noise changes. A memoised op (opkit.Memoised: the
// first layer's moments, softplus(rho)) would compare its inputs, megabytes
// of them, on every pass to find that out. Instead a prediction graph
// binds each memoised op whose inputs are steady, computed from data
// inputs, parameters and constants alone, to an epoch of its own
// (opkit.Epoch), and the call advances it where the data is set: once per
// chunk. The op then compares its inputs on a chunk's first pass only, so
// whatever changed the parameters between two calls (a training step, a
// checkpoint, a write into a parameter's tensor) is still seen: nothing
// can change them while a call runs (see Model's concurrency rules).

// steadyEpoch returns the epoch of g's steady memoised ops, binding them
// on first use. Only the prediction methods run g (prediction graphs
// never leave the model), so nothing else can change its data inputs
// between two of their Advances.
func (g *Graph) steadyEpoch() *opkit.Epoch {
	if g.steady != nil {
		return g.steady
	}
	g.steady = new(opkit.Epoch)
	noise := make(map[*G.Node]bool, len(g.b.noise))
	for _, in := range g.b.noise {
		noise[in.node] = true
	}
	steady := make(map[*G.Node]bool)
	for _, n := range g.b.g.AllNodes() {
		op, ok := n.Op().(interface{ Vouch(*opkit.Epoch) bool })
		if ok && steadyInputs(g.b.g, n, noise, steady) {
			op.Vouch(g.steady)
		}
	}
	return g.steady
}

// steadyInputs reports whether every input of n is steady: the same bits
// on every run while the graph's data inputs and parameters are
// unchanged. A node is steady unless it is a noise input, an op of no
// inputs that is not a constant (Gorgonia's random nodes), or computed
// from a node that is not steady; ops are functions of their inputs.
// known holds the nodes already judged.
func steadyInputs(g *G.ExprGraph, n *G.Node, noise, known map[*G.Node]bool) bool {
	for it := g.From(n.ID()); it.Next(); {
		if !isSteady(g, it.Node().(*G.Node), noise, known) {
			return false
		}
	}
	return true
}

func isSteady(g *G.ExprGraph, n *G.Node, noise, known map[*G.Node]bool) bool {
	if s, ok := known[n]; ok {
		return s
	}
	var s bool
	op := n.Op()
	_, constant := op.(interface{ Value() G.Value }) // Gorgonia's constants
	switch {
	case op == nil: // an input: data or a parameter, or noise
		s = !noise[n]
	case constant:
		s = true
	case op.Arity() == 0: // a random node
		s = false
	default:
		s = steadyInputs(g, n, noise, known)
	}
	known[n] = s
	return s
}
