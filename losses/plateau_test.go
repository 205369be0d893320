package losses_test

import (
	"math"
	"strings"
	"testing"

	"github.com/gorgonia-bnn/bnn/losses"
)

// feed reports epoch losses to w and returns beta after each.
func feed(w losses.LossObserver, beta func() float64, kind losses.LossKind, seq []float64) []float64 {
	out := make([]float64, len(seq))
	for i, l := range seq {
		w.ObserveLoss(losses.Observation{Kind: kind, Loss: l, At: losses.Batch{Epoch: i}})
		out[i] = beta()
	}
	return out
}

func TestPlateauSchedule(t *testing.T) {
	nan := math.NaN()
	cases := []struct {
		name     string
		factor   float64
		patience int
		opts     []losses.PlateauOption
		losses   []float64
		want     []float64
	}{
		{"improving never changes", 0.5, 1, nil,
			[]float64{5, 4, 3, 2, 1}, []float64{1, 1, 1, 1, 1}},
		{"patience 2 halves after two flat epochs", 0.5, 2, nil,
			// 3 is the reference; 3, 3 flat: halve. The next loss (9,
			// on the new scale) is the new reference; 9, 9: halve again.
			[]float64{3, 3, 3, 9, 9, 9, 8}, []float64{1, 1, 0.5, 0.5, 0.5, 0.25, 0.25}},
		{"an improvement resets the count", 0.5, 2, nil,
			[]float64{3, 3, 2, 2, 2}, []float64{1, 1, 1, 1, 0.5}},
		{"min delta: small gains do not count", 0.5, 2, []losses.PlateauOption{losses.PlateauMinDelta(0.1)},
			[]float64{3, 2.95, 2.91, 2}, []float64{1, 1, 0.5, 0.5}},
		{"a factor above 1 raises beta up to max", 2, 1, []losses.PlateauOption{losses.PlateauBounds(0, 3)},
			// ref 1; 1 flat: 2; ref 1; 1: 3 (capped); ref; flat: stays 3.
			[]float64{1, 1, 1, 1, 1, 1, 1}, []float64{1, 2, 2, 3, 3, 3, 3}},
		{"min bound", 0.1, 1, []losses.PlateauOption{losses.PlateauBounds(0.05, 10)},
			[]float64{1, 1, 1, 1, 1, 1}, []float64{1, 0.1, 0.1, 0.05, 0.05, 0.05}},
		{"cooldown skips observations after a change", 0.5, 1, []losses.PlateauOption{losses.PlateauCooldown(2)},
			// ref 1; flat: 0.5; ref; two flat in cooldown; flat: 0.25.
			[]float64{1, 1, 1, 1, 1, 1}, []float64{1, 0.5, 0.5, 0.5, 0.5, 0.25}},
		{"start value", 0.5, 1, []losses.PlateauOption{losses.PlateauStart(4)},
			[]float64{1, 2}, []float64{4, 2}},
		{"a NaN loss never improves", 0.5, 2, nil,
			[]float64{1, nan, nan}, []float64{1, 1, 0.5}},
		{"a NaN first loss is no reference", 0.5, 1, nil,
			// NaN skipped; 2 is the reference; 1 improves; 1 flat: halve.
			[]float64{nan, 2, 1, 1}, []float64{1, 1, 1, 0.5}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := losses.NewPlateau(losses.Fixed(1), c.factor, c.patience, c.opts...)
			if err != nil {
				t.Fatal(err)
			}
			got := feed(p, p.Beta, losses.EpochLoss, c.losses)
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("betas %v, want %v", got, c.want)
				}
			}
			if w := p.Weight(losses.Batch{}); w != got[len(got)-1] {
				t.Errorf("weight %v, want beta %v", w, got[len(got)-1])
			}
		})
	}
}

func TestPlateauTracksOneKind(t *testing.T) {
	p, err := losses.NewPlateau(losses.Fixed(1), 0.5, 1, losses.PlateauTrack(losses.ValidationLoss))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []losses.LossKind{losses.EpochLoss, losses.StepLoss} {
		feed(p, p.Beta, k, []float64{1, 1, 1, 1})
	}
	if p.Beta() != 1 {
		t.Fatalf("beta %v after untracked losses, want 1", p.Beta())
	}
	if got := feed(p, p.Beta, losses.ValidationLoss, []float64{1, 1}); got[1] != 0.5 {
		t.Fatalf("betas %v on validation losses, want [1 0.5]", got)
	}
}

