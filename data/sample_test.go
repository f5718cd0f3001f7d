package data

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestSample reads the project's own sample corpus (data/sample, see its README.md) the way the
// quickstart does: comments joined to their articles, labels required, nothing skipped.
func TestSample(t *testing.T) {
	articles := &ArticleSource{Path: filepath.Join("sample", "articles.csv"), Key: "article_id", Text: "article"}
	for _, f := range []struct {
		name   string
		labels bool
	}{{"comments.csv", true}, {"new_comments.csv", false}} {
		t.Run(f.name, func(t *testing.T) {
			p := filepath.Join("sample", f.name)
			if _, err := os.Stat(p); errors.Is(err, os.ErrNotExist) {
				t.Skipf("%s not written yet", p)
			}
			cs, skips, err := ReadAll(p, Schema{Articles: articles, RequireLabels: f.labels, Strict: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) == 0 || len(skips) > 0 {
				t.Fatalf("%d comments, %d skipped", len(cs), len(skips))
			}
			for _, c := range cs {
				if c.ID == "" || c.Article == "" || (f.labels && len(c.Labels) != 2) {
					t.Errorf("%s:%d: id %q, article %.20q, labels %v", c.File, c.Line, c.ID, c.Article, c.Labels)
				}
			}
		})
	}
}
