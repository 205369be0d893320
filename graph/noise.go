package graph

import (
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// noiseDraw says how one run fills a graph's noise inputs: with zeros
// (mean weights), in order from one generator (rng), or, under a per-call
// seed (PredictSeed), row by row from streams of their own, so that what a
// row of a noise input holds depends on the seed, the pass, the chunk and
// the row's index, never on how many values were drawn before it.
type noiseDraw struct {
	frozen bool
	rng    *rand.Rand // sequential draws; nil for per-row streams

	pass  uint64 // per-row streams: the pass's seed
	chunk uint64 // and the chunk (0 for all chunks of a Predict pass)
	pcg   *rand.PCG
	row   *rand.Rand // over pcg, reseeded for every row
}

// rowStream is the PCG stream of row r of noise input k in chunk c. A row
// of a noise input is one slice along its first dimension: one example of
// a per-example input, one output unit of a weight's noise. Weight noise
// thus replays across the chunks of a Predict pass, and an example's draws
// do not depend on the other examples in its batch.
func rowStream(k int, c uint64, r int) uint64 {
	return uint64(k)<<48 ^ c<<32 ^ uint64(r)
}

// Resample fills every noise input with fresh draws from the model's noise
// generator, or with zeros while the model is frozen.
func (g *Graph) Resample() {
	g.resample(&noiseDraw{frozen: g.m.frozen, rng: g.m.noiseRNG})
}

func (g *Graph) resample(d *noiseDraw) {
	for k, in := range g.b.noise {
		in.fixed = false
		// By dtype rather than a switch on Data(), which boxes the
		// slice: an allocation per noise input and run.
		if in.buf.Dtype() == tensor.Float64 {
			fillNoise(in.buf.Float64s(), k, in, d)
		} else {
			fillNoise(in.buf.Float32s(), k, in, d)
		}
	}
}

// fillNoise fills dst, noise input k's values, as d says.
func fillNoise[T float32 | float64](dst []T, k int, in *input, d *noiseDraw) {
	switch {
	case d.frozen:
		clear(dst)
	case d.rng != nil:
		draw(dst, in.kind, d.rng)
	default:
		rows := 1
		if shape := in.buf.Shape(); len(shape) > 0 && in.node.Dims() > 0 {
			rows = shape[0]
		}
		width := len(dst) / rows
		for r := range rows {
			d.pcg.Seed(d.pass, rowStream(k, d.chunk, r))
			draw(dst[r*width:(r+1)*width], in.kind, d.row)
		}
	}
}

// draw fills dst with independent draws of kind from rng.
func draw[T float32 | float64](dst []T, kind NoiseKind, rng *rand.Rand) {
	if kind == Rademacher {
		for i := range dst {
			dst[i] = T(1 - 2*int(rng.Uint64()&1))
		}
		return
	}
	for i := range dst {
		dst[i] = T(rng.NormFloat64())
	}
}
