package gemm

// axpyf32 sets y[i] += alpha·x[i] for i < len(x).
//
//go:noescape
func axpyf32(alpha float32, x, y []float32)

// dotf32 returns Σ x[i]·y[i] over i < len(x).
//
//go:noescape
func dotf32(x, y []float32) float32

// axpyf64 sets y[i] += alpha·x[i] for i < len(x).
//
//go:noescape
func axpyf64(alpha float64, x, y []float64)

// dotf64 returns Σ x[i]·y[i] over i < len(x).
//
//go:noescape
func dotf64(x, y []float64) float64

// scalf32 sets y[i] = alpha·x[i] for i < len(x).
//
//go:noescape
func scalf32(alpha float32, x, y []float32)

// scalf64 sets y[i] = alpha·x[i] for i < len(x).
//
//go:noescape
func scalf64(alpha float64, x, y []float64)
