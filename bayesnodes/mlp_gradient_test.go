package bayesnodes_test

import (
	"testing"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
)

// TestMLPWithBiasGradients checks, by finite differences in float64, the
// gradients through the fused bias add and ReLU of a two-hidden-layer MLP
// with biases: every weight and bias posterior's mu and rho.
func TestMLPWithBiasGradients(t *testing.T) {
	m, err := bayesnodes.NewMLP([]int{3, 6, 4, 2}, bayesnodes.WithName("net"))
	if err != nil {
		t.Fatal(err)
	}
	// A wider step than checkGradients': the loss includes the KL of 84
	// weights, whose rounding would otherwise swamp the smallest
	// gradients' differences.
	checkGradientsStep(t, m.Apply, []int{3}, 5, nil, 1e-5, 1e-4).Close()
}
