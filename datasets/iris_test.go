package datasets

import (
	"slices"
	"strings"
	"testing"
)

func TestIris(t *testing.T) {
	d, err := Iris()
	if err != nil {
		t.Fatal(err)
	}
	if d.Len() != 150 || !slices.Equal(d.XShape, []int{4}) || d.Classes != 3 || d.Y != nil {
		t.Fatalf("Len %d, XShape %v, Classes %d, Y %v; want 150, [4], 3, nil", d.Len(), d.XShape, d.Classes, d.Y)
	}
	var counts [3]int
	for _, l := range d.Labels {
		counts[l]++
	}
	if counts != [3]int{50, 50, 50} {
		t.Errorf("class counts %v, want 50 each", counts)
	}
	rows := []struct {
		i     int
		x     []float64
		label int
	}{
		{0, []float64{5.1, 3.5, 1.4, 0.2}, 0},   // the first setosa
		{50, []float64{7.0, 3.2, 4.7, 1.4}, 1},  // the first versicolor
		{100, []float64{6.3, 3.3, 6.0, 2.5}, 2}, // the first virginica
		{149, []float64{5.9, 3.0, 5.1, 1.8}, 2}, // the last row
		{34, []float64{4.9, 3.1, 1.5, 0.2}, 0},  // one of the two points the UCI copy gets wrong
		{37, []float64{4.9, 3.6, 1.4, 0.1}, 0},  // the other
	}
	for _, r := range rows {
		if got := d.X[4*r.i : 4*r.i+4]; !slices.Equal(got, r.x) || d.Labels[r.i] != r.label {
			t.Errorf("row %d: %v, label %d; want %v, %d", r.i, got, d.Labels[r.i], r.x, r.label)
		}
	}
	if got := IrisClasses(); !slices.Equal(got, []string{"setosa", "versicolor", "virginica"}) {
		t.Errorf("IrisClasses() = %v", got)
	}
	// Each call returns its own copy.
	IrisClasses()[0] = "changed"
	d.X[0] = -1
	if again, _ := Iris(); again.X[0] != 5.1 || IrisClasses()[0] != "setosa" {
		t.Error("changing a returned value changed the package's data")
	}
}

func TestParseIrisErrors(t *testing.T) {
	header := "150,4,setosa,versicolor,virginica\n"
	row := "5.1,3.5,1.4,0.2,0\n"
	tests := []struct {
		name, data, wantErr string
	}{
		{"empty", "", "line 1 is []"},
		{"wrong header", "150,4,a,b,c\n", `line 1 is ["150" "4" "a" "b" "c"]`},
		{"too few rows", header + row, "1 rows of data, want 150"},
		{"bad number", header + strings.Repeat(row, 149) + "5.1,x,1.4,0.2,0\n", "line 151, column 2"},
		{"bad class", header + "5.1,3.5,1.4,0.2,3\n" + strings.Repeat(row, 149), `line 2: class "3"`},
		{"ragged", header + "5.1,3.5\n", "wrong number of fields"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseIris([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "datasets: iris.csv: ") {
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
