package graph

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
)

// Substitute builds the node that stands in for a parameter in a graph, for
// example a weight sampled from a posterior whose mean started at the
// parameter's values. It may call b.Param on the parameter it replaces and
// then gets that parameter's own node.
type Substitute func(b *Builder) (*G.Node, error)

// substituteKey keys a parameter's substitute among a graph's Once nodes.
type substituteKey struct{ p *Param }

// Replace makes every graph built from m afterwards use the node sub builds
// wherever its network asks Builder.Param for p, once per graph: the
// network's code does not change. p must be a parameter of the model (one
// its network has used: build a graph, or call InitParams, first). A nil sub
// removes the replacement. Graphs already built keep what they were built
// with; the model drops its cached prediction graphs, and a trainer must be
// made anew.
func (m *Model) Replace(p *Param, sub Substitute) error {
	if err := m.usable("Replace"); err != nil {
		return err
	}
	if p == nil {
		return fmt.Errorf("graph: Replace: nil parameter")
	}
	if m.names[p.name] != p {
		return fmt.Errorf("graph: Replace: %s is not a parameter of the model (its parameters exist once a graph is built: call InitParams first)", p.name)
	}
	if m.substitutes == nil {
		m.substitutes = map[*Param]Substitute{}
	}
	if sub == nil {
		delete(m.substitutes, p)
	} else {
		m.substitutes[p] = sub
	}
	m.revision++
	m.closeIdleGraphs()
	return nil
}

// Replaced reports whether graphs built from m replace p.
func (m *Model) Replaced(p *Param) bool {
	_, ok := m.substitutes[p]
	return ok
}

// substitute returns the node of p's substitute in this graph, building it
// on first use. Its shape must be p's, or the network's code, written for
// p, would be handed something else.
func (b *Builder) substitute(p *Param, sub Substitute) (*G.Node, error) {
	return b.Once(substituteKey{p}, func() (*G.Node, error) {
		if b.substituting == nil {
			b.substituting = map[*Param]bool{}
		}
		b.substituting[p] = true
		defer delete(b.substituting, p)
		n, err := sub(b)
		if err != nil {
			return nil, fmt.Errorf("graph: substitute of %s: %w", p.name, err)
		}
		if n == nil {
			return nil, fmt.Errorf("graph: substitute of %s: nil node", p.name)
		}
		if got := []int(n.Shape()); !slices.Equal(got, p.shape) {
			return nil, fmt.Errorf("graph: substitute of %s has shape %v, the parameter %v", p.name, got, p.shape)
		}
		if n.Dtype() != b.m.dtype {
			return nil, fmt.Errorf("graph: substitute of %s has dtype %v, the model computes in %v", p.name, n.Dtype(), b.m.dtype)
		}
		return n, nil
	})
}
