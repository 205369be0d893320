package philox

import (
	"math"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
)

// haveVector says whether the CPU runs the vector kernels (AVX2 and FMA).
// A variable, so that tests can run the scalar path too.
var haveVector = cpuvec.Lanes >= 4

// haveWide says whether the CPU also runs the AVX-512 kernels. A
// variable, so that tests can run the AVX2 path too.
var haveWide = cpuvec.Lanes >= 8

// normalsWide64 sets dst[0:32*groups] to the normals at positions 2b on
// of the stream keys was made from: pair's floating-point operations, in
// its order, on eight lanes, and Philox on sixteen, in a loop of 16 blocks
// a group, storing straight into dst.
//
//go:noescape
func normalsWide64(keys *wideKeys, b uint32, dst *float64, groups int, k *[pairConstCount]uint64, t *splitTables)

// normalsWide32 is normalsWide64 rounded to float32 as Go rounds.
//
//go:noescape
func normalsWide32(keys *wideKeys, b uint32, dst *float32, groups int, k *[pairConstCount]uint64, t *splitTables)

// normalsWide sets dst, whose length is a multiple of 32, to the normals
// at positions 2b on of s with the AVX-512 kernels.
func normalsWide[T float32 | float64](dst []T, s *Stream, b uint32) {
	if len(dst) == 0 {
		return
	}
	keys := newWideKeys(s)
	switch d := any(dst).(type) {
	case []float64:
		normalsWide64(&keys, b, &d[0], len(d)/32, &pairConsts, &wideTables)
	case []float32:
		normalsWide32(&keys, b, &d[0], len(d)/32, &pairConsts, &wideTables)
	}
}

// wideKeys are what the AVX-512 kernels' Philox takes from the stream: the
// first two rounds' words that are the same for every block (the counter's
// words 1 to 3 are the stream's) and the round keys of the other eight,
// each in the low half of a 64-bit word. Its offsets are the ones the
// kernels name.
type wideKeys struct {
	x0     uint64 // round 1: c3 ^ k1, xored into hi(m0 c0)
	y1, y2 uint64 // round 2: c1 ^ k0 and hi(m0 c0) ^ k1, for its c0 and c2
	d      uint64 // round 2: lo(m0 c0), its c3
	k      [Rounds - 2][2]uint64
}

func newWideKeys(s *Stream) (w wideKeys) {
	k0, k1 := s.Key[0], s.Key[1]
	// Round 1 on (b, Ctr[0], Ctr[1], Ctr[2]): its c0 and c1 come from the
	// stream's words only.
	p1 := uint64(m1) * uint64(s.Ctr[1])
	c0, c1 := uint32(p1>>32)^s.Ctr[0]^k0, uint32(p1)
	w.x0 = uint64(s.Ctr[2] ^ k1)
	k0, k1 = k0+w0, k1+w1
	// Round 2: its m0 product is of round 1's c0.
	p0 := uint64(m0) * uint64(c0)
	w.y1, w.y2, w.d = uint64(c1^k0), uint64(uint32(p0>>32)^k1), uint64(uint32(p0))
	for r := range w.k {
		k0, k1 = k0+w0, k1+w1
		w.k[r] = [2]uint64{uint64(k0), uint64(k1)}
	}
	return w
}

// splitTables holds logTable and turnTable a field to an array, so that
// the AVX-512 kernels gather each field with the table index itself as the
// gather's index (and logTable's by the index plus 1023<<7, the exponent
// bits above it, taken up in the gather's displacement), saving a shift
// per gather. Its offsets are the ones the kernels' #defines name.
type splitTables struct {
	inv, ln  [129]float64
	cos, sin [256]float64
}

var wideTables = func() (t splitTables) {
	for i, e := range logTable {
		t.inv[i], t.ln[i] = e.inv, e.ln
	}
	for j, e := range turnTable {
		t.cos[j], t.sin[j] = e.cos, e.sin
	}
	return t
}()

// transformWide sets out[0][l] and out[1][l] to pair(w[0][l], w[1][l]),
// for l < 8, by the AVX-512 kernels' Box-Muller: for the tests.
//
//go:noescape
func transformWide(w *[2][8]uint64, out *[2][8]float64, k *[pairConstCount]uint64, t *splitTables)

// blocks8 sets out[w][l] to word w of block b+l of s, for l < 8: eight
// blocks in vector registers, about three times the scalar rate.
//
//go:noescape
func blocks8(s *Stream, b uint32, out *[4][8]uint32)

// pairs8 sets out[2l] and out[2l+1] to pair's two normals from block l of
// w (as blocks8 leaves it), for l < 8: pair's operations in its order on
// four lanes at a time, so the same bits.
//
//go:noescape
func pairs8(w *[4][8]uint32, out *[16]float64, k *[pairConstCount]uint64, logT *[129]logEntry, turnT *[256]turnEntry)

// normals16 sets out to the normals at positions 2b to 2b+15 of s.
func normals16(s *Stream, b uint32, out *[16]float64) {
	var w [4][8]uint32
	blocks8(s, b, &w)
	pairs8(&w, out, &pairConsts, &logTable, &turnTable)
}

// pairConsts are pairs8's and normalsWide's constants, at the offsets its #defines name.
const pairConstCount = 28

var pairConsts = [pairConstCount]uint64{
	math.Float64bits(1), // also 1023<<52, the exponent of [1, 2)
	math.Float64bits(0x1p-53),
	1<<52 - 1,
	1023,
	1 << 44,
	63,
	math.Float64bits(-1),
	math.Float64bits(-1. / 6),
	math.Float64bits(1. / 5),
	math.Float64bits(-1. / 4),
	math.Float64bits(1. / 3),
	math.Float64bits(-1. / 2),
	0x4338000000000000, // 1.5 2^52: integers below 2^51 to float64 and back
	math.Float64bits(ln2Hi),
	math.Float64bits(ln2Lo),
	math.Float64bits(-2),
	1 << 55,
	1 << 23,
	1<<32 - 1,
	math.Float64bits(0x1p32),
	math.Float64bits(2 * math.Pi * 0x1p-64),
	math.Float64bits(-1. / 5040),
	math.Float64bits(1. / 120),
	math.Float64bits(-1. / 720),
	math.Float64bits(1. / 24),
	// normalsWide's own.
	math.Float64bits(1 - 0x1p-53),
	1023<<7 + 64,                            // logTable's index in the mantissa's bits: above it, the next octave
	math.Float64bits(2 * math.Pi * 0x1p-72), // the turn, over 2^8
}
