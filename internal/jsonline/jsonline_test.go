package jsonline

import (
	"bytes"
	"slices"
	"testing"
)

func TestPrintThenLast(t *testing.T) {
	type result struct {
		RMSE  float64 `json:"rmse"`
		Model string  `json:"model"`
		Steps int     `json:"steps"`
		Ratio float64 `json:"ratio"`
	}
	var out bytes.Buffer
	out.WriteString("training...\n{\"rmse\": 9}\n")
	want := result{RMSE: 0.1 + 0.2, Model: "mlp", Steps: 4000, Ratio: 1e-300}
	if err := Print(&out, want); err != nil {
		t.Fatal(err)
	}
	out.WriteString("\n\n")
	names, values, err := Last(out.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"rmse", "steps", "ratio"}) {
		t.Errorf("names %v, want the numeric fields in printed order", names)
	}
	// The JSON round trip keeps every bit: the examples' figures are
	// compared exactly.
	if values["rmse"] != want.RMSE || values["steps"] != 4000 || values["ratio"] != want.Ratio {
		t.Errorf("values %v, want %+v", values, want)
	}
}

func TestLastRejectsNonJSON(t *testing.T) {
	for _, out := range []string{"", "\n\n", "rmse 0.04\n", "{\"rmse\": 0.1\n", "[1,2]\n", "{\"a\": 1} trailing\n"} {
		if _, _, err := Last([]byte(out)); err == nil {
			t.Errorf("output %q: no error", out)
		}
	}
}

func TestPrintRejectsWhatJSONCannotHold(t *testing.T) {
	if err := Print(&bytes.Buffer{}, map[string]float64{"nan": 0 * inf()}); err == nil {
		t.Error("a NaN figure: no error")
	}
}

func inf() float64 {
	x := 1e308
	return x * 10
}
