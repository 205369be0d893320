package signs

import "testing"

// The kernels on the MNIST MLP's first Flipout input, 128 digits of 784
// pixels, with each kernel the CPU has.
func BenchmarkMul(b *testing.B) {
	a, s := operands(128*784, 1, false)
	d := make([]float32, len(a))
	detected := vectorLanes
	defer func() { vectorLanes = detected }()
	for _, n := range []int{16, 8, 0} {
		if n > detected {
			continue
		}
		vectorLanes = n
		b.Run(map[int]string{16: "avx512", 8: "avx2", 0: "go"}[n], func(b *testing.B) {
			for b.Loop() {
				Mul(d, a, s)
			}
		})
	}
}
