//go:build race

package gemm

// raceEnabled: the race detector makes sync.Pool drop buffers at random
// and the reference products ten times slower.
const raceEnabled = true
