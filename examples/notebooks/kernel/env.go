package main

import (
	"os"
	"strings"
)

// libraryModule is the module path of the library the notebooks import.
const libraryModule = "github.com/gorgonia-bnn/bnn"

// useLocalLibrary makes the go commands that the interpreter runs to
// compile an import take the library from the local checkout only.
//
// A notebook imports the library by relative path ("../../graph"); the
// interpreter then writes a plugin module with a replace directive to the
// checkout and runs "go get github.com/gorgonia-bnn/bnn/graph" in it. That
// go get also asks the module proxy whether .../graph is a module of its
// own; a proxy that answers 403 instead of 404 (as some mirrors do) makes
// it fail. Marking the library private and its version control off turns
// that question into "not found", so the replace directive wins, and keeps
// the library's name off the checksum database.
func useLocalLibrary() {
	appendEnvList("GOPRIVATE", libraryModule)
	appendEnvList("GOVCS", libraryModule+":off")
}

// appendEnvList adds item to the comma-separated list in the environment
// variable name, unless it is there already.
func appendEnvList(name, item string) {
	old := os.Getenv(name)
	for _, e := range strings.Split(old, ",") {
		if e == item {
			return
		}
	}
	if old != "" {
		item = old + "," + item
	}
	os.Setenv(name, item)
}
