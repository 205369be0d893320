package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Notebook is a Jupyter notebook in nbformat 4. Metadata is kept as raw
// JSON, so that writing an executed notebook back loses none of it.
type Notebook struct {
	Cells         []Cell          `json:"cells"`
	Metadata      json.RawMessage `json:"metadata"`
	NBFormat      int             `json:"nbformat"`
	NBFormatMinor int             `json:"nbformat_minor"`
}

// Cell is one notebook cell.
type Cell struct {
	ID             string          `json:"id,omitempty"`
	CellType       string          `json:"cell_type"`
	Metadata       json.RawMessage `json:"metadata"`
	Source         Source          `json:"source"`
	ExecutionCount *int            `json:"execution_count,omitempty"`
	Outputs        []Output        `json:"outputs,omitempty"`
	Attachments    json.RawMessage `json:"attachments,omitempty"`
}

// MarshalJSON writes a code cell with its execution count (null if it has
// not run) and outputs, and other cells without them, as nbformat wants.
func (c Cell) MarshalJSON() ([]byte, error) {
	type plain Cell // without this method
	if c.CellType != "code" {
		p := plain(c)
		p.ExecutionCount, p.Outputs = nil, nil
		return json.Marshal(p)
	}
	outputs := c.Outputs
	if outputs == nil {
		outputs = []Output{}
	}
	return json.Marshal(struct {
		plain
		ExecutionCount *int     `json:"execution_count"`
		Outputs        []Output `json:"outputs"`
	}{plain(c), c.ExecutionCount, outputs})
}

// Source is a cell's text, stored by Jupyter as one string or a list of
// lines.
type Source string

// UnmarshalJSON accepts both of Jupyter's forms.
func (s *Source) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = Source(one)
		return nil
	}
	var lines []string
	if err := json.Unmarshal(b, &lines); err != nil {
		return fmt.Errorf("cell source is neither a string nor a list of strings: %w", err)
	}
	*s = Source(strings.Join(lines, ""))
	return nil
}

// MarshalJSON writes the list-of-lines form Jupyter itself writes.
func (s Source) MarshalJSON() ([]byte, error) {
	return json.Marshal(splitLines(string(s)))
}

// Output is one output of a code cell, in nbformat 4's shape.
type Output struct {
	OutputType     string            `json:"output_type"`
	Name           string            `json:"name,omitempty"` // stream: stdout or stderr
	Text           Source            `json:"text,omitempty"`
	Data           map[string]Source `json:"data,omitempty"`
	Metadata       *jsonRaw          `json:"metadata,omitempty"`
	ExecutionCount *int              `json:"execution_count,omitempty"`
	EName          string            `json:"ename,omitempty"`
	EValue         string            `json:"evalue,omitempty"`
	Traceback      []string          `json:"traceback,omitempty"`
}

// ReadNotebook reads and parses an .ipynb file.
func ReadNotebook(path string) (*Notebook, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var nb Notebook
	if err := json.Unmarshal(b, &nb); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if nb.NBFormat != 4 {
		return nil, fmt.Errorf("%s: nbformat %d, want 4", path, nb.NBFormat)
	}
	return &nb, nil
}

// CodeCells returns the indices of the notebook's code cells, in order.
func (nb *Notebook) CodeCells() []int {
	var idx []int
	for i, c := range nb.Cells {
		if c.CellType == "code" {
			idx = append(idx, i)
		}
	}
	return idx
}

// Write writes the notebook as indented JSON, as Jupyter does, to path
// through a temporary file, so that a reader never sees half of it.
func (nb *Notebook) Write(path string) error {
	b, err := json.MarshalIndent(nb, "", " ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// splitLines splits s after each newline, keeping the newlines.
func splitLines(s string) []string {
	lines := []string{}
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// jsonRaw is raw JSON, such as an output's metadata.
type jsonRaw = json.RawMessage
