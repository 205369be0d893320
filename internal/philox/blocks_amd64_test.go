package philox

import (
	"math"
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
