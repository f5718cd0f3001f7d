package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
)

// The floor pass reads every comment of the sample and hashes as many n-grams as the model's
// extractor does, for any number of workers.
func TestFloorCountsEveryComment(t *testing.T) {
	schema := data.Schema{Articles: &data.ArticleSource{Path: "../../data/sample/articles.csv", Key: "article_id", Text: "article"}, RequireLabels: true}
	comments, _, err := data.ReadAll("../../data/sample/comments.csv", schema)
	if err != nil {
		t.Fatal(err)
	}
	var ex []classifier.Example
	for _, c := range comments {
		ex = append(ex, classifier.Example{Text: c.Text, Article: c.Article, Labels: c.Labels})
	}
	cfg := classifier.DefaultConfig()
	cfg.Features.Bits = 16
	m, err := classifier.Train(ex, []string{"stance"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.stance")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	w, _ := m.Extractor.NewWorker()
	want := 0
	for _, e := range ex {
		want += w.Hash(e.Text)
	}
	for _, workers := range []int{1, 3} {
		var out bytes.Buffer
		if err := run(&out, path, "../../data/sample/comments.csv", data.Schema{Labels: map[string]string{}}, workers); err != nil {
			t.Fatal(err)
		}
		var got struct{ Rows, Ngrams int }
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Rows != len(ex) || got.Ngrams != want {
			t.Errorf("workers=%d: %d rows, %d n-grams; want %d rows, %d n-grams", workers, got.Rows, got.Ngrams, len(ex), want)
		}
	}
}
