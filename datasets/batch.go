package datasets

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Batches returns the example indices of one epoch, cut into batches of
// size indices. The order is a permutation drawn from rng, or 0, 1, ...,
// Len()-1 when rng is nil. Every example appears exactly once: when size
// does not divide Len(), the last batch is shorter, not dropped.
//
// The batches share one backing array, each capped at its own length, so
// appending to one does not overwrite the next. It is an error for size to
// be below 1, for d to be malformed (see [Dataset.Validate]) or to hold no
// examples.
func (d *Dataset) Batches(size int, rng *rand.Rand) ([][]int, error) {
	if err := d.checkShape(); err != nil {
		return nil, err
	}
	if size < 1 {
		return nil, fmt.Errorf("datasets: Batches: size %d, want at least 1", size)
	}
	n := d.Len()
	if n == 0 {
		return nil, errors.New("datasets: Batches: empty dataset")
	}
	var order []int
	if rng != nil {
		order = rng.Perm(n)
	} else {
		order = make([]int, n)
		for i := range order {
			order[i] = i
		}
	}
	batches := make([][]int, 0, (n-1)/size+1)
	for lo := 0; lo < n; lo += size {
		hi := min(lo+size, n)
		batches = append(batches, order[lo:hi:hi])
	}
	return batches, nil
}
