package mnist10k_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-bnn/bnn/datasets/mnist10k"
)

func ExampleLoad() {
	train, test, err := mnist10k.Load()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("train:", train.Len(), "digits of", train.XShape)
	fmt.Println("test:", test.Len(), "digits, the first a", test.Labels[0])
	// Output:
	// train: 8000 digits of [1 28 28]
	// test: 2000 digits, the first a 4
}

// Print the first digit in ASCII art.
func ExampleAll() {
	d, err := mnist10k.All()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("label", d.Labels[0])
	for r := 4; r < 24; r += 2 { // every other row of the middle 20x20
		line := ""
		for c := 4; c < 24; c++ {
			switch x := d.X[r*28+c]; {
			case x > 0.5:
				line += "#"
			case x > 0.1:
				line += "+"
			default:
				line += "."
			}
		}
		fmt.Println(line)
	}
	// Output:
	// label 1
	// ..........+###......
	// .........+#####.....
	// ........+######+....
	// ........#######.....
	// ........######......
	// ......+######+......
	// ......+######+......
	// .....######+........
	// ....######+.........
	// ....+#####+.........
}
