package philox

import "math"

// Standard normal values come from Box-Muller (Box and Muller 1958) on
// each pair of uniforms: r = sqrt(-2 ln u) and an angle of a turn give
// r cos and r sin, two independent standard normals. Unlike rejection
// methods (the ziggurat, Marsaglia's polar method) it takes a fixed number
// of uniforms per value, so a value's position fixes its block.
//
// A block is two 64-bit uniforms, so it gives two values. Float32 values
// are the float64 values rounded: a float32 and a float64 model of one
// seed draw the same noise, which is what lets float32 runs be checked
// against float64 ones. 32-bit uniforms (four values a block) would be
// enough for a float32's 24-bit significand, but would save only the
// Philox half of the work and lose that agreement.
//
// The radius uniform is u = (n + 1/2) 2^-52 for the top 52 bits n of its
// word: exact in a float64, never 0 or 1, so ln u is finite and below 0,
// and the largest radius is sqrt(2 * 53 ln 2) = 8.57 (a standard normal
// passes it once in 10^17 draws). The angle is the other word's 64 bits as
// a fraction of a turn.

// Normal fills dst with the standard normal values at positions pos,
// pos+1, ... of s: block b holds positions 2b and 2b+1.
func Normal[T float32 | float64](dst []T, s *Stream, pos int) {
	b := uint32(pos / 2)
	var z [4]float64 // a partial first or last pair of blocks
	if pos%2 == 1 && len(dst) > 0 {
		x01, x23, _, _ := s.Words2(b)
		_, z[1] = pair(x01, x23)
		dst[0] = T(z[1])
		dst, b = dst[1:], b+1
	}
	if haveWide {
		n := len(dst) / 32 * 32
		normalsWide(dst[:n], s, b)
		dst, b = dst[n:], b+uint32(n/2)
	}
	if haveVector {
		var z [16]float64
		for len(dst) >= 16 {
			normals16(s, b, &z)
			for i, v := range z {
				dst[i] = T(v)
			}
			dst, b = dst[16:], b+8
		}
	}
	for len(dst) >= 4 {
		x01, x23, y01, y23 := s.Words2(b)
		z0, z1 := pair(x01, x23)
		z2, z3 := pair(y01, y23)
		dst[0], dst[1], dst[2], dst[3] = T(z0), T(z1), T(z2), T(z3)
		dst, b = dst[4:], b+2
	}
	if len(dst) > 0 {
		x01, x23, y01, y23 := s.Words2(b)
		z[0], z[1] = pair(x01, x23)
		z[2], z[3] = pair(y01, y23)
		for i := range dst {
			dst[i] = T(z[i])
		}
	}
}

// pair is Box-Muller on a block's two 64-bit words: the radius from the
// first, the angle from the second.
func pair(radius, angle uint64) (float64, float64) {
	// Through int64, which converts in one instruction: radius>>12 fits.
	u := (float64(int64(radius>>12)) + 0.5) * 0x1p-52
	r := math.Sqrt(-2 * logPositive(u))
	c, s := sincosTurn(angle)
	return r * c, r * s
}
