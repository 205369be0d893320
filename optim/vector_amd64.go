package optim

import "golang.org/x/sys/cpu"

// vectorBytes is the width of the registers the update kernels' assembly
// (adam_avx512_amd64.s, adam_avx2_amd64.s) uses: 64 with AVX-512, 32 with
// AVX2, 0 for neither, where the Go kernels do all the work. A variable,
// so that tests can run each kernel the CPU has.
var vectorBytes = func() int {
	// golang.org/x/sys/cpu reports AVX2 and AVX-512F only where the OS
	// saves the YMM (and ZMM and opmask) registers.
	switch {
	case cpu.X86.HasAVX512F:
		return 64
	case cpu.X86.HasAVX2:
		return 32
	}
	return 0
}()
