package main

import (
	"html"
	"path/filepath"
	"strings"
	"testing"
)

// TestReportNamesArticlesAndVersion: evaluate --report's data line names the articles file
// (--articles, or articles.file of the config), and its footer the program's real version.
func TestReportNamesArticlesAndVersion(t *testing.T) {
	model := sampleModel(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "articles.yaml")
	writeFile(t, cfg, []byte("articles:\n  file: "+sampleArticles+"\n"))
	for _, args := range [][]string{{"--articles", sampleArticles}, {"--config", cfg}} {
		path := filepath.Join(dir, "r.html")
		mustStance(t, "", append([]string{"evaluate", "-q", "--model", model, "--data", sampleComments, "--report", path}, args...)...)
		page := string(readFile(t, path))
		if want := `<dt>articles</dt><dd><code dir="auto">` + html.EscapeString(sampleArticles) + `</code></dd>`; !strings.Contains(page, want) {
			t.Errorf("%v: the report lacks %q", args, want)
		}
		if want := "made by stance " + versionString() + "<"; !strings.Contains(page, want) || strings.Contains(page, "(devel)") {
			t.Errorf("%v: the footer does not say %q", args, want)
		}
	}
}
