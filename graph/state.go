package graph

import (
	"fmt"
	"math/rand/v2"
)

// RNGState is the position of a model's two generators, each as encoded by
// math/rand/v2's PCG.MarshalBinary. With the parameter values it is all a
// checkpoint needs for a restored model to draw the same noise (and
// initialise later parameters alike) as the model it was saved from.
type RNGState struct {
	Init  []byte // the initialisation generator
	Noise []byte // the noise generator
}

// RNGState returns the current position of the model's generators.
func (m *Model) RNGState() (RNGState, error) {
	if err := m.usable("RNGState"); err != nil {
		return RNGState{}, err
	}
	init, err := m.initSrc.MarshalBinary()
	if err != nil {
		return RNGState{}, fmt.Errorf("graph: initialisation generator: %w", err)
	}
	noise, err := m.noiseSrc.MarshalBinary()
	if err != nil {
		return RNGState{}, fmt.Errorf("graph: noise generator: %w", err)
	}
	return RNGState{Init: init, Noise: noise}, nil
}

// SetRNGState moves the model's generators to a position returned by
// RNGState. On error neither generator has changed.
func (m *Model) SetRNGState(s RNGState) error {
	if err := m.usable("SetRNGState"); err != nil {
		return err
	}
	init, noise := new(rand.PCG), new(rand.PCG)
	if err := init.UnmarshalBinary(s.Init); err != nil {
		return fmt.Errorf("graph: initialisation generator state: %w", err)
	}
	if err := noise.UnmarshalBinary(s.Noise); err != nil {
		return fmt.Errorf("graph: noise generator state: %w", err)
	}
	m.initSrc, m.noiseSrc = init, noise
	m.initRNG, m.noiseRNG = rand.New(init), rand.New(noise)
	return nil
}

// InitParams makes the network's parameters exist, as the first Build would:
// if the model has none yet, it builds (and keeps, for Predict) the
// prediction graph for one example. Loading a checkpoint needs it, since a
// model learns which parameters its network uses only by building it.
// Parameters that only an objective uses (a learned likelihood noise) appear
// when a graph with that objective is built.
func (m *Model) InitParams() error {
	if err := m.usable("InitParams"); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.params) > 0 {
		return nil
	}
	cs, err := m.takeGraphs(1, predicting)
	m.release(cs)
	return err
}
