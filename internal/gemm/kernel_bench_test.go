package gemm

import "testing"

// BenchmarkKernel runs the micro-kernels on L1-resident panels: the
// ceiling the blocked products approach.
func BenchmarkKernel(b *testing.B) {
	const k = 256
	for _, ks := range supported {
		b.Run(ks.name+"/f32", func(b *testing.B) { benchmarkKernel(b, ks.f32, k) })
		b.Run(ks.name+"/f64", func(b *testing.B) { benchmarkKernel(b, ks.f64, k) })
	}
}

func benchmarkKernel[T float](b *testing.B, p *plan[T], k int) {
	a, bp, c := make([]T, p.mr*k), make([]T, p.nr*k), make([]T, p.mr*p.nr)
	for b.Loop() {
		p.kernel(k, &a[0], &bp[0], &c[0], p.nr, p.nr, 1, 1)
	}
	b.ReportMetric(2*float64(p.mr*p.nr*k*b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
