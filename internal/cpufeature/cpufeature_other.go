//go:build !amd64

package cpufeature

// Other architectures run the Go code.
const hasAVX2FMA, hasAVX512F = false, false
