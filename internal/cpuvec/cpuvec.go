// Package cpuvec says which vector kernels this CPU runs, for every
// package with amd64 assembly kernels (gemm, optim's solvers, philox,
// softplus, samplekl, signs, sigtanh, elementwise), so that they all
// decide alike, and runs a test or benchmark under each of them.
package cpuvec

// Lanes is how many float64 lanes a register of the widest kernel holds:
// 8 with AVX-512, 4 with AVX2 and FMA, 0 without either (and off amd64).
// golang.org/x/sys/cpu reports AVX2 and AVX-512F only where the OS saves
// the YMM (and ZMM and opmask) registers.
var Lanes = lanes()

// Each sets *width to each kernel the CPU has, widest first, and last to
// 0 (the Go loops), calls run with the kernel's name ("avx512", "avx2",
// "go"), and then restores *width. A package's width counts its own
// lanes: unit per float64 lane (2 for float32 lanes).
func Each(width *int, unit int, run func(name string)) {
	detected := *width
	defer func() { *width = detected }()
	for _, l := range []int{8, 4, 0} {
		if l*unit > detected {
			continue
		}
		*width = l * unit
		run(map[int]string{8: "avx512", 4: "avx2", 0: "go"}[l])
	}
}

// Splat sets each dst[i] to vs[i] in all eight lanes: the form in which
// the kernels take their constants (a ZMM register's worth; the AVX2
// kernels read the first four). pkg names the caller in the panic that a
// mismatch of the two lengths, a programming error, raises at start-up.
func Splat[E float64 | uint64](pkg string, dst [][8]E, vs []E) {
	if len(vs) != len(dst) {
		panic(pkg + ": the constant count does not match the constants")
	}
	for i, x := range vs {
		for j := range dst[i] {
			dst[i][j] = x
		}
	}
}
