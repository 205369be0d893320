package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// XName is the name of the network's input node.
const XName = "x"

// Objective turns a network's output and KL accumulator into the scalar loss
// a graph differentiates. The losses package provides the ELBO and its kin.
type Objective interface {
	// Attach adds the loss to b. kl is nil when the network has no
	// Bayesian layer.
	Attach(b *Builder, out, kl *G.Node) (loss *G.Node, err error)
}

// Build builds and compiles a graph of the model for batch examples. With a
// nil objective the graph only runs forward (prediction); otherwise it also
// computes the gradient of the objective's loss for every parameter, which
// accumulates in the parameters' dual values until a solver step.
func (m *Model) Build(batch int, obj Objective) (*Graph, error) {
	if err := m.usable("Build"); err != nil {
		return nil, err
	}
	return m.build(batch, obj, general)
}

// graphKind is what a graph is built for.
type graphKind int

const (
	general    graphKind = iota // Model.Build: KL terms, any objective
	predicting                  // Model.Predict: outputs only
	marginal                    // Model.PredictMarginal: outputs only, per-example draws
)

// build builds a graph of the given kind; prediction graphs leave the KL
// terms out.
func (m *Model) build(batch int, obj Objective, kind graphKind) (gr *Graph, err error) {
	if batch <= 0 {
		return nil, fmt.Errorf("graph: batch size is %d, want > 0", batch)
	}
	// Gorgonia reports some shape errors by panicking while it builds;
	// turn those into errors naming the batch.
	defer func() {
		if r := recover(); r != nil {
			gr, err = nil, fmt.Errorf("graph: building for batch %d: %v", batch, r)
		}
	}()
	b := newBuilder(m, batch)
	b.skipKL = kind != general && obj == nil
	b.marginal = kind == marginal && obj == nil
	x, err := b.Input(XName, append([]int{batch}, m.input...)...)
	if err != nil {
		return nil, err
	}
	out, err := m.net(b, x)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, fmt.Errorf("graph: the network returned a nil output node")
	}
	if out.Dtype() != m.dtype {
		return nil, fmt.Errorf("graph: the network's output has dtype %v, the model computes in %v", out.Dtype(), m.dtype)
	}
	kl, err := b.klSum()
	if err != nil {
		return nil, err
	}
	gr = &Graph{m: m, b: b, batch: batch, kind: kind, out: &watched{node: out}, revision: m.revision}
	G.Read(out, &gr.out.val)
	if kl != nil {
		gr.kl = &watched{node: kl}
		G.Read(kl, &gr.kl.val)
	}
	var opts []G.VMOpt
	if obj != nil {
		loss, err := obj.Attach(b, out, kl)
		if err != nil {
			return nil, err
		}
		if loss == nil || !loss.IsScalar() {
			return nil, fmt.Errorf("graph: the objective's loss must be a scalar node")
		}
		gr.loss = &watched{node: loss}
		G.Read(loss, &gr.loss.val)
		if len(b.learn) == 0 {
			return nil, fmt.Errorf("graph: the network has no parameters to train")
		}
		if _, err := G.Grad(loss, b.learn...); err != nil {
			return nil, fmt.Errorf("graph: gradient of the loss: %w", err)
		}
		opts = append(opts, G.BindDualValues(b.learn...))
	}
	gr.vm = G.NewTapeMachine(b.g, opts...)
	dropFinalizer(gr.vm)
	return gr, nil
}
