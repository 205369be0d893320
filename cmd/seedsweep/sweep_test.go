package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for an example: with
// SEEDSWEEP_FAKE_EXAMPLE set it prints what an example would, a log line
// and then figures that depend on its -seed.
func TestMain(m *testing.M) {
	if os.Getenv("SEEDSWEEP_FAKE_EXAMPLE") == "" {
		os.Exit(m.Run())
	}
	args := os.Args[1:]
	i := slices.Index(args, "-seed")
	if i < 0 || i+1 >= len(args) || !slices.Contains(args, "-json") {
		fmt.Fprintln(os.Stderr, "want -json -seed N, got", args)
		os.Exit(2)
	}
	seed, err := strconv.Atoi(args[i+1])
	if err != nil || seed == 13 {
		fmt.Fprintln(os.Stderr, "unlucky seed")
		os.Exit(3)
	}
	fmt.Println("training...")
	fmt.Printf(`{"rmse":%d,"name":"sine","coverage":%g,"seed":%d,"ok":true}`+"\n", seed, 1/float64(seed), seed)
	os.Exit(0)
}

func TestParseSeeds(t *testing.T) {
	got, err := parseSeeds("1-3, 7,10-11")
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint64{1, 2, 3, 7, 10, 11}; !slices.Equal(got, want) {
		t.Errorf("seeds %v, want %v", got, want)
	}
	for _, bad := range []string{"", "a", "3-1", "1-", "1,,2", "-1"} {
		if _, err := parseSeeds(bad); err == nil {
			t.Errorf("parseSeeds(%q): no error", bad)
		}
	}
}

func TestSweepSummarisesEveryNumericFigure(t *testing.T) {
	t.Setenv("SEEDSWEEP_FAKE_EXAMPLE", "1")
	seeds, _ := parseSeeds("1-4")
	runs, err := sweep(context.Background(), seeds, 2, io.Discard, os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	stats, err := summarize(runs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Stat{
		{Figure: "rmse", Median: 2.5, Min: 1, Max: 4, N: 4},
		{Figure: "coverage", Median: (0.5 + 1.0/3) / 2, Min: 0.25, Max: 1, N: 4},
	}
	if len(stats) != len(want) {
		t.Fatalf("stats %+v, want %+v", stats, want)
	}
	for i, w := range want {
		g := stats[i]
		if g.Figure != w.Figure || g.N != w.N || math.Abs(g.Median-w.Median) > 1e-12 || g.Min != w.Min || g.Max != w.Max {
			t.Errorf("stat %d = %+v, want %+v", i, g, w)
		}
	}
	var b strings.Builder
	if err := writeTable(&b, stats); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| rmse | 2.5 | 1 | 4 | 4 |") {
		t.Errorf("table lacks the rmse row:\n%s", b.String())
	}
}

func TestSweepNamesTheFailingSeed(t *testing.T) {
	t.Setenv("SEEDSWEEP_FAKE_EXAMPLE", "1")
	_, err := sweep(context.Background(), []uint64{12, 13}, 1, io.Discard, os.Args[0])
	if err == nil || !strings.Contains(err.Error(), "seed 13") || !strings.Contains(err.Error(), "unlucky seed") {
		t.Fatalf("error %v, want one naming seed 13 and its stderr", err)
	}
}
