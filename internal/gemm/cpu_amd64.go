package gemm

// cpuid returns the registers CPUID leaves for leaf eaxArg, subleaf ecxArg.
//
//go:noescape
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// xgetbv returns XCR0, the state components the OS saves on a switch.
//
//go:noescape
func xgetbv() (eax, edx uint32)

// XCR0 bits: the OS saves SSE and AVX state, and AVX-512's opmask and
// upper ZMM registers.
const (
	xcr0YMM = 1<<1 | 1<<2
	xcr0ZMM = 1<<5 | 1<<6 | 1<<7
)

// hasAVX2FMA reports whether the CPU has AVX2 and FMA and the OS saves the
// YMM registers, so the micro-kernels can run.
func hasAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&xcr0YMM != xcr0YMM {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}

// hasAVX512 reports whether, on top of AVX2 and FMA, the CPU has AVX-512F
// and the OS saves the ZMM and opmask registers.
func hasAVX512() bool {
	if !hasAVX2FMA() {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&xcr0ZMM != xcr0ZMM {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512f = 1 << 16
	return ebx7&avx512f != 0
}