// TestPlateauTied checks the tie to another schedule: the weight is the
// product, and both see the same losses.
func TestPlateauTied(t *testing.T) {
	inner, err := losses.NewPlateau(losses.PerExample{}, 0.5, 1, losses.PlateauTrack(losses.ValidationLoss))
	if err != nil {
		t.Fatal(err)
	}
	warm := losses.Annealed{Base: inner, Steps: 10}
	outer, err := losses.NewPlateau(warm, 2, 2, losses.PlateauBounds(0, 8))
	if err != nil {
		t.Fatal(err)
	}
	elbo, err := losses.NewELBO(losses.MSE{}, losses.WithKLWeight(outer))
	if err != nil {
		t.Fatal(err)
	}
	type obs struct {
		kind losses.LossKind
		loss float64
	}
	seq := []obs{
		{losses.EpochLoss, 5}, {losses.ValidationLoss, 5},
		{losses.EpochLoss, 5}, {losses.ValidationLoss, 5}, // inner halves
		{losses.EpochLoss, 5}, {losses.ValidationLoss, 4}, // outer doubles, inner: new reference
		{losses.EpochLoss, 1}, {losses.ValidationLoss, 4}, // inner halves
	}
	wantInner := []float64{1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25}
	wantOuter := []float64{1, 1, 1, 1, 2, 2, 2, 2}
	for i, o := range seq {
		elbo.ObserveLoss(losses.Observation{Kind: o.kind, Loss: o.loss})
		if inner.Beta() != wantInner[i] || outer.Beta() != wantOuter[i] {
			t.Fatalf("after observation %d: betas %v (inner) %v (outer), want %v %v", i, inner.Beta(), outer.Beta(), wantInner[i], wantOuter[i])
		}
	}
	at := losses.Batch{Step: 5, DatasetSize: 100}
	want := 2 * 0.5 * 0.25 * (1.0 / 100) // outer * warm-up * inner * 1/N
	if got := outer.Weight(at); math.Abs(got-want) > 1e-15 {
		t.Errorf("tied weight %v, want %v", got, want)
	}
}

func TestScaled(t *testing.T) {
	at := losses.Batch{Step: 2, DatasetSize: 50}
	if got := (losses.Scaled{Base: losses.PerExample{}, Beta: 0.1}).Weight(at); math.Abs(got-0.1/50) > 1e-18 {
		t.Errorf("Scaled weight %v, want %v", got, 0.1/50)
	}
	warm := losses.Annealed{Base: losses.Scaled{Base: losses.PerExample{}, Beta: 4}, Steps: 8}
	if got := warm.Weight(at); math.Abs(got-4.0/50*2/8) > 1e-18 {
		t.Errorf("warm-up to beta 4: weight %v, want %v", got, 4.0/50*2/8)
	}
	// A Plateau under a Scaled still hears the losses.
	p, err := losses.NewPlateau(losses.PerExample{}, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	scaled := losses.Scaled{Base: p, Beta: 3}
	feed(scaled, p.Beta, losses.EpochLoss, []float64{1, 1})
	if got := scaled.Weight(at); p.Beta() != 0.5 || math.Abs(got-3*0.5/50) > 1e-18 {
		t.Errorf("Scaled over a Plateau: beta %v, weight %v; want 0.5, %v", p.Beta(), got, 3*0.5/50)
	}
	for _, bad := range []losses.Scaled{{Base: nil, Beta: 1}, {Base: losses.PerExample{}, Beta: -1}, {Base: losses.PerExample{}, Beta: math.Inf(1)}} {
		if w := bad.Weight(at); !math.IsNaN(w) {
			t.Errorf("%+v: weight %v, want NaN (rejected by the ELBO)", bad, w)
		}
	}
}

func TestNewPlateauRejects(t *testing.T) {
	cases := []struct {
		name     string
		base     losses.KLWeight
		factor   float64
		patience int
		opts     []losses.PlateauOption
		want     string
	}{
		{"nil base", nil, 0.5, 1, nil, "base"},
		{"factor 1", losses.Fixed(1), 1, 1, nil, "factor"},
		{"factor 0", losses.Fixed(1), 0, 1, nil, "factor"},
		{"factor NaN", losses.Fixed(1), math.NaN(), 1, nil, "factor"},
		{"patience 0", losses.Fixed(1), 0.5, 0, nil, "patience"},
		{"cooldown", losses.Fixed(1), 0.5, 1, []losses.PlateauOption{losses.PlateauCooldown(-1)}, "cooldown"},
		{"delta", losses.Fixed(1), 0.5, 1, []losses.PlateauOption{losses.PlateauMinDelta(-1)}, "delta"},
		{"bounds", losses.Fixed(1), 0.5, 1, []losses.PlateauOption{losses.PlateauBounds(2, 1)}, "bounds"},
		{"start outside", losses.Fixed(1), 0.5, 1, []losses.PlateauOption{losses.PlateauBounds(0, 0.5)}, "start"},
		{"kind", losses.Fixed(1), 0.5, 1, []losses.PlateauOption{losses.PlateauTrack(7)}, "kind"},
	}
	for _, c := range cases {
		if _, err := losses.NewPlateau(c.base, c.factor, c.patience, c.opts...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.want)
		}
	}
}
