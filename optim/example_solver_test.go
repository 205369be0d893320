package optim_test

import (
	"fmt"
	"log"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/gorgonia-bnn/bnn/optim"
)

// Minimise sum((w - x)^2) on a Gorgonia graph, averaging the gradients of
// K = 2 runs per step, as a trainer drawing K Monte-Carlo samples does.
func ExampleNewAdam() {
	g := G.NewGraph()
	w := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{0, 0}))))
	x := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("x"))
	cost := G.Must(G.Sum(G.Must(G.Square(G.Must(G.Sub(w, x))))))
	if _, err := G.Grad(cost, w); err != nil {
		log.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(w))
	defer vm.Close()

	solver, err := optim.NewAdam(0.05, optim.ClipNorm(10))
	if err != nil {
		log.Fatal(err)
	}
	// The machine adds the gradients of successive runs; the solver
	// averages them and zeroes them after the step.
	samples := [][]float64{{1, -2}, {3, -4}} // their mean is (2, -3)
	if err := solver.SetGradScale(1 / float64(len(samples))); err != nil {
		log.Fatal(err)
	}
	for step := 0; step < 300; step++ {
		for _, s := range samples {
			if err := G.Let(x, tensor.New(tensor.WithShape(2), tensor.WithBacking(s))); err != nil {
				log.Fatal(err)
			}
			if err := vm.RunAll(); err != nil {
				log.Fatal(err)
			}
			vm.Reset()
		}
		if err := solver.Step([]G.ValueGrad{w}); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("w = %.2f after %d steps\n", w.Value().Data(), solver.Steps())
	// Output:
	// w = [2.00 -3.00] after 300 steps
}

func ExampleNewSGD() {
	solver, err := optim.NewSGD(0.1, optim.Momentum(0.9), optim.Nesterov(), optim.WeightDecay(1e-4))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(solver.LearnRate())

	_, err = optim.NewSGD(0.1, optim.Betas(0.9, 0.999))
	fmt.Println(err)
	// Output:
	// 0.1
	// optim: NewSGD: Betas(0.9, 0.999) applies to Adam only
}

func ExampleGlobalNorm() {
	g := G.NewGraph()
	a := G.NewVector(g, tensor.Float64, G.WithShape(2), G.WithName("a"),
		G.WithValue(tensor.New(tensor.WithShape(2), tensor.WithBacking([]float64{3, 4}))))
	b := G.NewVector(g, tensor.Float64, G.WithShape(1), G.WithName("b"),
		G.WithValue(tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{12}))))
	// cost = 0.5*(a·a + b·b), so the gradients are a and b themselves.
	cost := G.Must(G.Mul(G.NewConstant(0.5), G.Must(G.Add(G.Must(G.Sum(G.Must(G.Square(a)))), G.Must(G.Sum(G.Must(G.Square(b))))))))
	if _, err := G.Grad(cost, a, b); err != nil {
		log.Fatal(err)
	}
	vm := G.NewTapeMachine(g, G.BindDualValues(a, b))
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		log.Fatal(err)
	}
	norm, err := optim.GlobalNorm([]G.ValueGrad{a, b})
	fmt.Println(norm, err)

	// A parameter without a gradient is named in the error.
	c := G.NewVector(g, tensor.Float64, G.WithShape(1), G.WithName("c"),
		G.WithValue(tensor.New(tensor.WithShape(1), tensor.WithBacking([]float64{1}))))
	_, err = optim.GlobalNorm([]G.ValueGrad{a, b, c})
	fmt.Println(err)
	// Output:
	// 13 <nil>
	// optim: GlobalNorm: parameter 2 ("c"): no gradient: No Gradient node/value found for *gorgonia.Node
}

// Save a solver's state, restore it into a new solver and carry on: both
// take the same fourth step.
func ExampleAdam_State() {
	newParam := func(w []float32) *vgExample {
		return &vgExample{
			w: tensor.New(tensor.WithShape(2), tensor.WithBacking(append([]float32(nil), w...))),
			g: tensor.New(tensor.Of(tensor.Float32), tensor.WithShape(2)),
		}
	}
	step := func(s *optim.Adam, p *vgExample) {
		copy(p.g.Data().([]float32), []float32{1, -1}) // what a backward pass would leave
		if err := s.Step([]G.ValueGrad{p}); err != nil {
			log.Fatal(err)
		}
	}

	p := newParam([]float32{1, 1})
	first, _ := optim.NewAdam(0.1)
	for range 3 {
		step(first, p)
	}
	checkpoint := first.State()
	fmt.Println("saved:", checkpoint.Steps, "steps,", len(checkpoint.M), "parameter")

	resumed, _ := optim.NewAdam(0.1)
	if err := resumed.SetState(checkpoint); err != nil {
		log.Fatal(err)
	}
	q := newParam(p.w.Data().([]float32))
	step(first, p)
	step(resumed, q)
	fmt.Printf("%.4f %.4f %d\n", p.w.Data(), q.w.Data(), resumed.Steps())
	// Output:
	// saved: 3 steps, 1 parameter
	// [0.6000 1.4000] [0.6000 1.4000] 4
}

// vgExample is a minimal gorgonia.ValueGrad over two tensors.
type vgExample struct{ w, g *tensor.Dense }

func (p *vgExample) Value() G.Value         { return p.w }
func (p *vgExample) Grad() (G.Value, error) { return p.g, nil }
