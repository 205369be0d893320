package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// meanSD returns the mean and the standard deviation of v.
func meanSD(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)-1))
}

func TestCurves(t *testing.T) {
	cubic := func(x float64) float64 { return -1.8*x*x*x + 8*x }
	tests := []struct {
		name  string
		make  func(int, uint64, ...Option) (Dataset, error)
		f     func(float64) float64
		noise float64
	}{
		{"Sine", Sine, math.Sin, 0.1},
		{"Cubic", Cubic, cubic, 1.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The grid: evenly spaced over [-3, 3], both ends exact.
			d, err := tt.make(7, 1, Noise(0))
			if err != nil {
				t.Fatal(err)
			}
			if want := []float64{-3, -2, -1, 0, 1, 2, 3}; !slices.Equal(d.X, want) {
				t.Errorf("grid x = %v, want %v", d.X, want)
			}
			for i, x := range d.X {
				if d.Y[i] != tt.f(x) {
					t.Errorf("noise-free y(%v) = %v, want %v", x, d.Y[i], tt.f(x))
				}
			}
			if !slices.Equal(d.XShape, []int{1}) || d.YWidth != 1 || d.Labels != nil {
				t.Errorf("XShape %v, YWidth %d, Labels %v; want [1], 1, nil", d.XShape, d.YWidth, d.Labels)
			}

			// The default noise: residuals of the right spread around 0.
			const n = 20000
			d, err = tt.make(n, 2)
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Validate(); err != nil {
				t.Fatal(err)
			}
			res := make([]float64, n)
			for i, x := range d.X {
				res[i] = d.Y[i] - tt.f(x)
			}
			mean, sd := meanSD(res)
			// 5 standard errors: the test fails on a wrong noise, not on bad luck.
			if se := tt.noise / math.Sqrt(n); math.Abs(mean) > 5*se || math.Abs(sd-tt.noise) > 5*tt.noise/math.Sqrt(2*n) {
				t.Errorf("residuals: mean %.4f, sd %.4f; want 0, %v", mean, sd, tt.noise)
			}

			// Noise changes the spread.
			d, _ = tt.make(n, 3, Noise(0.5))
			for i, x := range d.X {
				res[i] = d.Y[i] - tt.f(x)
			}
			if _, sd := meanSD(res); math.Abs(sd-0.5) > 0.025 {
				t.Errorf("Noise(0.5): residual sd %.4f", sd)
			}
		})
	}
}

