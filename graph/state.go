package graph

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
)

// RNGState is the position of a model's two generators: the
// initialisation generator as encoded by math/rand/v2's PCG.MarshalBinary,
// the noise generator as its seed and next run. With the parameter values
// it is all a checkpoint needs for a restored model to draw the same noise
// (and initialise later parameters alike) as the model it was saved from.
type RNGState struct {
	Init  []byte // the initialisation generator
	Noise []byte // the noise generator
}

// noiseTag starts an encoded noise position, followed by the seed and the
// next run, 8 bytes each, big-endian.
const noiseTag = "philox4x32-10:"

func encodeNoise(seed, run uint64) []byte {
	b := append([]byte(noiseTag), make([]byte, 16)...)
	binary.BigEndian.PutUint64(b[len(noiseTag):], seed)
	binary.BigEndian.PutUint64(b[len(noiseTag)+8:], run)
	return b
}

// decodeNoise reads a noise position. It also takes the PCG state that
// models saved before the noise became counter-based: such a checkpoint
// then continues, reproducibly, from a seed drawn from that state.
func decodeNoise(b []byte) (seed, run uint64, err error) {
	if rest, ok := strings.CutPrefix(string(b), noiseTag); ok {
		if len(rest) != 16 {
			return 0, 0, fmt.Errorf("%d bytes after %q, want 16", len(rest), noiseTag)
		}
		return binary.BigEndian.Uint64(b[len(noiseTag):]), binary.BigEndian.Uint64(b[len(noiseTag)+8:]), nil
	}
	pcg := new(rand.PCG)
	if err := pcg.UnmarshalBinary(b); err != nil {
		return 0, 0, errors.New("neither a Philox position nor a PCG state")
	}
	return rand.New(pcg).Uint64(), 0, nil
}

// Check reports whether s is a position SetRNGState accepts, so that a
// caller can refuse a bad one before changing anything.
func (s RNGState) Check() error {
	if err := new(rand.PCG).UnmarshalBinary(s.Init); err != nil {
		return fmt.Errorf("graph: initialisation generator state: %w", err)
	}
	if _, _, err := decodeNoise(s.Noise); err != nil {
		return fmt.Errorf("graph: noise generator state: %w", err)
	}
	return nil
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
	m.mu.Lock()
	defer m.mu.Unlock()
	return RNGState{Init: init, Noise: encodeNoise(m.noiseSeed, m.noiseRun)}, nil
}

// SetRNGState moves the model's generators to a position returned by
// RNGState. On error neither generator has changed.
func (m *Model) SetRNGState(s RNGState) error {
	if err := m.usable("SetRNGState"); err != nil {
		return err
	}
	if err := s.Check(); err != nil {
		return err
	}
	init := new(rand.PCG)
	init.UnmarshalBinary(s.Init) // checked
	seed, run, _ := decodeNoise(s.Noise)
	m.initSrc, m.initRNG = init, rand.New(init)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.noiseSeed, m.noiseRun = seed, run
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
