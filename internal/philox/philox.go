// Package philox is the library's source of noise: Philox4x32-10, the
// counter-based generator of Salmon, Moraes, Dror and Shaw ("Parallel
// random numbers: as easy as 1, 2, 3", SC 2011), and the maps from its
// blocks to standard normal and Rademacher values.
//
// A counter-based generator has no state to advance: block b of a stream
// is a pure function of the key and the counter. The value at position i
// of a stream is therefore the same whichever goroutine computes it and
// whatever was drawn before, so a buffer can be filled on every core, in
// any split, with the same bits as on one.
package philox

// The round multipliers and the key schedule's Weyl increments (the
// golden ratio and sqrt(3) - 1 in 32-bit fixed point), from the paper.
const (
	m0 = 0xD2511F53
	m1 = 0xCD9E8D57
	w0 = 0x9E3779B9
	w1 = 0xBB67AE85
)

// Rounds is the number of rounds of Philox4x32-10, the smallest count the
// authors found to pass TestU01's BigCrush with a margin (7 already pass).
const Rounds = 10

// Block returns the Philox4x32-10 block of counter ctr under key.
func Block(ctr [4]uint32, key [2]uint32) [4]uint32 {
	return block(ctr, key, Rounds)
}

// block is Philox4x32 with the given number of rounds; tests use fewer to
// show that a weakened generator is caught.
func block(c [4]uint32, k [2]uint32, rounds int) [4]uint32 {
	c0, c1, c2, c3, k0, k1 := c[0], c[1], c[2], c[3], k[0], k[1]
	for range rounds {
		c0, c1, c2, c3 = round(c0, c1, c2, c3, k0, k1)
		k0 += w0 // the bump after the last round is never used
		k1 += w1
	}
	return [4]uint32{c0, c1, c2, c3}
}

// round is one Philox round: two 32x32-bit products, their high halves
// mixed with the other words and the round key.
func round(c0, c1, c2, c3, k0, k1 uint32) (uint32, uint32, uint32, uint32) {
	p0 := uint64(m0) * uint64(c0)
	p1 := uint64(m1) * uint64(c2)
	return uint32(p1>>32) ^ c1 ^ k0, uint32(p1), uint32(p0>>32) ^ c3 ^ k1, uint32(p0)
}

// Stream is one sequence of blocks: a key and three words of the counter
// are fixed, and the counter's first word numbers the blocks. A stream
// holds 2^32 blocks, so at least 2^33 values of any kind.
type Stream struct {
	Key [2]uint32
	Ctr [3]uint32 // the counter's words 1 to 3
}

// Block returns block b of the stream.
func (s *Stream) Block(b uint32) [4]uint32 {
	return block([4]uint32{b, s.Ctr[0], s.Ctr[1], s.Ctr[2]}, s.Key, Rounds)
}

// Words2 returns blocks b and b+1 of the stream, each as two 64-bit words
// (the block's words 0 and 1, and 2 and 3, high word first): scalars, so
// they stay in registers, where arrays would pass through memory. A
// round's products wait on the previous round's, so one block at a time
// leaves the multiplier idle most of the time: two interleaved take little
// longer than one.
func (s *Stream) Words2(b uint32) (x01, x23, y01, y23 uint64) {
	x0, x1, x2, x3 := b, s.Ctr[0], s.Ctr[1], s.Ctr[2]
	y0, y1, y2, y3 := b+1, x1, x2, x3
	k0, k1 := s.Key[0], s.Key[1]
	for range Rounds {
		x0, x1, x2, x3 = round(x0, x1, x2, x3, k0, k1)
		y0, y1, y2, y3 = round(y0, y1, y2, y3, k0, k1)
		k0 += w0
		k1 += w1
	}
	return uint64(x0)<<32 | uint64(x1), uint64(x2)<<32 | uint64(x3), uint64(y0)<<32 | uint64(y1), uint64(y2)<<32 | uint64(y3)
}
