package graph

import (
	"errors"
	"fmt"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// RunParallel runs each graph once, concurrently, one goroutine per graph.
// The graphs must come from one model (they share its parameters, which no
// one may change meanwhile). Their noise is drawn first, in order, from the
// model's generator, exactly as running them one after another would draw
// it, so the outputs and gradients are those of sequential runs; graphs
// whose noise was set by hand keep it. This is how a training step spreads
// its Monte-Carlo samples over cores: one graph per sample, and the
// gradients gathered with AddGradients.
func RunParallel(gs ...*Graph) error {
	for i, g := range gs {
		if g == nil {
			return fmt.Errorf("graph: RunParallel: graph %d is nil", i)
		}
		if g.m != gs[0].m {
			return fmt.Errorf("graph: RunParallel: graph %d belongs to another model", i)
		}
		for j := range i {
			if gs[j] == g {
				return fmt.Errorf("graph: RunParallel: graphs %d and %d are the same graph, which cannot run twice at once", j, i)
			}
		}
	}
	for _, g := range gs {
		if !g.noiseFixed() {
			g.Resample()
		}
	}
	errs := make([]error, len(gs))
	var wg sync.WaitGroup
	for i, g := range gs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = g.Execute()
			g.releaseNoise()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// noiseFixed reports whether some noise input was set by hand for the next
// run.
func (g *Graph) noiseFixed() bool {
	for _, in := range g.b.noise {
		if in.fixed {
			return true
		}
	}
	return false
}

// releaseNoise returns hand-set noise to fresh draws for later runs.
func (g *Graph) releaseNoise() {
	for _, in := range g.b.noise {
		in.fixed = false
	}
}

// AddGradients adds src's parameter gradients to g's and zeroes src's: after
// RunParallel, it gathers every graph's gradients into the one a solver
// steps. Both graphs must be trainable graphs of one model with the same
// parameters in the same order (graphs built by one network are).
func (g *Graph) AddGradients(src *Graph) error {
	if g == nil || src == nil {
		return errors.New("graph: AddGradients: nil graph")
	}
	if g == src {
		return errors.New("graph: AddGradients: a graph cannot add its own gradients")
	}
	if g.m != src.m {
		return errors.New("graph: AddGradients: the graphs belong to different models")
	}
	if len(g.b.learn) != len(src.b.learn) {
		return fmt.Errorf("graph: AddGradients: %d parameters against %d", len(g.b.learn), len(src.b.learn))
	}
	// Everything is checked first, so an error leaves both graphs as they
	// were; the second pass looks the gradients up again rather than
	// keeping them, so that a training step allocates nothing here.
	for i, n := range g.b.learn {
		if n.Name() != src.b.learn[i].Name() {
			return fmt.Errorf("graph: AddGradients: parameter %d is %s in one graph and %s in the other", i, n.Name(), src.b.learn[i].Name())
		}
		dst, err := gradOf(n)
		if err != nil {
			return err
		}
		from, err := gradOf(src.b.learn[i])
		if err != nil {
			return err
		}
		if dst.Dtype() != from.Dtype() || dst.Shape().TotalSize() != from.Shape().TotalSize() {
			return fmt.Errorf("graph: AddGradients: gradients of %s differ in dtype or size", n.Name())
		}
	}
	for i, n := range g.b.learn {
		dst, _ := gradOf(n)
		from, _ := gradOf(src.b.learn[i])
		switch d := dst.Data().(type) {
		case []float64:
			for j, v := range from.Data().([]float64) {
				d[j] += v
			}
		case []float32:
			for j, v := range from.Data().([]float32) {
				d[j] += v
			}
		}
		from.Zero()
	}
	return nil
}

func gradOf(n *G.Node) (*tensor.Dense, error) {
	gv, err := n.Grad()
	if err != nil {
		return nil, fmt.Errorf("graph: gradient of %s: %w", n.Name(), err)
	}
	d, ok := gv.(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("graph: gradient of %s is a %T, not a dense tensor", n.Name(), gv)
	}
	return d, nil
}
