package main

import (
	"fmt"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/graph"
)

// moments accumulates, per parameter value, the sum and sum of squares of
// the gradients of successive runs of a graph.
type moments struct {
	n        int
	sum, sq  [][]float64
	isRho    []bool
	learners []G.ValueGrad
}

func newMoments(g *graph.Graph) *moments {
	m := &moments{learners: g.Learnables()}
	for _, l := range m.learners {
		size := l.Value().Shape().TotalSize()
		m.sum = append(m.sum, make([]float64, size))
		m.sq = append(m.sq, make([]float64, size))
		name := ""
		if n, ok := l.(interface{ Name() string }); ok {
			name = n.Name()
		}
		m.isRho = append(m.isRho, strings.HasSuffix(name, ".rho"))
	}
	return m
}

// add reads the gradients of g's last run and zeroes them: Gorgonia adds
// the gradients of successive runs.
func (m *moments) add(g *graph.Graph) error {
	for i, l := range m.learners {
		gv, err := l.Grad()
		if err != nil {
			return err
		}
		d, ok := gv.(*tensor.Dense)
		if !ok {
			return fmt.Errorf("gradient of parameter %d is a %T", i, gv)
		}
		sum, sq := m.sum[i], m.sq[i]
		switch data := d.Data().(type) {
		case []float32:
			for j, v := range data {
				sum[j] += float64(v)
				sq[j] += float64(v) * float64(v)
			}
		case []float64:
			for j, v := range data {
				sum[j] += v
				sq[j] += v * v
			}
		default:
			return fmt.Errorf("gradient of parameter %d holds %T", i, data)
		}
		d.Zero()
	}
	m.n++
	return nil
}

// variances returns the mean over values of the unbiased variance of their
// gradients, for the mus (and biases' mus) and for the rhos.
func (m *moments) variances() (mu, rho float64) {
	var nMu, nRho int
	n := float64(m.n)
	for i := range m.sum {
		var total float64
		for j, s := range m.sum[i] {
			mean := s / n
			total += (m.sq[i][j] - n*mean*mean) / (n - 1)
		}
		if m.isRho[i] {
			rho += total
			nRho += len(m.sum[i])
		} else {
			mu += total
			nMu += len(m.sum[i])
		}
	}
	return mu / float64(nMu), rho / float64(nRho)
}
