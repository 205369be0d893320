package cpufeature

import (
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestAgreesWithKernel checks the answers against the flags Linux reports
// in /proc/cpuinfo (which the kernel clears when the OS does not enable
// the state), where that file exists.
func TestAgreesWithKernel(t *testing.T) {
	if AVX512F() && !AVX2FMA() {
		t.Error("AVX512F without AVX2FMA")
	}
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil || runtime.GOARCH != "amd64" {
		t.Skip("no /proc/cpuinfo on amd64")
	}
	var flags map[string]bool
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "flags" {
			flags = map[string]bool{}
			for _, f := range strings.Fields(v) {
				flags[f] = true
			}
			break
		}
	}
	if flags == nil {
		t.Skip("no flags line in /proc/cpuinfo")
	}
	if want := flags["avx2"] && flags["fma"]; AVX2FMA() != want {
		t.Errorf("AVX2FMA() = %v, /proc/cpuinfo says %v", AVX2FMA(), want)
	}
	if want := flags["avx2"] && flags["fma"] && flags["avx512f"]; AVX512F() != want {
		t.Errorf("AVX512F() = %v, /proc/cpuinfo says %v", AVX512F(), want)
	}
}
