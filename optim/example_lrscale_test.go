package optim_test

import (
	"fmt"
	"log"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/optim"
)

// Give the posterior widths (parameters named ....rho) ten times Adam's
// learning rate: with the same gradient, they travel ten times as far.
func ExampleLearnRateScale() {
	isRho := func(name string) bool { return strings.HasSuffix(name, ".rho") }
	solver, err := optim.NewAdam(1e-3, optim.LearnRateScale(isRho, 10))
	if err != nil {
		log.Fatal(err)
	}
	g := G.NewGraph()
	param := func(name string) *G.Node {
		return G.NewVector(g, tensor.Float64, G.WithShape(1), G.WithName(name),
			G.WithValue(tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{-4}))))
	}
	mu, rho := param("fc1.weight.mu"), param("fc1.weight.rho")
	cost := G.Must(G.Sum(G.Must(G.Add(mu, rho)))) // gradient 1 for both
	if _, err := G.Grad(cost, mu, rho); err != nil {
		log.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(mu, rho))
	defer vm.Close()
	for range 100 {
		if err := vm.RunAll(); err != nil {
			log.Fatal(err)
		}
		vm.Reset()
		if err := solver.Step([]G.ValueGrad{mu, rho}); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("mu: %.2f, rho: %.2f\n", mu.Value().Data().([]float64)[0], rho.Value().Data().([]float64)[0])
	// Output:
	// mu: -4.10, rho: -5.00
}
