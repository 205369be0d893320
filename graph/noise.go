package graph

import (
	"github.com/gorgonia-bnn/bnn/internal/parallel"
	"github.com/gorgonia-bnn/bnn/internal/philox"
)

// Noise is counter-based (internal/philox): the value at position i of a
// graph's noise input k in one run is a pure function of the run's key,
// the run, k and i. A run of the model (Run, Resample, a pass of Predict
// without PredictSeed) is keyed by the model's noise seed and numbered by
// its run counter, which every draw advances by one. Under PredictSeed a
// run is keyed by the call's seed and numbered by its pass and chunk,
// in streams of their own, apart from the model's runs of the same seed.
//
// A position is an index into the input's values in row-major order, and
// a row of a noise input (one example of a per-example input, one output
// unit of a weight's noise) has a width that does not depend on the batch:
// an example's draws depend on its index, never on how many examples share
// its batch, and weight noise is the same in graphs of any batch size.

// noiseDraw says how one run fills a graph's noise inputs: with zeros
// (mean weights), or from the Philox streams of run number run of key.
type noiseDraw struct {
	frozen bool
	key    uint64
	run    uint64
	seeded bool // PredictSeed: run is pass<<32 | chunk
}

// stream returns noise input k's stream in the run d draws.
func (d *noiseDraw) stream(k int) philox.Stream {
	c := uint32(k) // a graph has far fewer than 2^31 noise inputs
	if d.seeded {
		c |= 1 << 31
	}
	return philox.Stream{
		Key: [2]uint32{uint32(d.key), uint32(d.key >> 32)},
		Ctr: [3]uint32{c, uint32(d.run), uint32(d.run >> 32)},
	}
}

// noiseFill fills all of a graph's noise inputs in one parallel loop over
// their values laid end to end, each input starting at a multiple of
// fillBlock so that every range the loop hands a core starts on a Philox
// block of the input it falls in. It is made once per graph, so drawing a
// run allocates nothing.
type noiseFill struct {
	draw   noiseDraw
	starts []int // where input k starts in the loop, then the loop's end
	f64    [][]float64
	f32    [][]float32
	kinds  []NoiseKind
	ranges func(lo, hi int) // fill, as a method value made once
}

// fillBlock is a multiple of the values per Philox block of every kind
// (two float64 normals, four float32 normals, 128 signs).
const fillBlock = 128

// Resample fills every noise input with the draws of the model's next run,
// or with zeros while the model is frozen (which draws no run).
func (g *Graph) Resample() {
	g.resample(g.m.nextDraw())
}

func (g *Graph) resample(d noiseDraw) {
	for _, in := range g.b.noise {
		in.fixed = false
	}
	f := g.noiseFill()
	f.draw = d
	parallel.ForBlocks(f.starts[len(f.starts)-1], fillBlock, f.ranges)
}

// noiseFill returns the graph's filler, making it on first use.
func (g *Graph) noiseFill() *noiseFill {
	if g.noise != nil {
		return g.noise
	}
	f := &noiseFill{starts: make([]int, 1, len(g.b.noise)+1)}
	end := 0
	for _, in := range g.b.noise {
		n := in.buf.Shape().TotalSize()
		if in.buf.Dtype() == Float64 {
			f.f64 = append(f.f64, in.buf.Float64s())
			f.f32 = append(f.f32, nil)
		} else {
			f.f64 = append(f.f64, nil)
			f.f32 = append(f.f32, in.buf.Float32s())
		}
		f.kinds = append(f.kinds, in.kind)
		end += (n + fillBlock - 1) / fillBlock * fillBlock
		f.starts = append(f.starts, end)
	}
	f.ranges = f.fill
	g.noise = f
	return f
}

// fill fills the values that fall in [lo, hi) of the loop.
func (f *noiseFill) fill(lo, hi int) {
	for k, kind := range f.kinds {
		start, end := f.starts[k], f.starts[k+1]
		if end <= lo || start >= hi {
			continue
		}
		a, b := max(lo, start)-start, min(hi, end)-start
		if f.f64[k] != nil {
			fillRange(f.f64[k], a, b, kind, &f.draw, k)
		} else {
			fillRange(f.f32[k], a, b, kind, &f.draw, k)
		}
	}
}

// fillRange fills positions [a, b) of noise input k's values (clipped to
// len(values): the loop pads inputs to whole blocks) as d says.
func fillRange[T float32 | float64](values []T, a, b int, kind NoiseKind, d *noiseDraw, k int) {
	dst := values[min(a, len(values)):min(b, len(values))]
	s := d.stream(k) // on the stack: once per range
	switch {
	case d.frozen:
		clear(dst)
	case kind == Rademacher:
		philox.Signs(dst, &s, a)
	default:
		philox.Normal(dst, &s, a)
	}
}
