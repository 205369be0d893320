package main

import (
	"fmt"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/datasets"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/uncertainty"
)

// newNetwork returns the named network and the shape of its input.
func newNetwork(name string, opts ...bayesnodes.Option) (graph.Network, []int, error) {
	switch name {
	case "mlp":
		net, err := mlp(opts)
		return net, []int{784}, err
	case "lenet":
		net, err := lenet(opts)
		return net, []int{1, 28, 28}, err
	}
	return nil, nil, fmt.Errorf("unknown network %q", name)
}

// mlp is the peers' W2 network: 784-400-400-10 with ReLU, Bayesian
// throughout.
func mlp(opts []bayesnodes.Option) (graph.Network, error) {
	m, err := bayesnodes.NewMLP([]int{784, 400, 400, 10}, opts...)
	if err != nil {
		return nil, err
	}
	return m.Apply, nil
}

// spec describes the trained network for netspec, with the options that
// made it.
func spec(c config) *netspec.Spec {
	s := netspec.LeNet()
	if c.model == "mlp" {
		s = netspec.MLP(netspec.Classification, 784, 400, 400, 10)
	}
	s.Dtype = map[bool]string{false: "float32", true: "float64"}[c.float64]
	s.Estimator = c.estimator.String()
	s.Init = &netspec.Init{MuStd: c.muStd, RhoMean: c.rhoInit, RhoStd: 0.1}
	return s
}

// save writes the model and its spec to path, with an out-of-distribution
// threshold that flags the 5% of test digits of highest mutual information.
func save(path string, model *graph.Model, test *datasets.Dataset, c config) error {
	cp, err := predictive(model, test, c.oodSamples)
	if err != nil {
		return err
	}
	mi := cp.MutualInformation()
	points := make([][]float64, len(mi)) // one value per "sample": a quantile over digits
	for i := range mi {
		points[i] = mi[i : i+1]
	}
	q, err := uncertainty.Quantiles(points, 0.95)
	if err != nil {
		return err
	}
	s := spec(c)
	s.OODThreshold = q[0][0]
	return netspec.Save(path, model, s)
}
