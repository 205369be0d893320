package datasets

import "math/rand/v2"

// newRand returns the generator behind every seeded function of the
// package: a PCG whose state is derived from seed alone, so that the same
// seed gives the same numbers on every run and every platform.
func newRand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, pcgStream))
}

// pcgStream is the second PCG seed word: a fixed odd constant (the
// 64-bit golden ratio) that only has to stay the same between releases.
const pcgStream = 0x9e3779b97f4a7c15
