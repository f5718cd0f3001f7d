package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// exportHeader is export's header for the sample model: id, article_id, then per head (in the
// model's order) the label, one probability per class and the signed score.
var exportHeader = []string{"id", "article_id",
	"sentiment", "sentiment_NEGATIVE", "sentiment_NEUTRAL", "sentiment_POSITIVE", "sentiment_score",
	"stance", "stance_AGAINST", "stance_FAVOR", "stance_NONE", "stance_score"}

func TestExport(t *testing.T) {
	model := sampleModel(t)
	for _, tt := range []struct {
		name string
		data string
		args []string
	}{
		{"unlabelled comments", sampleNew, []string{"--articles", sampleArticles}},
		{"labelled comments, labels ignored", sampleComments, []string{"--articles", sampleArticles}},
		{"without articles", sampleNew, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "scores.csv")
			args := append([]string{"export", "--model", model, "--data", tt.data, "--out", out}, tt.args...)
			r := mustStance(t, "", args...)
			if r.stdout != "" {
				t.Errorf("export to a file printed on stdout: %.200s", r.stdout)
			}
			recs := readCSV(t, string(readFile(t, out)))
			if !slices.Equal(recs[0], exportHeader) {
				t.Fatalf("header %v,\nwant %v", recs[0], exportHeader)
			}
			if got, want := column(t, out, "id"), column(t, tt.data, "id"); !slices.Equal(got, want) {
				t.Errorf("ids %d rows, not those of the input (%d rows) in order", len(got), len(want))
			}
			if got, want := column(t, out, "article_id"), column(t, tt.data, "article_id"); !slices.Equal(got, want) {
				t.Errorf("article ids not those of the input in order")
			}
			for _, row := range recs[1:] {
				checkScored(t, scoredFromColumns(t, recs[0], row), 3e-4)
			}
			if !strings.Contains(r.stderr, "scores written to "+out) {
				t.Errorf("stderr: %s", r.stderr)
			}
			checkNoTempFiles(t, dir)

			// --out - writes the same bytes to standard output.
			args = append([]string{"export", "--model", model, "--data", tt.data, "--out", "-"}, tt.args...)
			if r := mustStance(t, "", args...); r.stdout != string(readFile(t, out)) {
				t.Errorf("--out - wrote %d bytes, --out FILE %d", len(r.stdout), len(readFile(t, out)))
			}
		})
	}
}

// TestExportWorkers checks that the output does not depend on the number of scoring
// goroutines, on an input of many batches.
func TestExportWorkers(t *testing.T) {
	model := sampleModel(t)
	dir := t.TempDir()
	n := 3000 // a dozen of ScoreStream's batches of 256 comments, for the workers to race on
	if testing.Short() {
		n = 600
	}
	data := repeatComments(t, dir, "many.csv", sampleNew, n)
	var first []byte
	for _, workers := range []string{"1", "4", "2"} {
		out := filepath.Join(dir, "w"+workers+".csv")
		mustStance(t, "", "export", "-q", "--model", model, "--data", data, "--articles", sampleArticles, "--out", out, "--workers", workers)
		got := readFile(t, out)
		if first == nil {
			first = got
			if lines := bytes.Count(got, []byte("\n")); lines != n+1 {
				t.Fatalf("--workers %s: %d lines, want %d", workers, lines, n+1)
			}
			continue
		}
		if !bytes.Equal(got, first) {
			t.Errorf("--workers %s: output differs from --workers 1", workers)
		}
	}
}

// TestExportFailureKeepsOutput checks project convention 5 for export: a run that fails mid-way
// leaves an existing output file as it was (or none, if there was none), and no temporary file.
func TestExportFailureKeepsOutput(t *testing.T) {
	model := sampleModel(t)
	src := t.TempDir()
	// The bad row comes after more than 64 KiB of output (some 95 bytes a row), atomicfile's
	// buffer, so part of the output has reached the temporary file when the export fails.
	const good = 1500
	unknown := repeatComments(t, src, "unknown-article.csv", sampleNew, good, []string{"x1", "no-such-article", "hello", "2026-11-09T10:00:00Z"})
	badUTF8 := repeatComments(t, src, "bad-utf8.csv", sampleNew, good, []string{"x1", "en-wind-farm", "caf\xe9", "2026-11-09T10:00:00Z"})
	for _, tt := range []struct {
		name     string
		args     []string
		previous bool // an output file exists before the run
		code     int
		want     string
	}{
		{"article missing from --articles", []string{"--data", unknown, "--articles", sampleArticles}, true, exitUsage, unknown + `:1502: field "article_id": no article with this id in ` + sampleArticles + `; want an id of that file (is it the article file of the same split?); got "no-such-article"`},
		{"article missing, new output", []string{"--data", unknown, "--articles", sampleArticles}, false, exitUsage, unknown + `:1502: field "article_id": no article with this id in ` + sampleArticles + `; want an id of that file (is it the article file of the same split?); got "no-such-article"`},
		{"invalid UTF-8 with --strict", []string{"--strict", "--data", badUTF8, "--articles", sampleArticles}, true, exitUsage, badUTF8 + `:1502: field "text": invalid UTF-8 at byte 3; want UTF-8 text (convert the file with iconv); got "caf\xe9"`},
		{"bad model", []string{"--data", sampleNew, "--model", sampleComments}, true, exitUsage, "model " + sampleComments + ": not a stance model file: it does not start with the model file signature"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if testing.Short() && strings.Contains(tt.name, "new output") {
				t.Skip("another 1,500 rows; skipped with -short")
			}
			dir := t.TempDir()
			out := filepath.Join(dir, "scores.csv")
			previous := []byte("id,article_id\nold,row\n")
			if tt.previous {
				writeFile(t, out, previous)
			}
			args := append([]string{"export", "--model", model, "--out", out}, tt.args...)
			r := stance(t, "", args...)
			if r.code != tt.code || lastLine(r.stderr) != "stance: "+tt.want {
				t.Errorf("got %v\nwant exit %d and %q", r, tt.code, tt.want)
			}
			if tt.previous {
				if got := readFile(t, out); !bytes.Equal(got, previous) {
					t.Errorf("the failed export changed the output file: %.200q", got)
				}
			} else if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the failed export created its output file (%v)", err)
			}
			checkNoTempFiles(t, dir)
		})
	}
}
