package main

// Helpers shared by the command tests. The tests call run, which is main without os.Exit, on
// the project's own sample (data/sample, described in its README.md); only the signal tests
// run a built binary (signal_test.go).

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/commentstance/stance/classifier"
)

// The sample corpus (data/sample/README.md): 281 labelled comments on 8 articles, and 20
// unlabelled ones for scoring.
const (
	sampleDir      = "../../data/sample"
	sampleComments = sampleDir + "/comments.csv"
	sampleArticles = sampleDir + "/articles.csv"
	sampleNew      = sampleDir + "/new_comments.csv"
	nSample        = 281
	nNew           = 20
)

// shared holds files made once for the whole test binary (the sample model, the built
// binary); TestMain removes it.
var shared string

func TestMain(m *testing.M) {
	// STANCE_* variables of the developer's shell would change every setting under test.
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "STANCE_") {
			os.Unsetenv(k)
		}
	}
	dir, err := os.MkdirTemp("", "stance-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what one run of the command gave.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstderr: %s\nstdout: %.400s", r.code, r.stderr, r.stdout)
}

// stance runs the command line args with stdin as standard input.
func stance(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

// mustStance runs args and fails the test unless they succeed.
func mustStance(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	r := stance(t, stdin, args...)
	if r.code != exitOK {
		t.Fatalf("stance %s: %v", strings.Join(args, " "), r)
	}
	return r
}

var (
	modelOnce sync.Once
	modelPath string
	modelErr  string
)

// sampleModel returns the path of a model trained once on the sample with the default
// settings. Tests read it and never write it.
func sampleModel(t *testing.T) string {
	t.Helper()
	modelOnce.Do(func() {
		p := filepath.Join(shared, "sample.stance")
		var stdout, stderr bytes.Buffer
		args := []string{"train", "-q", "--data", sampleComments, "--articles", sampleArticles, "--model", p}
		if code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr); code != exitOK {
			modelErr = fmt.Sprintf("training the sample model: exit %d: %s", code, stderr.String())
			return
		}
		modelPath = p
	})
	if modelErr != "" {
		t.Fatal(modelErr)
	}
	return modelPath
}

func loadModelFile(t *testing.T, path string) *classifier.Model {
	t.Helper()
	m, err := classifier.Load(path)
	if err != nil {
		t.Fatalf("the model written by train does not load: %v", err)
	}
	return m
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readCSV parses a whole CSV text.
func readCSV(t *testing.T, text string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%.400s", err, text)
	}
	return recs
}

// column returns column name of a CSV file (header first), in row order.
func column(t *testing.T, path, name string) []string {
	t.Helper()
	recs := readCSV(t, string(readFile(t, path)))
	i := indexOf(recs[0], name)
	if i < 0 {
		t.Fatalf("%s has no column %q: %v", path, name, recs[0])
	}
	var out []string
	for _, r := range recs[1:] {
		out = append(out, r[i])
	}
	return out
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// tempFiles lists the temporary files that atomicfile leaves in dir while it writes
// (".NAME.tmp-*"): after a command ends, successful or not, there must be none.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") && strings.Contains(e.Name(), ".tmp-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func checkNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	if tm := tempFiles(t, dir); len(tm) > 0 {
		t.Errorf("temporary files left in %s: %v", dir, tm)
	}
}

// repeatComments writes a CSV of n comments made by cycling through the rows of src (a sample
// file), each with a fresh id, and returns its path. extra rows are appended verbatim.
func repeatComments(t *testing.T, dir, name, src string, n int, extra ...[]string) string {
	t.Helper()
	recs := readCSV(t, string(readFile(t, src)))
	header, rows := recs[0], recs[1:]
	id := indexOf(header, "id")
	out := [][]string{header}
	for i := range n {
		row := append([]string(nil), rows[i%len(rows)]...)
		row[id] = fmt.Sprintf("r%07d", i)
		out = append(out, row)
	}
	path := filepath.Join(dir, name)
	writeCSV(t, path, append(out, extra...))
	return path
}

func writeCSV(t *testing.T, path string, recs [][]string) {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(recs)
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b.Bytes())
}

// lastLine is stderr's last line without its newline: the one run prints for a failed command
// ("stance: " and the error), after any notes. Tests of errors compare it whole.
func lastLine(stderr string) string {
	s := strings.TrimSuffix(stderr, "\n")
	return s[strings.LastIndex(s, "\n")+1:]
}
