package philox

import "math"

// Standard normal values come from Box-Muller (Box and Muller 1958) on
// each pair of uniforms: r = sqrt(-2 ln u) and an angle 2 pi a give
// r cos and r sin, two independent standard normals. Unlike rejection
// methods (the ziggurat, Marsaglia's polar method) it takes a fixed number
// of uniforms per value, so a value's position fixes its block.
//
// Float64 values take two 64-bit uniforms a pair, so a block gives two
// (the radius uses 52 bits of its uniform: plus a half, that is exact in
// a float64, so it is never 0 or 1);
// float32 values take two 32-bit uniforms a pair, so a block gives four.
// Thirty-two bits are enough for a float32: its significand has 24, and
// the smallest radius uniform, 2^-33, still reaches 6.8 standard
// deviations, beyond which a draw falls once in 10^11. It also halves the
// Philox work per value. The arithmetic is float64 in both cases, with
// float32 results rounded once at the end.

// Normal fills dst with the standard normal values at positions pos,
// pos+1, ... of s: Normal64's for float64, Normal32's for float32.
func Normal[T float32 | float64](dst []T, s *Stream, pos int) {
	switch d := any(dst).(type) {
	case []float64:
		Normal64(d, s, pos)
	case []float32:
		Normal32(d, s, pos)
	}
}

// Normal64 fills dst with the standard normal values at positions pos,
// pos+1, ... of s, two per block.
func Normal64(dst []float64, s *Stream, pos int) {
	b := uint32(pos / 2)
	if pos%2 == 1 && len(dst) > 0 {
		_, dst[0] = pair64(s.Block(b))
		dst, b = dst[1:], b+1
	}
	for len(dst) >= 2 {
		dst[0], dst[1] = pair64(s.Block(b))
		dst, b = dst[2:], b+1
	}
	if len(dst) == 1 {
		dst[0], _ = pair64(s.Block(b))
	}
}

// Normal32 fills dst with the float32 standard normal values at positions
// pos, pos+1, ... of s, four per block.
func Normal32(dst []float32, s *Stream, pos int) {
	b := uint32(pos / 4)
	if head := pos % 4; head > 0 && len(dst) > 0 {
		var q [4]float32
		quad32(&q, s.Block(b))
		n := copy(dst, q[head:])
		dst, b = dst[n:], b+1
	}
	for len(dst) >= 4 {
		quad32((*[4]float32)(dst), s.Block(b))
		dst, b = dst[4:], b+1
	}
	if len(dst) > 0 {
		var q [4]float32
		quad32(&q, s.Block(b))
		copy(dst, q[:])
	}
}

// pair64 is Box-Muller on a block read as two 64-bit uniforms.
func pair64(x [4]uint32) (float64, float64) {
	u := uint64(x[0])<<32 | uint64(x[1])
	return boxMuller(float64(u>>12)+0.5, 0x1p-52, uint64(x[2])<<32|uint64(x[3]))
}

// quad32 is Box-Muller on a block read as four 32-bit uniforms.
func quad32(dst *[4]float32, x [4]uint32) {
	z0, z1 := boxMuller(float64(x[0])+0.5, 0x1p-32, uint64(x[1])<<32)
	z2, z3 := boxMuller(float64(x[2])+0.5, 0x1p-32, uint64(x[3])<<32)
	dst[0], dst[1], dst[2], dst[3] = float32(z0), float32(z1), float32(z2), float32(z3)
}

// boxMuller returns r cos(2 pi a/2^64) and r sin(2 pi a/2^64), where r =
// sqrt(-2 ln(n scale)). The caller's n is a whole number plus a half, so
// n scale lies strictly inside (0, 1): its logarithm is finite and below
// zero. The angle is reduced exactly, in integers, to the nearest quarter
// turn q and a remainder within an eighth of a turn, where math.Sincos is
// at its most accurate and has nothing left to reduce.
func boxMuller(n, scale float64, a uint64) (float64, float64) {
	r := math.Sqrt(-2 * math.Log(n*scale))
	q := (a + 1<<61) >> 62 // the nearest quarter turn, modulo 4
	d := int64(a - q<<62)  // the rest, in [-2^61, 2^61)
	s, c := math.Sincos(float64(d) * (math.Pi / 2 * 0x1p-62))
	switch q {
	case 1:
		c, s = -s, c
	case 2:
		c, s = -c, -s
	case 3:
		c, s = s, -c
	}
	return r * c, r * s
}
