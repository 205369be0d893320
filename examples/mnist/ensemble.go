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
	cp, err := predictive(e, test, evalSamples)
	if err != nil {
		return nil, err
	}
	f := &ensembleStats{Members: len(e.Models)}
	var cal uncertainty.Calibration
	if f.Accuracy, f.NLL, cal, err = scores(cp, test.Labels); err != nil {
		return nil, err
	}
	f.ECE = cal.ECE
	if ood != nil {
		s, err := scoreOOD(e, test, ood, oodSamples)
		if err != nil {
			return nil, err
		}
		f.OODAUROC, f.OODAUROCMI = &s.byEntropy, &s.byMI
	}
	if f.Members < 2 {
		return nil, fmt.Errorf("-ensemble %d: want at least 2 members", c.ensemble)
	}
	return f, nil
}
