package datasets

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
)

// irisCSV is Fisher's iris data as scikit-learn ships it
// (sklearn/datasets/data/iris.csv), copied from Debian's python3-sklearn
// 1.2.1+dfsg-1; scikit-learn is BSD-3-Clause licensed. Its first line is
// "150,4,setosa,versicolor,virginica": the number of rows, of features,
// and the class names; each other line holds sepal length, sepal width,
// petal length and petal width in cm, and the class index. These are the
// values of Fisher's paper (R. A. Fisher, "The use of multiple
// measurements in taxonomic problems", Annals of Eugenics 7(2), 1936), the
// same as R's iris and, according to scikit-learn's description, not the
// UCI Machine Learning Repository's copy with its two wrong data points.
//
//go:embed iris.csv
var irisCSV []byte

// irisClasses names the classes of Iris, by label.
var irisClasses = [...]string{"setosa", "versicolor", "virginica"}

// IrisClasses returns the names of the classes of [Iris], indexed by
// label: setosa, versicolor, virginica.
func IrisClasses() []string { return slices.Clone(irisClasses[:]) }

// Iris returns Fisher's iris data, embedded in the package: 150 flowers,
// 50 of each of three species (labels 0 setosa, 1 versicolor,
// 2 virginica, as [IrisClasses] names them), each described by XShape [4]
// features: sepal length, sepal width, petal length and petal width, in
// cm. The rows are in the order of the source, grouped by class; Classes
// is 3. Each call returns a new copy.
func Iris() (Dataset, error) {
	return parseIris(irisCSV)
}

// parseIris reads the iris CSV format described at irisCSV.
func parseIris(data []byte) (Dataset, error) {
	records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return Dataset{}, fmt.Errorf("datasets: iris.csv: %w", err)
	}
	const features = 4
	wantHeader := []string{"150", "4", irisClasses[0], irisClasses[1], irisClasses[2]}
	if len(records) == 0 || !slices.Equal(records[0], wantHeader) {
		return Dataset{}, fmt.Errorf("datasets: iris.csv: line 1 is %q, want %q", first(records), wantHeader)
	}
	rows := records[1:]
	if len(rows) != 150 {
		return Dataset{}, fmt.Errorf("datasets: iris.csv: %d rows of data, want 150", len(rows))
	}
	d := Dataset{
		X:       make([]float64, 0, len(rows)*features),
		XShape:  []int{features},
		Labels:  make([]int, len(rows)),
		Classes: len(irisClasses),
	}
	for i, rec := range rows {
		line := i + 2
		for j, field := range rec[:features] {
			v, err := strconv.ParseFloat(field, 64)
			if err != nil {
				return Dataset{}, fmt.Errorf("datasets: iris.csv: line %d, column %d: %w", line, j+1, err)
			}
			d.X = append(d.X, v)
		}
		l, err := strconv.Atoi(rec[features])
		if err != nil || l < 0 || l >= len(irisClasses) {
			return Dataset{}, fmt.Errorf("datasets: iris.csv: line %d: class %q, want 0, 1 or 2", line, rec[features])
		}
		d.Labels[i] = l
	}
	if err := d.Validate(); err != nil {
		return Dataset{}, err
	}
	return d, nil
}

func first(records [][]string) []string {
	if len(records) == 0 {
		return nil
	}
	return records[0]
}
