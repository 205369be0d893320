package bayesnodes_test

import (
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
)

func init() { conformanceRunners["gru"] = checkGRUCase }

// checkGRUCase runs a torch.nn.GRU vector. torch's weights are [3H, in]
// and [3H, H] (W x); the layer's are their transposes (x W), so the
// reference weights and their eps are transposed before loading.
func checkGRUCase(t *testing.T, c *goldenCase, dt dtypeTol) {
	in, hidden := int(c.Config["in_features"].(float64)), int(c.Config["hidden"].(float64))
	if order := c.Config["gate_order"]; order != "r,z,n" {
		t.Fatalf("gate order %v, the layer has r,z,n", order)
	}
	if layout, _ := c.Config["layout"].(string); !strings.Contains(layout, "W@x") {
		t.Fatalf("layout %q, want torch's W@x", layout)
	}
	l, err := bayesnodes.NewGRU(in, hidden, bayesnodes.WithPrior(goldenPrior(t, c.Prior)))
	if err != nil {
		t.Fatal(err)
	}
	ours := *c
	ours.Params, ours.Eps = map[string]goldenTensor{}, map[string]goldenTensor{}
	for k, v := range c.Params {
		ours.Params[k] = v
	}
	for k, v := range c.Eps {
		ours.Eps[k] = v
	}
	for _, w := range []string{"weight_ih", "weight_hh"} {
		ours.Params[w+"_mu"] = transposed(t, c.Params[w+"_mu"])
		ours.Params[w+"_rho"] = transposed(t, c.Params[w+"_rho"])
		ours.Eps[w] = transposed(t, c.Eps[w])
	}
	pp := posteriorParts{"weight_ih": l.WeightIH, "weight_hh": l.WeightHH, "bias_ih": l.BiasIH, "bias_hh": l.BiasHH}
	runLayerCase(t, &ours, dt, pp, l.Apply)
}

// transposed returns the transpose of a matrix.
func transposed(t *testing.T, m goldenTensor) goldenTensor {
	t.Helper()
	if len(m.Shape) != 2 || len(m.Data) != m.Shape[0]*m.Shape[1] {
		t.Fatalf("want a matrix, got shape %v with %d values", m.Shape, len(m.Data))
	}
	r, c := m.Shape[0], m.Shape[1]
	out := goldenTensor{Shape: []int{c, r}, Data: make([]float64, len(m.Data))}
	for i := range r {
		for j := range c {
			out.Data[j*r+i] = m.Data[i*c+j]
		}
	}
	return out
}
