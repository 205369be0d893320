package philox

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBlocks8 checks the vector kernels against the scalar code, blocks8
// against Block (the counter wrapping past 2^32 included) and normals16
// against pair, bit for bit, and that Normal gives the same bits with and
// without them.
func TestBlocks8(t *testing.T) {
	vectorKernel := haveVector
	defer func() { haveVector = vectorKernel }()
	if !vectorKernel {
		t.Log("no AVX2 and FMA on this CPU: Normal's scalar path alone is checked")
	}
	streams := []Stream{{}, {Key: [2]uint32{0xffffffff, 0xffffffff}, Ctr: [3]uint32{0xffffffff, 0xffffffff, 0xffffffff}}, {Key: [2]uint32{7, 9}, Ctr: [3]uint32{1, 2, 3}}}
	for _, s := range streams {
		for _, b := range []uint32{0, 1, 1000, math.MaxUint32 - 3} {
			if !vectorKernel {
				break
			}
			var w [4][8]uint32
			blocks8(&s, b, &w)
			var z [16]float64
			normals16(&s, b, &z)
			for l := range uint32(8) {
				want := s.Block(b + l)
				if got := [4]uint32{w[0][l], w[1][l], w[2][l], w[3][l]}; got != want {
					t.Errorf("stream %v: blocks8(%d) lane %d = %08x, want %08x", s, b, l, got, want)
				}
				z0, z1 := pair(uint64(want[0])<<32|uint64(want[1]), uint64(want[2])<<32|uint64(want[3]))
				if math.Float64bits(z[2*l]) != math.Float64bits(z0) || math.Float64bits(z[2*l+1]) != math.Float64bits(z1) {
					t.Errorf("stream %v: normals16(%d) block %d = %v %v, want pair's %v %v", s, b, l, z[2*l], z[2*l+1], z0, z1)
				}
			}
		}
		haveVector = vectorKernel
		vector := make([]float64, 1001)
		Normal(vector, &s, 3)
		haveVector = false
		scalar := make([]float64, 1001)
		Normal(scalar, &s, 3)
		for i := range scalar {
			if math.Float64bits(scalar[i]) != math.Float64bits(vector[i]) {
				t.Fatalf("stream %v: value %d is %v with the vector kernel, %v without", s, 3+i, vector[i], scalar[i])
			}
		}
	}
}

// TestNormalsWide checks the AVX-512 kernels against the AVX2 and scalar
// paths bit for bit, in both dtypes, at offsets and lengths that start
// and end inside a group, and across the wrap of the block counter.
func TestNormalsWide(t *testing.T) {
	wide, vector := haveWide, haveVector
	defer func() { haveWide, haveVector = wide, vector }()
	if !wide {
		t.Skip("no AVX-512 on this CPU: TestBlocks8 checks the paths it has")
	}
	streams := []Stream{{}, {Key: [2]uint32{0xffffffff, 0xffffffff}, Ctr: [3]uint32{0xffffffff, 0xffffffff, 0xffffffff}}, {Key: [2]uint32{7, 9}, Ctr: [3]uint32{1, 2, 3}}}
	// Random streams too: the kernels fold the stream's words into their
	// first rounds.
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100 {
		streams = append(streams, Stream{Key: [2]uint32{rng.Uint32(), rng.Uint32()}, Ctr: [3]uint32{rng.Uint32(), rng.Uint32(), rng.Uint32()}})
	}
	for _, s := range streams {
		for _, pos := range []int{0, 1, 6, 2*math.MaxUint32 - 40} {
			for _, n := range []int{31, 32, 33, 64, 100, 1001} {
				var got, want [3][]float64
				var got32, want32 [3][]float32
				for i, path := range []struct{ wide, vector bool }{{true, true}, {false, true}, {false, false}} {
					haveWide, haveVector = path.wide && wide, path.vector && vector
					got[i], got32[i] = make([]float64, n), make([]float32, n)
					Normal(got[i], &s, pos)
					Normal(got32[i], &s, pos)
				}
				want, want32 = got, got32
				for i := 1; i < 3; i++ {
					for j := range n {
						if math.Float64bits(want[0][j]) != math.Float64bits(want[i][j]) {
							t.Fatalf("stream %v, %d values from %d: float64 value %d is %v with AVX-512, %v on path %d", s, n, pos, j, want[0][j], want[i][j], i)
						}
						if math.Float32bits(want32[0][j]) != math.Float32bits(want32[i][j]) {
							t.Fatalf("stream %v, %d values from %d: float32 value %d is %v with AVX-512, %v on path %d", s, n, pos, j, want32[0][j], want32[i][j], i)
						}
					}
				}
			}
		}
	}
}

// TestTransformWide checks the AVX-512 Box-Muller against pair bit for
// bit on millions of words: random ones, radius words at and about every
// boundary between logTable's centres in every octave of the uniform, and
// angle words at and about every boundary of turnTable's.
func TestTransformWide(t *testing.T) {
	if !haveWide {
		t.Skip("no AVX-512 on this CPU: TestBlocks8 checks the paths it has")
	}
	var radii, angles []uint64
	for s := range uint(53) {
		for i := range uint64(129) {
			for _, d := range []uint64{0, 1, 2, 1<<44 - 1, 1 << 44, 1<<44 + 1, 1<<45 - 1} {
				// The uniform's 53 bits, 1 and then the mantissa, are
				// the radius word's top 52 and a half, shifted down s.
				n := (1<<52 | (i<<45+d)&(1<<52-1)) >> (s + 1)
				radii = append(radii, n<<12, n<<12|1<<11, n<<12|(1<<12-1))
			}
		}
	}
	for j := range uint64(256) {
		for _, d := range []uint64{0, 1, 1<<55 - 1, 1 << 55, 1<<55 + 1, math.MaxUint64, math.MaxUint64 - 1<<55 + 1} {
			angles = append(angles, j<<56+d)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	n := 1 << 22
	if testing.Short() {
		n = 1 << 16
	}
	for len(radii) < n {
		radii = append(radii, rng.Uint64()>>rng.IntN(64))
	}
	for len(angles) < len(radii) {
		angles = append(angles, rng.Uint64())
	}
	rng.Shuffle(len(angles), func(i, j int) { angles[i], angles[j] = angles[j], angles[i] })
	var w [2][8]uint64
	var z [2][8]float64
	for i := 0; i+8 <= len(radii); i += 8 {
		copy(w[0][:], radii[i:])
		copy(w[1][:], angles[i:])
		transformWide(&w, &z, &pairConsts, &wideTables)
		for l := range 8 {
			c, s := pair(w[0][l], w[1][l])
			if math.Float64bits(z[0][l]) != math.Float64bits(c) || math.Float64bits(z[1][l]) != math.Float64bits(s) {
				t.Fatalf("words %#x %#x: %v %v, want pair's %v %v", w[0][l], w[1][l], z[0][l], z[1][l], c, s)
			}
		}
	}
}
