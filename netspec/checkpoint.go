package netspec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/gorgonia-bnn/bnn/checkpoint"
	"github.com/gorgonia-bnn/bnn/graph"
)

// MetadataKey is the checkpoint metadata key under which Save records the
// Spec as JSON.
const MetadataKey = "netspec"

// Save writes a checkpoint of m (see checkpoint.Save) with s recorded in
// its metadata, after checking that m is the network s describes: its
// input shape, dtype, and parameter names and shapes (ErrMismatch
// otherwise). The model's parameters must be exactly the network's: one
// that only an objective uses, such as a learned likelihood noise, belongs
// in s.NoiseStd instead. opts may add metadata or a trainer's state. A
// custom network's Spec cannot check the model (ErrCustom): save it with
// checkpoint.Save and keep its Spec beside the code.
func Save(path string, m *graph.Model, s *Spec, opts ...checkpoint.Option) error {
	if m == nil {
		return errors.New("netspec: Save: nil model")
	}
	js, err := s.marshal()
	if err != nil {
		return err
	}
	opts = append(opts[:len(opts):len(opts)], checkpoint.WithMetadata(MetadataKey, js))
	f, err := checkpoint.Snapshot(m, opts...)
	if err != nil {
		return fmt.Errorf("netspec: Save: %w", err)
	}
	if _, err := s.restore(f, js); err != nil {
		return fmt.Errorf("netspec: Save: the model is not the spec's network: %w", err)
	}
	return checkpoint.WriteFile(path, f)
}

// Load reads a checkpoint written by Save and returns a new model of the
// recorded network with the file's parameters and generator positions, and
// the Spec. A file without a Spec is refused with ErrNoSpec; one whose
// tensors, dtype or input shape do not fit its Spec with ErrMismatch,
// wrapping the checkpoint package's error of each difference.
func Load(path string) (*graph.Model, *Spec, error) {
	f, err := checkpoint.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("netspec: %w", err)
	}
	m, s, err := Read(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%w (loading %s)", err, path)
	}
	return m, s, nil
}

// Read is Load for a checkpoint already in memory.
func Read(f *checkpoint.File) (*graph.Model, *Spec, error) {
	if f == nil {
		return nil, nil, errors.New("netspec: Read: nil file")
	}
	js, ok := f.Metadata[MetadataKey]
	if !ok {
		return nil, nil, fmt.Errorf("netspec: %w (no %q metadata: save with netspec.Save)", ErrNoSpec, MetadataKey)
	}
	s, err := Parse([]byte(js))
	if err != nil {
		return nil, nil, err
	}
	m, err := s.restore(f, js)
	if err != nil {
		return nil, nil, fmt.Errorf("netspec: %w", err)
	}
	return m, s, nil
}

// Parse decodes and validates a Spec from JSON; unknown fields are errors.
func Parse(data []byte) (*Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	s := new(Spec)
	if err := dec.Decode(s); err != nil {
		return nil, fmt.Errorf("netspec: decoding the spec: %w", err)
	}
	if dec.More() {
		return nil, errors.New("netspec: decoding the spec: data after the JSON object")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// marshal validates s and returns its JSON.
func (s *Spec) marshal() (string, error) {
	if err := s.Validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("netspec: %w", err)
	}
	return string(b), nil
}

// restore returns a new model of s's network holding f's parameters, js
// being s as f records it.
func (s *Spec) restore(f *checkpoint.File, js string) (*graph.Model, error) {
	m, err := s.NewModel()
	if err != nil {
		return nil, err
	}
	if err := checkpoint.Restore(f, m, checkpoint.WithMetadata(MetadataKey, js)); err != nil {
		if errors.Is(err, checkpoint.ErrNotCheckpoint) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrMismatch, err)
	}
	return m, nil
}

// SameNetwork reports whether s and t describe the same network: input,
// dtype, task and layers, so that the parameters of one fit the other.
// Training options and prediction settings (noise sd, OOD threshold,
// calibration) may differ.
func (s *Spec) SameNetwork(t *Spec) bool {
	if s == nil || t == nil {
		return s == t
	}
	net := func(x *Spec) []byte {
		dt, _ := x.dtype()
		b, _ := json.Marshal(Spec{Input: x.Input, Dtype: dt.String(), Task: x.Task, Layers: x.Layers, Custom: x.Custom})
		return b
	}
	return slices.Equal(net(s), net(t))
}
