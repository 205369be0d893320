package signs

import "github.com/gorgonia-bnn/bnn/internal/cpuvec"

// vectorLanes is how many float32 lanes a register of the assembly holds:
// 16 with AVX-512, 8 with AVX2 and FMA, 0 without either. A variable, so that
// tests can run each kernel the CPU has.
var vectorLanes = 2 * cpuvec.Lanes

// mulF32 runs Mul's bulk in assembly and returns how many elements it
// took.
func mulF32(d, a, s []float32) int {
	bulk := bulkOf(len(s))
	switch {
	case bulk == 0:
	case vectorLanes == 16:
		mulAVX512(&d[0], &a[0], &s[0], bulk)
	default:
		mulAVX2(&d[0], &a[0], &s[0], bulk)
	}
	return bulk
}

// addMulF32 runs AddMul's bulk in assembly and returns how many elements
// it took.
func addMulF32(y, p, s []float32) int {
	bulk := bulkOf(len(s))
	switch {
	case bulk == 0:
	case vectorLanes == 16:
		addMulAVX512(&y[0], &p[0], &s[0], bulk)
	default:
		addMulAVX2(&y[0], &p[0], &s[0], bulk)
	}
	return bulk
}

// bulkOf returns the elements of n the assembly takes: whole registers.
func bulkOf(n int) int {
	if vectorLanes == 0 {
		return 0
	}
	return n &^ (vectorLanes - 1)
}

//go:noescape
func mulAVX512(d, a, s *float32, n int)

//go:noescape
func mulAVX2(d, a, s *float32, n int)

//go:noescape
func addMulAVX512(y, p, s *float32, n int)

//go:noescape
func addMulAVX2(y, p, s *float32, n int)
