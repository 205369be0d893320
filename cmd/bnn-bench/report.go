package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// report collects a workload's measurements over the rounds.
type report struct {
	w     workload
	ours  []measurement
	peers [][]measurement // per peer of w
}

func newReport(w workload, withPeers bool) *report {
	r := &report{w: w}
	if withPeers {
		r.peers = make([][]measurement, len(w.Peers))
	}
	return r
}

func (r *report) addOurs(m measurement, err error) error {
	if err != nil {
		return err
	}
	r.ours = append(r.ours, m)
	return nil
}

func (r *report) addPeer(j int, m measurement, err error) error {
	if err != nil {
		return fmt.Errorf("%s: %w", r.w.Peers[j].Label, err)
	}
	r.peers[j] = append(r.peers[j], m)
	return nil
}

// spread is the median and range of one side's figure over the rounds.
type spread struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	PeakMB float64 `json:"peak_rss_mb_median"`
	Rounds int     `json:"rounds"`
}

func spreadOf(ms []measurement) spread {
	v := make([]float64, len(ms))
	mb := make([]float64, len(ms))
	for i, m := range ms {
		v[i], mb[i] = m.Value, m.PeakMB
	}
	return spread{Median: median(v), Min: slices.Min(v), Max: slices.Max(v), PeakMB: median(mb), Rounds: len(ms)}
}

// median of a non-empty slice.
func median(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// peerLine is one peer beside us in the JSON output.
type peerLine struct {
	Library string `json:"library"`
	spread
	// Ratio is the peer's time over ours (ours over the peer's for
	// rates): above 1 we are faster. Memory is the peer's peak over ours.
	Ratio       float64 `json:"speed_ratio"`
	MemoryRatio float64 `json:"memory_ratio"`
}

type line struct {
	Workload string     `json:"workload"`
	Unit     string     `json:"unit"`
	Ours     spread     `json:"ours"`
	Peers    []peerLine `json:"peers,omitempty"`
	Note     string     `json:"note,omitempty"`
}

func (r *report) line() line {
	l := line{Workload: r.w.Name, Unit: r.w.Unit, Ours: spreadOf(r.ours)}
	if r.peers == nil {
		l.Note = "peers not run"
	}
	for j, ms := range r.peers {
		p := peerLine{Library: r.w.Peers[j].Label, spread: spreadOf(ms)}
		p.Ratio = p.Median / l.Ours.Median
		if r.w.Higher {
			p.Ratio = l.Ours.Median / p.Median
		}
		p.MemoryRatio = p.PeakMB / l.Ours.PeakMB
		l.Peers = append(l.Peers, p)
	}
	return l
}

// write prints the reports as JSON lines or as a Markdown table.
func write(w io.Writer, reports []*report, c config) error {
	if c.json {
		enc := json.NewEncoder(w)
		for _, r := range reports {
			if err := enc.Encode(r.line()); err != nil {
				return err
			}
		}
		return nil
	}
	fmt.Fprintf(w, "Medians of %d rounds (min-max); ratio > 1: this library is faster (or smaller).\n\n", c.rounds)
	fmt.Fprintln(w, "| workload | unit | this library | peak MB | peer | peer's figure | peak MB | speed ratio | memory ratio |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
	for _, r := range reports {
		l := r.line()
		ours := fmt.Sprintf("%s (%s-%s)", g(l.Ours.Median), g(l.Ours.Min), g(l.Ours.Max))
		if len(l.Peers) == 0 {
			fmt.Fprintf(w, "| %s | %s | %s | %.0f | %s | | | | |\n", l.Workload, l.Unit, ours, l.Ours.PeakMB, l.Note)
		}
		for _, p := range l.Peers {
			fmt.Fprintf(w, "| %s | %s | %s | %.0f | %s | %s (%s-%s) | %.0f | %.2f | %.2f |\n", l.Workload, l.Unit, ours, l.Ours.PeakMB,
				p.Library, g(p.Median), g(p.Min), g(p.Max), p.PeakMB, p.Ratio, p.MemoryRatio)
		}
	}
	return nil
}

// g formats a figure with about three significant digits, never in
// exponent form.
func g(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func itoa(n int) string { return strconv.Itoa(n) }

// choose returns the named workloads in the order given.
func choose(names string) ([]workload, error) {
	var out []workload
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		i := slices.IndexFunc(workloads, func(w workload) bool { return strings.EqualFold(w.Name, n) })
		if i < 0 {
			known := make([]string, len(workloads))
			for j, w := range workloads {
				known[j] = w.Name
			}
			return nil, fmt.Errorf("unknown workload %q (known: %s)", n, strings.Join(known, ", "))
		}
		out = append(out, workloads[i])
	}
	return out, nil
}
