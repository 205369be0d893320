package datasets_test

import (
	"bytes"
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/gorgonia-bnn/bnn/datasets"
)

// A training loop's use of a dataset: check it once, hold out a
// validation set, then each epoch draw shuffled batches and gather them
// into buffers that are reused from batch to batch.
func Example() {
	data, err := datasets.Moons(1000, 1)
	if err != nil {
		log.Fatal(err)
	}
	if err := data.Validate(); err != nil {
		log.Fatal(err)
	}
	train, val, err := data.Split(0.2, 1)
	if err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var x, y []float64 // reused by every batch
	for epoch := range 2 {
		batches, err := train.Batches(128, rng)
		if err != nil {
			log.Fatal(err)
		}
		for _, idx := range batches {
			x = train.GatherX(idx, x)
			y = train.GatherOneHot(idx, y)
			// ... feed x (len(idx) rows of 2) and y (len(idx) rows of 2) to the model
		}
		fmt.Printf("epoch %d: %d batches, the last of %d examples\n", epoch, len(batches), len(batches[len(batches)-1]))
	}
	fmt.Println("validation examples:", val.Len())
	// Output:
	// epoch 0: 7 batches, the last of 32 examples
	// epoch 1: 7 batches, the last of 32 examples
	// validation examples: 200
}

func ExampleSine() {
	d, err := datasets.Sine(5, 1, datasets.Range(0, math.Pi), datasets.Noise(0))
	if err != nil {
		log.Fatal(err)
	}
	for i := range d.Len() {
		fmt.Printf("x %.4f  y %.4f\n", d.X[i], d.Y[i])
	}
	// Output:
	// x 0.0000  y 0.0000
	// x 0.7854  y 0.7071
	// x 1.5708  y 1.0000
	// x 2.3562  y 0.7071
	// x 3.1416  y 0.0000
}

func ExampleCubic() {
	d, err := datasets.Cubic(20, 7, datasets.UniformX())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Len(), d.XShape, d.YWidth)
	// Output: 20 [1] 1
}

func ExampleMoons() {
	d, err := datasets.Moons(101, 1, datasets.Noise(0.2))
	if err != nil {
		log.Fatal(err)
	}
	counts := make([]int, d.Classes)
	for _, l := range d.Labels {
		counts[l]++
	}
	fmt.Println("shape", d.XShape, "class counts", counts)
	// Output: shape [2] class counts [50 51]
}

func ExampleDataset_Batches() {
	d := datasets.Dataset{X: make([]float64, 10), XShape: []int{1}, Y: make([]float64, 10), YWidth: 1}
	inOrder, err := d.Batches(4, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(inOrder)
	shuffled, err := d.Batches(4, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(shuffled[0]), len(shuffled[1]), len(shuffled[2]))
	// Output:
	// [[0 1 2 3] [4 5 6 7] [8 9]]
	// 4 4 2
}

func ExampleDataset_GatherOneHot() {
	d := datasets.Dataset{X: []float64{0, 1, 2}, XShape: []int{1}, Labels: []int{2, 0, 1}, Classes: 3}
	buf := make([]float64, 0, 16)
	fmt.Println(d.GatherOneHot([]int{0, 2}, buf))
	fmt.Println(d.GatherX([]int{0, 2}, buf)) // the same buffer, reused
	// Output:
	// [0 0 1 0 1 0]
	// [0 2]
}

func ExampleDataset_Validate() {
	d := datasets.Dataset{X: []float64{0, 1, 2, math.NaN()}, XShape: []int{2}, Labels: []int{0, 1}, Classes: 2}
	fmt.Println(d.Validate())
	// Output: datasets: X row 1, column 1 is NaN
}

func ExampleDataset_Split() {
	iris, err := datasets.Iris()
	if err != nil {
		log.Fatal(err)
	}
	train, val, err := iris.Split(0.2, 42)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Len(), val.Len())
	// Output: 120 30
}

func ExampleIris() {
	d, err := datasets.Iris()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Len(), "flowers of", d.XShape, "features")
	fmt.Println("first:", d.X[:4], datasets.IrisClasses()[d.Labels[0]])
	// Output:
	// 150 flowers of [4] features
	// first: [5.1 3.5 1.4 0.2] setosa
}

func ExampleDecodeIDX() {
	images := []byte{
		0, 0, 8, 3, // magic: uint8, 3 dimensions
		0, 0, 0, 2, // 2 images
		0, 0, 0, 1, // of 1 row
		0, 0, 0, 2, // of 2 columns
		0, 255, // image 0
		51, 102, // image 1
	}
	labels := []byte{
		0, 0, 8, 1, // magic: uint8, 1 dimension
		0, 0, 0, 2, // 2 labels
		3, 9,
	}
	d, err := datasets.DecodeIDX(bytes.NewReader(images), bytes.NewReader(labels))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.XShape, d.X, d.Labels, d.Classes)

	labels[9] = 10
	_, err = datasets.DecodeIDX(bytes.NewReader(images), bytes.NewReader(labels))
	fmt.Println(err)
	// Output:
	// [1 1 2] [0 1 0.2 0.4] [3 9] 10
	// datasets: IDX labels: label 10 of example 1 is outside 0-9
}

// Fashion-MNIST as Debian's dataset-fashion-mnist package installs it.
func ExampleMNIST() {
	train, test, err := datasets.MNIST("/usr/share/datasets/fashion-mnist")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(train.Len(), test.Len(), train.XShape)
}
