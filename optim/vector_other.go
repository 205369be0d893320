//go:build !amd64

package optim

// vectorBytes is 0: there are no assembly kernels here, the Go kernels do
// all the work.
var vectorBytes = 0

func adamVector[T float32 | float64](lanes[T], *adamK[T], *laneMax[T]) (int, bool) { return 0, false }

func scanVector[T float32 | float64]([]T, []T, *laneMax[T]) (int, bool) { return 0, true }