func TestCurveOptions(t *testing.T) {
	d, err := Sine(5, 1, Range(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{0, 0.25, 0.5, 0.75, 1}; !slices.Equal(d.X, want) {
		t.Errorf("Range(0, 1) grid = %v, want %v", d.X, want)
	}
	if d, _ := Sine(1, 1, Range(2, 5)); !slices.Equal(d.X, []float64{2}) {
		t.Errorf("one grid point = %v, want [2]", d.X)
	}

	u, err := Cubic(500, 4, Range(1, 2), UniformX())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range u.X {
		if x < 1 || x >= 2 {
			t.Fatalf("UniformX drew %v outside [1, 2)", x)
		}
	}
	if slices.IsSorted(u.X) {
		t.Error("UniformX gave sorted x; want independent draws")
	}
	if _, sd := meanSD(u.X); math.Abs(sd-math.Sqrt(1.0/12)) > 0.03 {
		t.Errorf("UniformX: sd of x %.3f, want %.3f", sd, math.Sqrt(1.0/12))
	}
	// x does not depend on the noise.
	q, _ := Cubic(500, 4, Range(1, 2), UniformX(), Noise(0))
	if !slices.Equal(u.X, q.X) {
		t.Error("Noise(0) changed the x that UniformX draws")
	}
	// The last option wins.
	if d, _ := Sine(3, 1, Range(0, 1), Range(5, 7), Noise(3), Noise(0)); !slices.Equal(d.X, []float64{5, 6, 7}) || d.Y[1] != math.Sin(6) {
		t.Errorf("repeated options: X %v, Y %v", d.X, d.Y)
	}
}

func TestSyntheticSeed(t *testing.T) {
	for name, f := range map[string]func(int, uint64, ...Option) (Dataset, error){"Sine": Sine, "Cubic": Cubic, "Moons": Moons} {
		a, _ := f(50, 9)
		b, _ := f(50, 9)
		c, _ := f(50, 10)
		if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) || !slices.Equal(a.Labels, b.Labels) {
			t.Errorf("%s: the same seed gave different data", name)
		}
		if slices.Equal(a.X, c.X) && slices.Equal(a.Y, c.Y) {
			t.Errorf("%s: seeds 9 and 10 gave the same data", name)
		}
	}
}

func TestMoons(t *testing.T) {
	d, err := Moons(101, 3, Noise(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Len() != 101 || d.Classes != 2 || !slices.Equal(d.XShape, []int{2}) || d.Y != nil {
		t.Fatalf("Len %d, Classes %d, XShape %v, Y %v; want 101, 2, [2], nil", d.Len(), d.Classes, d.XShape, d.Y)
	}
	var count [2]int
	var ends [2][]float64 // x of the points at t = 0 and t = pi
	for i, l := range d.Labels {
		count[l]++
		x, y := d.X[2*i], d.X[2*i+1]
		// The outer moon is the upper half of the unit circle, the inner
		// one the lower half of the unit circle centred at (1, 0.5).
		cx, cy, side := 0.0, 0.0, y >= -1e-12
		if l == 1 {
			cx, cy, side = 1, 0.5, y <= 0.5+1e-12
		}
		if r := math.Hypot(x-cx, y-cy); math.Abs(r-1) > 1e-12 || !side {
			t.Errorf("point %d (%v, %v) of class %d is off its half circle", i, x, y, l)
		}
		if math.Abs(y-cy) < 1e-12 {
			ends[l] = append(ends[l], x)
		}
	}
	if count != [2]int{50, 51} {
		t.Errorf("class counts %v, want [50 51]", count)
	}
	slices.Sort(ends[0])
	slices.Sort(ends[1])
	if !slices.Equal(ends[0], []float64{-1, 1}) || !slices.Equal(ends[1], []float64{0, 2}) {
		t.Errorf("half circles end at %v and %v, want [-1 1] and [0 2]", ends[0], ends[1])
	}
	if slices.IsSorted(d.Labels) {
		t.Error("labels in order; want the points shuffled")
	}

	// With the default noise, points leave the circles by about 0.1.
	d, _ = Moons(4000, 5)
	var dev []float64
	for i, l := range d.Labels {
		cx, cy := 0.0, 0.0
		if l == 1 {
			cx, cy = 1, 0.5
		}
		dev = append(dev, math.Hypot(d.X[2*i]-cx, d.X[2*i+1]-cy)-1)
	}
	if _, sd := meanSD(dev); sd < 0.08 || sd > 0.12 {
		t.Errorf("default noise: radial sd %.3f, want about 0.1", sd)
	}
	if d, _ := Moons(2, 1); !slices.Equal(sortedInts(d.Labels), []int{0, 1}) {
		t.Errorf("Moons(2) labels %v, want one of each", d.Labels)
	}
}

func sortedInts(v []int) []int { v = slices.Clone(v); slices.Sort(v); return v }

func TestSyntheticErrors(t *testing.T) {
	tests := []struct {
		name    string
		f       func() (Dataset, error)
		wantErr string
	}{
		{"n 0", func() (Dataset, error) { return Sine(0, 1) }, "Sine: n = 0, want at least 1"},
		{"n negative", func() (Dataset, error) { return Cubic(-3, 1) }, "Cubic: n = -3"},
		{"n too large", func() (Dataset, error) { return Sine(1<<40, 1) }, "more than the limit"},
		{"empty range", func() (Dataset, error) { return Sine(10, 1, Range(1, 1)) }, "Range(1, 1): lo must be below hi"},
		{"reversed range", func() (Dataset, error) { return Cubic(10, 1, Range(3, -3)) }, "Cubic: Range(3, -3): lo must be below hi"},
		{"NaN range", func() (Dataset, error) { return Sine(10, 1, Range(math.NaN(), 1)) }, "Range(NaN, 1): bounds must be finite"},
		{"infinite range", func() (Dataset, error) { return Sine(10, 1, Range(0, math.Inf(1))) }, "bounds must be finite"},
		{"overflowing range", func() (Dataset, error) { return Sine(10, 1, Range(-math.MaxFloat64, math.MaxFloat64)) }, "overflows"},
		{"negative noise", func() (Dataset, error) { return Sine(10, 1, Noise(-0.1)) }, "Noise(-0.1): standard deviation must be finite and at least 0"},
		{"NaN noise", func() (Dataset, error) { return Moons(10, 1, Noise(math.NaN())) }, "Moons: Noise(NaN)"},
		{"infinite noise", func() (Dataset, error) { return Cubic(10, 1, Noise(math.Inf(1))) }, "Noise(+Inf)"},
		{"nil option", func() (Dataset, error) { return Sine(10, 1, nil) }, "nil Option"},
		{"Moons n 1", func() (Dataset, error) { return Moons(1, 1) }, "Moons: n = 1, want at least 2"},
		{"Moons Range", func() (Dataset, error) { return Moons(10, 1, Range(0, 1)) }, "Range option does not apply to Moons"},
		{"Moons UniformX", func() (Dataset, error) { return Moons(10, 1, UniformX()) }, "UniformX option does not apply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.f()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
			if d.X != nil {
				t.Error("data returned with the error")
			}
		})
	}
}
