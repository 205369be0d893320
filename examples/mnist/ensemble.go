package main

import (
	"context"
	"fmt"

	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/ensemble"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// ensembleStats are the test figures of a deep ensemble of -ensemble
// networks, the example's own network and others seeded seed + 1000 i,
// reported beside the single network's.
type ensembleStats struct {
	Members    int      `json:"ensemble_members"`
	Accuracy   float64  `json:"ensemble_accuracy"`
	NLL        float64  `json:"ensemble_nll"`
	ECE        float64  `json:"ensemble_ece"`
	OODAUROC   *float64 `json:"ensemble_ood_auroc,omitempty"`
	OODAUROCMI *float64 `json:"ensemble_ood_auroc_mi,omitempty"`
}

// evaluateEnsemble trains c.ensemble - 1 more networks like first (in
// parallel where cores allow), pools their predictions with first's and
// scores the pool as evaluate scores one network: each member gives
// eval-samples passes (ood-samples for the out-of-distribution scores),
// one if deterministic.
func evaluateEnsemble(ctx context.Context, c config, first *graph.Model, test, ood *datasets.Dataset) (*ensembleStats, error) {
	seeds := make([]uint64, c.ensemble-1)
	for i := range seeds {
		seeds[i] = c.seed + 1000*uint64(i+1)
	}
	others, err := ensemble.Train(ctx, seeds, func(ctx context.Context, seed uint64) (*graph.Model, error) {
		var m *graph.Model
		mc := c
		mc.seed, mc.ensemble, mc.ood, mc.out = seed, 0, "", ""
		mc.member = func(trained *graph.Model) { m = trained }
		if _, err := run(ctx, mc); err != nil {
			return nil, err
		}
		return m, nil
	})
	if err != nil {
		return nil, err
	}
	e := &ensemble.Ensemble{Models: append([]*graph.Model{first}, others.Models...), Seeds: append([]uint64{c.seed}, seeds...)}
	evalSamples, oodSamples := c.evalSamples, c.oodSamples
	if c.deterministic {
		evalSamples, oodSamples = 1, 1
	}
	pool := func(d *datasets.Dataset, samples int) (*uncertainty.ClassPredictive, error) {
		p, err := e.PredictMarginal(d.X, samples)
		if err != nil {
			return nil, err
		}
		return uncertainty.FromLogits(p.Samples, p.N, p.Width)
	}
	cp, err := pool(test, evalSamples)
	if err != nil {
		return nil, err
	}
	f := &ensembleStats{Members: len(e.Models)}
	if f.Accuracy, err = cp.Accuracy(test.Labels); err != nil {
		return nil, err
	}
	if f.NLL, err = cp.NLL(test.Labels); err != nil {
		return nil, err
	}
	cal, err := cp.Calibration(test.Labels, 15)
	if err != nil {
		return nil, err
	}
	f.ECE = cal.ECE
	if ood != nil {
		icp, err := pool(test, oodSamples)
		if err != nil {
			return nil, err
		}
		ocp, err := pool(ood, oodSamples)
		if err != nil {
			return nil, err
		}
		byEntropy, err := uncertainty.OODAUROC(icp.Entropy(), ocp.Entropy())
		if err != nil {
			return nil, err
		}
		byMI, err := uncertainty.OODAUROC(icp.MutualInformation(), ocp.MutualInformation())
		if err != nil {
			return nil, err
		}
		f.OODAUROC, f.OODAUROCMI = &byEntropy, &byMI
	}
	if f.Members < 2 {
		return nil, fmt.Errorf("-ensemble %d: want at least 2 members", c.ensemble)
	}
	return f, nil
}
