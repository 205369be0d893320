package serve_test

import (
	"log"
	"net/http"
	"time"

	G "gorgonia.org/gorgonia"

	"github.com/gorgonia-bnn/bnn/bayesnodes"
	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/graph"
	"github.com/gorgonia-bnn/bnn/netspec"
	"github.com/gorgonia-bnn/bnn/scoring"
	"github.com/gorgonia-bnn/bnn/serve"
)

// myNetwork stands for a network of the user's own Go code, one that a
// netspec.Spec's layers do not describe.
func myNetwork() graph.Network {
	hidden, _ := bayesnodes.NewLinear(4, 32) // errors only for bad sizes
	out, _ := bayesnodes.NewLinear(32, 3)
	return func(b *graph.Builder, x *G.Node) (*G.Node, error) {
		h, err := hidden.Apply(b, x)
		if err != nil {
			return nil, err
		}
		if h, err = G.Tanh(h); err != nil {
			return nil, err
		}
		return out.Apply(b, h)
	}
}

// A main serving a network of one's own: load its checkpoint, describe the
// task in a custom Spec, and hand the scorer to serve. (bnn-serve serves a
// checkpoint written by netspec.Save without any code.)
func Example_ownNetwork() {
	model, err := graph.NewModel(myNetwork(), graph.Input(4))
	check(err)
	check(checkpoint.Load("iris.safetensors", model))
	spec := &netspec.Spec{Input: []int{4}, Task: netspec.Classification, Custom: "iris-tanh", OODThreshold: 0.2}
	sc, err := scoring.New(model, spec, scoring.Samples(100))
	check(err)
	srv, err := serve.New("iris", sc, serve.Batching(32, time.Millisecond))
	check(err)
	defer srv.Close()
	log.Fatal(http.ListenAndServe(":8080", srv))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
