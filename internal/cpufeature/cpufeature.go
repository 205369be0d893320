// Package cpufeature reports which vector instruction sets the CPU has and
// the operating system supports, so that packages with assembly kernels
// (internal/gemm, bayesnodes' softplus) can choose them at run time and
// fall back to Go elsewhere. The answers are computed once, at start-up.
package cpufeature

// AVX2FMA reports whether the CPU has AVX2 and FMA and the OS saves the
// YMM registers.
func AVX2FMA() bool { return hasAVX2FMA }

// AVX512F reports whether, on top of AVX2 and FMA, the CPU has AVX-512F
// and the OS saves the ZMM and opmask registers.
func AVX512F() bool { return hasAVX512F }
