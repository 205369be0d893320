//go:build !amd64

package elementwise

// haveVector says whether there are vector kernels: not here.
var haveVector = false

const (
	step32 = 32
	step64 = 16
)

func relu32(y, x *float32, steps int) { panic("elementwise: no vector kernels") }

func addMul32(out, a, b, c *float32, steps int) { panic("elementwise: no vector kernels") }

func addMulReLU32(out, a, b, c *float32, steps int) { panic("elementwise: no vector kernels") }

func addReLU32(out, a, b *float32, steps int) { panic("elementwise: no vector kernels") }

func relu64(y, x *float64, steps int) { panic("elementwise: no vector kernels") }

func reluGrad64(d, x, grad *float64, steps int) { panic("elementwise: no vector kernels") }

func add64(out, a, b *float64, steps int) { panic("elementwise: no vector kernels") }

func add32(out, a, b *float32, steps int) { panic("elementwise: no vector kernels") }

func reluGrad32(d, x, grad *float32, steps int) { panic("elementwise: no vector kernels") }
