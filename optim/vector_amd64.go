package optim

import "github.com/gorgonia-bnn/bnn/internal/cpuvec"

// vectorBytes is the width of the registers the update kernels' assembly
// (adam_avx512_amd64.s, adam_avx2_amd64.s) uses: 64 with AVX-512, 32 with
// AVX2, 0 for neither, where the Go kernels do all the work. A variable,
// so that tests can run each kernel the CPU has.
var vectorBytes = 8 * cpuvec.Lanes
