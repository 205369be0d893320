package philox

import (
	"math"
	"testing"
)

// The known-answer vectors of Random123 1.14 (D. E. Shaw Research,
// github.com/DEShawResearch/random123, tests/kat_vectors at commit
// 9545ff6413f258be2f04c1d319d99aaef7521150): counter, key and the block,
// for 10 rounds and, to pin the round count, for 7.
var kat = []struct {
	rounds int
	ctr    [4]uint32
	key    [2]uint32
	want   [4]uint32
}{
	{10, [4]uint32{0, 0, 0, 0}, [2]uint32{0, 0}, [4]uint32{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
	{10, [4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [4]uint32{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
	{10, [4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0}, [4]uint32{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
	{7, [4]uint32{0, 0, 0, 0}, [2]uint32{0, 0}, [4]uint32{0x5f6fb709, 0x0d893f64, 0x4f121f81, 0x4f730a48}},
	{7, [4]uint32{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, [2]uint32{0xffffffff, 0xffffffff}, [4]uint32{0x5207ddc2, 0x45165e59, 0x4d8ee751, 0x8c52f662}},
	{7, [4]uint32{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, [2]uint32{0xa4093822, 0x299f31d0}, [4]uint32{0x4dfccaba, 0x190a87f0, 0xc47362ba, 0xb6b5242a}},
}

func TestKnownAnswers(t *testing.T) {
	for _, v := range kat {
		if got := block(v.ctr, v.key, v.rounds); got != v.want {
			t.Errorf("Philox4x32-%d(ctr %08x, key %08x) = %08x, want %08x", v.rounds, v.ctr, v.key, got, v.want)
		}
		if v.rounds == Rounds {
			s := Stream{Key: v.key, Ctr: [3]uint32{v.ctr[1], v.ctr[2], v.ctr[3]}}
			if got := s.Block(v.ctr[0]); got != v.want {
				t.Errorf("Stream.Block(%08x) = %08x, want %08x", v.ctr[0], got, v.want)
			}
			want01, want23 := uint64(v.want[0])<<32|uint64(v.want[1]), uint64(v.want[2])<<32|uint64(v.want[3])
			if x01, x23, _, _ := s.Words2(v.ctr[0]); x01 != want01 || x23 != want23 {
				t.Errorf("Stream.Words2(%08x) = %016x %016x, want %016x %016x", v.ctr[0], x01, x23, want01, want23)
			}
			if _, _, y01, y23 := s.Words2(v.ctr[0] - 1); y01 != want01 || y23 != want23 {
				t.Errorf("Stream.Words2(%08x) second block %016x %016x, want %016x %016x", v.ctr[0]-1, y01, y23, want01, want23)
			}
		}
	}
}

// TestPositions checks that a fill starting anywhere gives the values of
// one fill from position 0: a value depends on its position only.
func TestPositions(t *testing.T) {
	s := Stream{Key: [2]uint32{7, 9}, Ctr: [3]uint32{1, 2, 3}}
	const n = 1000
	w64, w32 := make([]float64, n), make([]float32, n)
	r64, r32 := make([]float64, n), make([]float32, n)
	Normal(w64, &s, 0)
	Normal(w32, &s, 0)
	Signs(r64, &s, 0)
	Signs(r32, &s, 0)
	for _, lo := range []int{0, 1, 2, 3, 5, 127, 128, 129, 500} {
		for _, hi := range []int{lo, lo + 1, lo + 2, lo + 3, lo + 7, lo + 200, n} {
			if hi > n {
				continue
			}
			g64, g32 := make([]float64, hi-lo), make([]float32, hi-lo)
			h64, h32 := make([]float64, hi-lo), make([]float32, hi-lo)
			Normal(g64, &s, lo)
			Normal(g32, &s, lo)
			Signs(h64, &s, lo)
			Signs(h32, &s, lo)
			for i := range g64 {
				if g64[i] != w64[lo+i] || g32[i] != w32[lo+i] || h64[i] != r64[lo+i] || h32[i] != r32[lo+i] {
					t.Fatalf("fill [%d, %d): position %d differs from the whole fill", lo, hi, lo+i)
				}
			}
		}
	}
	for i := range r64 {
		if float32(r64[i]) != r32[i] || math.Abs(r64[i]) != 1 {
			t.Fatalf("sign %d: %v in float64, %v in float32", i, r64[i], r32[i])
		}
		if float32(w64[i]) != w32[i] {
			t.Fatalf("normal %d: %v in float64, %v in float32, want it rounded", i, w64[i], w32[i])
		}
	}
}
