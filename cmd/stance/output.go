package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/commentstance/stance/internal/atomicfile"
)

// openOut opens what a command writes to path: the command's standard output for "-", else a
// temporary file that commit renames into place, and that abort (to defer) removes unless it was
// committed, so that a failed command leaves any previous file as it was.
func (e *env) openOut(path string) (w io.Writer, commit func() error, abort func(), err error) {
	if path == "-" {
		return e.stdout, func() error { return nil }, func() {}, nil
	}
	f, err := atomicfile.Create(path)
	if err != nil {
		return nil, nil, nil, err
	}
	return f, f.Commit, f.Abort, nil
}

// where names an output path in a note: "standard output" for "-".
func where(path string) string {
	if path == "-" {
		return "standard output"
	}
	return path
}

// writeOut writes to path ("-": the command's standard output) what write writes, atomically
// (openOut).
func (e *env) writeOut(path string, write func(io.Writer) error) error {
	w, commit, abort, err := e.openOut(path)
	if err != nil {
		return err
	}
	defer abort()
	if err := write(w); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return commit()
}

// writeJSON writes v as one indented JSON document: the json format of every command.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeJSONLines writes each item as a JSON object on a line of its own: the jsonl format.
func writeJSONLines[T any](w io.Writer, items []T) error {
	enc := json.NewEncoder(w)
	for _, it := range items {
		if err := enc.Encode(it); err != nil {
			return err
		}
	}
	return nil
}
