package scoring

import (
	"fmt"
	"math"
)

// Defaults of a Scorer.
const (
	DefaultSamples = 100
	DefaultLevel   = 0.9
)

// Option configures a Scorer (New) or one call (Score).
type Option func(*config) error

type config struct {
	parallel  int
	samples   int
	seed      uint64
	quantiles []float64
	level     float64
}

// Samples sets the number of Monte-Carlo passes (default DefaultSamples).
func Samples(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("scoring: Samples(%d): want at least 1", n)
		}
		c.samples = n
		return nil
	}
}

// Parallel sets how many calls of a Scorer may run their passes at once
// (default 1; an option of New only). The others wait their turn. A pass
// of a large network is bound by memory traffic and its matrix products
// already use every core, so on the 2-core machine this was measured on,
// two MNIST-MLP calls at once took 1.5 to 1.8 times as long per call in
// all as one at a time; more may pay on machines with more cores and
// cache.
func Parallel(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("scoring: Parallel(%d): want at least 1", n)
		}
		c.parallel = n
		return nil
	}
}

// Seed sets the seed the passes' weights are drawn from (default 1).
func Seed(seed uint64) Option {
	return func(c *config) error { c.seed = seed; return nil }
}

// Quantiles asks a regression's results for these quantiles of the
// Monte-Carlo predictions of each output (none by default).
func Quantiles(probs ...float64) Option {
	return func(c *config) error {
		for _, p := range probs {
			if !(p >= 0 && p <= 1) {
				return fmt.Errorf("scoring: Quantiles: %v is not a probability", p)
			}
		}
		c.quantiles = append([]float64(nil), probs...)
		return nil
	}
}

// Level sets the coverage of a regression's central interval (default
// DefaultLevel). A conformal calibration in the Spec fixes its own level.
func Level(level float64) Option {
	return func(c *config) error {
		if !(level > 0 && level < 1) || math.IsNaN(level) {
			return fmt.Errorf("scoring: Level(%v): want a value in (0, 1)", level)
		}
		c.level = level
		return nil
	}
}

func (c config) with(opts []Option) (config, error) {
	c.quantiles = append([]float64(nil), c.quantiles...)
	for _, o := range opts {
		if o == nil {
			return c, fmt.Errorf("scoring: nil option")
		}
		if err := o(&c); err != nil {
			return c, err
		}
	}
	return c, nil
}
