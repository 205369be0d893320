package prune

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
)

// Count is how many of a tensor's weights are kept.
type Count struct {
	Name        string
	Kept, Total int
}

// Compression returns Total / Kept (+Inf when nothing is kept).
func (c Count) Compression() float64 { return float64(c.Total) / float64(c.Kept) }

// Summary counts kept weights per tensor and overall.
type Summary struct {
	Tensors []Count
	Count   // over every tensor; Name is empty
}

// Summarize applies Keep to each posterior and counts what is kept.
func Summarize(posts []bayesnodes.Posterior, threshold float64) (Summary, error) {
	if len(posts) == 0 {
		return Summary{}, errors.New("prune: Summarize: no posteriors")
	}
	var s Summary
	for _, p := range posts {
		keep, err := Keep(p, threshold)
		if err != nil {
			return Summary{}, err
		}
		c := Count{Name: p.Name(), Total: len(keep)}
		for _, k := range keep {
			if k {
				c.Kept++
			}
		}
		s.Tensors = append(s.Tensors, c)
		s.Kept += c.Kept
		s.Total += c.Total
	}
	return s, nil
}

// String lists each tensor's kept weights and the total.
func (s Summary) String() string {
	var b strings.Builder
	for _, c := range s.Tensors {
		fmt.Fprintf(&b, "%-20s %8d / %8d kept (%.1fx)\n", c.Name, c.Kept, c.Total, c.Compression())
	}
	fmt.Fprintf(&b, "%-20s %8d / %8d kept (%.1fx)", "total", s.Kept, s.Total, s.Compression())
	return b.String()
}
