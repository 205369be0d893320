package optim

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/gorgonia-bnn/bnn/internal/atomicfile"
)

// Reporter receives every epoch of a Fit, after validation.
type Reporter interface {
	Report(e EpochInfo) error
}

// Report adds reporters; each epoch goes to them in the order given.
func Report(rs ...Reporter) TrainerOption {
	return func(t *Trainer) error {
		for i, r := range rs {
			if r == nil {
				return fmt.Errorf("optim: Report: reporter %d is nil", i)
			}
		}
		t.reports = append(t.reports, rs...)
		return nil
	}
}

// EpochHook is called after every epoch of a Fit, after the reporters,
// with the trainer at an epoch boundary (its state is that of a Fit that
// ended there). The checkpoint package's Periodic saves checkpoints
// through it. An error stops the Fit and is returned.
type EpochHook interface {
	AfterEpoch(t *Trainer, e EpochInfo) error
}

// EpochHookFunc adapts a function to EpochHook.
type EpochHookFunc func(t *Trainer, e EpochInfo) error

// AfterEpoch returns f(t, e).
func (f EpochHookFunc) AfterEpoch(t *Trainer, e EpochInfo) error { return f(t, e) }

// OnEpoch adds hooks, called in the order given.
func OnEpoch(hooks ...EpochHook) TrainerOption {
	return func(t *Trainer) error {
		for i, h := range hooks {
			if h == nil {
				return fmt.Errorf("optim: OnEpoch: hook %d is nil", i)
			}
		}
		t.hooks = append(t.hooks, hooks...)
		return nil
	}
}

// Console returns a reporter that writes one line per epoch to w.
func Console(w io.Writer) Reporter { return console{w} }

type console struct{ w io.Writer }

func (c console) Report(e EpochInfo) error {
	var b strings.Builder
	fmt.Fprintf(&b, "epoch %d  %s", e.Epoch+1, lossParts(e.Loss, e.Fit, e.KL))
	if e.Validated {
		fmt.Fprintf(&b, "  val_loss %.5g  val_fit %.5g", e.ValLoss, e.ValFit)
		for _, k := range sortedNames(e.Metrics) {
			fmt.Fprintf(&b, "  %s %.5g", k, e.Metrics[k])
		}
	}
	fmt.Fprintf(&b, "  %.2fs\n", e.Seconds)
	_, err := io.WriteString(c.w, b.String())
	return err
}

func sortedNames(m map[string]float64) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// CSV is a reporter that writes one row per epoch to a CSV file, under a
// header of the values' names (epoch, loss, fit, kl, seconds, and with
// validation val_loss, val_fit, val_kl and the metrics in name order).
//
// By default the file is replaced atomically after every epoch with every
// row reported so far, so a reader never sees a torn file. With CSVAppend
// rows are appended to what the file holds (a resumed run's log): the
// header must match, and a last line torn by a crash is dropped first.
type CSV struct {
	path    string
	append  bool
	columns []string
	rows    bytes.Buffer // every row so far, atomic mode
	checked bool         // append mode: the existing file was checked
}

// CSVOption configures a CSV reporter.
type CSVOption func(*CSV)

// CSVAppend makes the reporter append to an existing file.
func CSVAppend() CSVOption { return func(c *CSV) { c.append = true } }

// NewCSV returns a CSV reporter writing to path.
func NewCSV(path string, opts ...CSVOption) (*CSV, error) {
	if path == "" {
		return nil, fmt.Errorf("optim: NewCSV: empty path")
	}
	c := &CSV{path: path}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Report writes the epoch's row.
func (c *CSV) Report(e EpochInfo) error {
	cols := []string{"epoch", "loss", "fit", "kl", "seconds"}
	if e.Validated {
		cols = append(cols, "val_loss", "val_fit", "val_kl")
		cols = append(cols, sortedNames(e.Metrics)...)
	}
	if c.columns == nil {
		c.columns = cols
	} else if !slices.Equal(cols, c.columns) {
		return fmt.Errorf("optim: CSV %s: epoch %d has the values %v, the file's columns are %v", c.path, e.Epoch, cols, c.columns)
	}
	row := make([]string, len(cols))
	for i, name := range cols {
		if name == "epoch" {
			row[i] = strconv.Itoa(e.Epoch)
			continue
		}
		v, _ := e.Value(name)
		row[i] = strconv.FormatFloat(v, 'g', -1, 64)
	}
	line := strings.Join(row, ",") + "\n"
	if c.append {
		return c.appendLine(line)
	}
	c.rows.WriteString(line)
	header := strings.Join(c.columns, ",") + "\n"
	return atomicfile.Write(c.path, 0o644, func(w io.Writer) error {
		if _, err := io.WriteString(w, header); err != nil {
			return err
		}
		_, err := w.Write(c.rows.Bytes())
		return err
	})
}

// appendLine appends one row, and the header to a new or empty file. Each
// row goes out in one write and is synced, so a crash loses at most the
// row being written, which the next run drops.
func (c *CSV) appendLine(line string) error {
	header := strings.Join(c.columns, ",") + "\n"
	if !c.checked {
		if err := c.prepareAppend(header); err != nil {
			return err
		}
		c.checked = true
	}
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("optim: CSV: %w", err)
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return fmt.Errorf("optim: CSV %s: %w", c.path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("optim: CSV %s: %w", c.path, err)
	}
	return f.Close()
}

// prepareAppend checks the header of an existing file, drops a torn last
// line, and writes the header to a new or empty file.
func (c *CSV) prepareAppend(header string) error {
	old, err := os.ReadFile(c.path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("optim: CSV: %w", err)
	}
	if len(old) == 0 {
		return atomicfile.WriteFile(c.path, []byte(header), 0o644)
	}
	first, _, _ := strings.Cut(string(old), "\n")
	if first+"\n" != header {
		return fmt.Errorf("optim: CSV %s: the file's header is %q, this run reports %q; append to a file of the same columns, or start a new one",
			c.path, first, strings.TrimSuffix(header, "\n"))
	}
	if old[len(old)-1] != '\n' {
		keep := old[:bytes.LastIndexByte(old, '\n')+1]
		return atomicfile.WriteFile(c.path, keep, 0o644)
	}
	return nil
}

// lossParts writes a loss as the sum it is, "loss L = fit F + kl term T
// (kl K)": with a KL weight of 1/N the term can dwarf the fit, so that the
// loss alone looks flat while the fit falls. A loss with no KL term (a
// deterministic network, a zero weight) is "loss L = fit F".
func lossParts(loss, fit, kl float64) string {
	if loss == fit {
		return fmt.Sprintf("loss %.5g = fit %.5g", loss, fit)
	}
	return fmt.Sprintf("loss %.5g = fit %.5g + kl term %.5g (kl %.5g)", loss, fit, loss-fit, kl)
}
