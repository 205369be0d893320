package cpufeature

var hasAVX2FMA, hasAVX512F = detect()

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

// detect reads CPUID and XCR0: AVX2 and FMA need the OS to save the YMM
// registers, AVX-512F also the ZMM and opmask registers.
func detect() (avx2FMA, avx512F bool) {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false, false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false, false
	}
	xcr0, _ := xgetbv()
	if xcr0&xcr0YMM != xcr0YMM {
		return false, false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const (
		avx2    = 1 << 5
		avx512f = 1 << 16
	)
	if ebx7&avx2 == 0 {
		return false, false
	}
	return true, xcr0&xcr0ZMM == xcr0ZMM && ebx7&avx512f != 0
}
