package atomicfile_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/gorgonia-bnn/bnn/internal/atomicfile"
)

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	path := filepath.Join(dir, "result.txt")
	if err := atomicfile.WriteFile(path, []byte("rmse 0.041\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output: rmse 0.041
}

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "atomicfile")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	path := filepath.Join(dir, "metrics.json")
	metrics := map[string]float64{"accuracy": 0.97, "ece": 0.012}
	err = atomicfile.Write(path, 0o644, func(w io.Writer) error {
		return json.NewEncoder(w).Encode(metrics)
	})
	if err != nil {
		log.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output: {"accuracy":0.97,"ece":0.012}
}
