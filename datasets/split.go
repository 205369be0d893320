package datasets

import (
	"fmt"
	"math"
)

// Split shuffles the examples of d with a generator seeded by seed and
// returns the last round(valFraction * Len()) of them as val and the rest
// as train, both copies (see [Dataset.Subset]) in the shuffled order. The
// same seed gives the same split.
//
// valFraction must lie in (0, 1) and leave at least one example on each
// side.
func (d *Dataset) Split(valFraction float64, seed uint64) (train, val Dataset, err error) {
	if err := d.checkShape(); err != nil {
		return Dataset{}, Dataset{}, err
	}
	if !(valFraction > 0 && valFraction < 1) {
		return Dataset{}, Dataset{}, fmt.Errorf("datasets: Split: valFraction %v outside (0, 1)", valFraction)
	}
	n := d.Len()
	nVal := int(math.Round(valFraction * float64(n)))
	if nVal == 0 || nVal == n {
		return Dataset{}, Dataset{}, fmt.Errorf("datasets: Split: valFraction %v of %d examples gives %d for validation and %d for training; both need at least 1",
			valFraction, n, nVal, n-nVal)
	}
	perm := newRand(seed).Perm(n)
	if train, err = d.Subset(perm[:n-nVal]); err != nil {
		return Dataset{}, Dataset{}, err
	}
	if val, err = d.Subset(perm[n-nVal:]); err != nil {
		return Dataset{}, Dataset{}, err
	}
	return train, val, nil
}
