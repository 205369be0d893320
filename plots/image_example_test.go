package plots_test

import (
	"fmt"
	"log"

	"github.com/gorgonia-bnn/bnn/plots"
)

func ExampleImage() {
	b, err := plots.Digits("a diagonal stroke", [][]float64{{1, 0, 0, 0, 1, 0, 0, 0, 1}}, 1, 1, []string{"3 x 3"})
	if err != nil {
		log.Fatal(err)
	}
	img, err := plots.Image(b) // a notebook shows this value inline
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Bounds().Dx(), "x", img.Bounds().Dy(), "pixels")
	// Output: 106 x 139 pixels
}
