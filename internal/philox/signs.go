package philox

// Signs fills dst with the Rademacher values (-1 or +1, each with
// probability 1/2) at positions pos, pos+1, ... of s: value i is bit i mod
// 32 of word (i mod 128)/32 of block i/128, 1 giving -1. The same positions
// give the same signs in float32 and float64.
func Signs[T float32 | float64](dst []T, s *Stream, pos int) {
	for len(dst) > 0 {
		x := s.Block(uint32(pos / 128))
		j := pos % 128
		n := min(len(dst), 128-j)
		for i := range dst[:n] {
			bit := x[(j+i)>>5] >> ((j + i) & 31) & 1
			dst[i] = 1 - 2*T(bit)
		}
		dst, pos = dst[n:], pos+n
	}
}
