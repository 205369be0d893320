package signs

import (
	"testing"

	"github.com/gorgonia-bnn/bnn/internal/cpuvec"
)

// The kernels on the MNIST MLP's first Flipout input, 128 digits of 784
// pixels, with each kernel the CPU has.
func BenchmarkMul(b *testing.B) {
	a, s := operands(128*784, 1, false)
	d := make([]float32, len(a))
	cpuvec.Each(&vectorLanes, 2, func(name string) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				Mul(d, a, s)
			}
		})
	})
}
