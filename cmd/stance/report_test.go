package main

import (
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvaluateReport checks the plumbing of evaluate --report: the page is written whole to the
// file named, says so on stderr, and leaves no temporary file. What the page shows is
// htmlreport's to test, on its view model.
func TestEvaluateReport(t *testing.T) {
	model := sampleModel(t)
	data := []string{"--data", sampleComments, "--articles", sampleArticles}
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"model", []string{"--model", model}},
		{"cv", []string{"--cv", "3", "--group-by", "article", "--max-iter", "20"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "report.html")
			r := mustStance(t, "", append(append([]string{"evaluate", "--report", path}, tt.args...), data...)...)
			if !strings.Contains(r.stderr, "report written to "+path) {
				t.Errorf("stderr does not say where the report went:\n%s", r.stderr)
			}
			checkNoTempFiles(t, dir)
			page := string(readFile(t, path))
			if !strings.HasPrefix(page, "<!DOCTYPE html>\n") || !strings.HasSuffix(page, "</html>\n") {
				t.Errorf("the report is not a whole page:\n%.200s ... %s", page, page[max(0, len(page)-200):])
			}
			d := xml.NewDecoder(strings.NewReader(strings.TrimPrefix(page, "<!DOCTYPE html>\n")))
			for {
				if _, err := d.Token(); err != nil {
					if err.Error() != "EOF" {
						t.Fatalf("the report is not well-formed: %v", err)
					}
					break
				}
			}
		})
	}
}
