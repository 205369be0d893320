package bayesnodes

import (
	"github.com/gorgonia-bnn/bnn/internal/opkit"
	"github.com/gorgonia-bnn/bnn/internal/parallel"
)

// cores runs an elementwise op's kernel over ranges of its output on every
// core (parallel.For), allocating nothing per run: the method value
// handed to parallel.For is made once, with the op. Each element's value
// does not depend on the split, so the results are those of one core bit
// for bit. A cores value belongs to one op value (see opkit: an op runs in
// one graph at a time).
type cores[T opkit.Float] struct {
	kernel func(a *opkit.Args[T], lo, hi int)
	args   *opkit.Args[T] // the run's arguments, set while it runs
	part   func(lo, hi int)
}

func newCores[T opkit.Float](kernel func(a *opkit.Args[T], lo, hi int)) *cores[T] {
	c := &cores[T]{kernel: kernel}
	c.part = c.run
	return c
}

func (c *cores[T]) run(lo, hi int) { c.kernel(c.args, lo, hi) }

// each runs the kernel over a.Out's elements.
func (c *cores[T]) each(a *opkit.Args[T]) {
	c.args = a
	parallel.For(len(a.Out), c.part)
	c.args = nil
}
