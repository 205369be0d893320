package datasets

import (
	"fmt"
	"math"
)

// An Option changes how [Sine], [Cubic] or [Moons] draws its data. A
// function given an option that does not apply to it returns an error
// rather than ignoring it; when an option is given twice, the last wins.
type Option func(*synthConfig)

// synthConfig is what the options set, and which of them were given.
type synthConfig struct {
	lo, hi  float64
	noise   float64
	uniform bool

	rangeSet, noiseSet, uniformSet bool
}

// Range draws x from [lo, hi] instead of the default [-3, 3] ([Sine] and
// [Cubic] only). Both bounds must be finite, with lo < hi.
func Range(lo, hi float64) Option {
	return func(c *synthConfig) { c.lo, c.hi, c.rangeSet = lo, hi, true }
}

// Noise sets the standard deviation of the Gaussian noise added to each
// target ([Sine], [Cubic]) or to each coordinate ([Moons]). It must be
// finite and at least 0; 0 gives noise-free data.
func Noise(sd float64) Option {
	return func(c *synthConfig) { c.noise, c.noiseSet = sd, true }
}

// UniformX draws each x independently and uniformly from [lo, hi) of the
// range, in the order drawn, instead of placing the n points on an evenly
// spaced grid ([Sine] and [Cubic] only).
func UniformX() Option {
	return func(c *synthConfig) { c.uniform, c.uniformSet = true, true }
}

// maxSyntheticLen bounds n for the synthetic sets, so that a mistyped n
// gets an error instead of an attempt to allocate terabytes.
const maxSyntheticLen = 1 << 27

// newSynthConfig applies opts to the defaults of the function name and
// checks n and the result. curve says whether name draws a curve y = f(x),
// to which Range and UniformX apply.
func newSynthConfig(name string, n int, noise float64, curve bool, opts []Option) (synthConfig, error) {
	c := synthConfig{lo: -3, hi: 3, noise: noise}
	for _, o := range opts {
		if o == nil {
			return c, fmt.Errorf("datasets: %s: nil Option", name)
		}
		o(&c)
	}
	switch {
	case n < 1:
		return c, fmt.Errorf("datasets: %s: n = %d, want at least 1", name, n)
	case n > maxSyntheticLen:
		return c, fmt.Errorf("datasets: %s: n = %d, more than the limit of %d", name, n, maxSyntheticLen)
	case !curve && c.rangeSet:
		return c, fmt.Errorf("datasets: %s: the Range option does not apply to %s", name, name)
	case !curve && c.uniformSet:
		return c, fmt.Errorf("datasets: %s: the UniformX option does not apply to %s", name, name)
	case !isFinite(c.lo) || !isFinite(c.hi):
		return c, fmt.Errorf("datasets: %s: Range(%v, %v): bounds must be finite", name, c.lo, c.hi)
	case !(c.lo < c.hi):
		return c, fmt.Errorf("datasets: %s: Range(%v, %v): lo must be below hi", name, c.lo, c.hi)
	case !isFinite(c.hi - c.lo):
		return c, fmt.Errorf("datasets: %s: Range(%v, %v): hi - lo overflows float64", name, c.lo, c.hi)
	case !(c.noise >= 0) || math.IsInf(c.noise, 1):
		return c, fmt.Errorf("datasets: %s: Noise(%v): standard deviation must be finite and at least 0", name, c.noise)
	}
	return c, nil
}

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
