package bayesnodes_test

import (
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
)

func init() { conformanceRunners["lstm"] = checkLSTMCase }

// checkLSTMCase runs a BLiTZ BayesianLSTM vector: the layer has BLiTZ's
// layout, so the reference tensors load as they are. The reference output
// is the hidden sequence from a zero state.
func checkLSTMCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	in, hidden := int(c.Config["in_features"].(float64)), int(c.Config["hidden"].(float64))
	if order := c.Config["gate_order"]; order != "i,f,g,o" {
		t.Fatalf("gate order %v, the layer has i,f,g,o", order)
	}
	opts := []bayesnodes.RecurrentOption{bayesnodes.WithPrior(goldenPrior(t, c.Prior))}
	if peephole, _ := c.Config["peephole"].(bool); peephole {
		opts = append(opts, bayesnodes.Peephole())
	}
	l, err := bayesnodes.NewLSTM(in, hidden, opts...)
	if err != nil {
		t.Fatal(err)
	}
	pp := posteriorParts{"weight_ih": l.WeightIH, "weight_hh": l.WeightHH, "bias": l.Bias}
	runLayerCase(t, c, dt, pp, l.Apply)
}
