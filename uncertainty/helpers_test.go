package uncertainty

import (
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol
}

func checkSlice(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s has %d values, want %d", name, len(got), len(want))
	}
	for i := range want {
		if !near(got[i], want[i], tol) {
			t.Errorf("%s[%d] = %.17g, want %.17g", name, i, got[i], want[i])
		}
	}
}

// wantError checks that err is non-nil and its message names the culprit.
func wantError(t *testing.T, err error, culprit string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", culprit)
	}
	if !strings.Contains(err.Error(), culprit) {
		t.Errorf("error %q does not mention %q", err, culprit)
	}
}
