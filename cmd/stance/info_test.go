package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/models"
)

// info says what a model file holds: checked against the sample it was trained on (class
// counts, balanced weights, documents), the config it was trained with (per-head settings) and
// the file as classifier.Load reads it.
func TestInfo(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, []byte("model: {heads: {sentiment: {c: 0.5, conjoin: false}, stance: {word_weight: 0.5}}}\n"))
	model := filepath.Join(dir, "m.stance")
	mustStance(t, "", "train", "-q", "--config", cfg, "--max-iter", "5", "--data", sampleComments, "--articles", sampleArticles, "--model", model)

	// What the sample says, read apart from the project's readers.
	f, err := os.Open(sampleComments)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(recs[0], name) }
	articles := map[string]bool{}
	counts := map[string]map[string]int{"stance": {}, "sentiment": {}}
	for _, r := range recs[1:] {
		articles[r[col("article_id")]] = true
		for h := range counts {
			counts[h][r[col(h)]]++
		}
	}

	var in struct {
		Bytes     int64 `json:"bytes"`
		Format    int   `json:"format"`
		Documents int   `json:"idf_documents"`
		Kept      int   `json:"kept_features"`
		Features  struct {
			Bits int `json:"bits"`
		} `json:"features"`
		Heads []struct {
			Name     string    `json:"name"`
			Classes  []string  `json:"classes"`
			Counts   []int     `json:"class_counts"`
			Weights  []float64 `json:"class_weights"`
			Settings struct {
				C          float64 `json:"c"`
				Conjoin    bool    `json:"conjoin"`
				WordWeight float64 `json:"word_weight"`
			} `json:"settings"`
			Train models.TrainInfo `json:"train"`
		} `json:"heads"`
	}
	out := mustStance(t, "", "info", "--model", model, "--format", "json").stdout
	if err := json.Unmarshal([]byte(out), &in); err != nil {
		t.Fatalf("info --format json does not parse: %v\n%s", err, out)
	}
	st, err := os.Stat(model)
	if err != nil {
		t.Fatal(err)
	}
	if in.Bytes != st.Size() || in.Format != classifier.FormatVersion {
		t.Errorf("bytes %d format %d, want %d and %d", in.Bytes, in.Format, st.Size(), classifier.FormatVersion)
	}
	if want := len(recs) - 1 + len(articles); in.Documents != want {
		t.Errorf("IDF from %d documents, want %d comments and articles", in.Documents, want)
	}
	m := loadModelFile(t, model)
	kept := 0
	for i := range uint32(1) << in.Features.Bits {
		if m.Extractor.IDF(i) != 0 {
			kept++
		}
	}
	if in.Kept != kept || kept == 0 {
		t.Errorf("%d features kept, the model has an IDF for %d", in.Kept, kept)
	}
	want := map[string][3]any{"sentiment": {0.5, false, 1.0}, "stance": {1.0, true, 0.5}}
	if len(in.Heads) != len(m.Heads) {
		t.Fatalf("%d heads, the model has %d", len(in.Heads), len(m.Heads))
	}
	for i, h := range in.Heads {
		mh := m.Heads[i]
		if h.Name != mh.Name || !slices.Equal(h.Classes, mh.Classes) || h.Train != mh.Info {
			t.Errorf("head %d: %s %v %+v, the model has %s %v %+v", i, h.Name, h.Classes, h.Train, mh.Name, mh.Classes, mh.Info)
		}
		n := 0
		for _, c := range counts[h.Name] {
			n += c
		}
		for k, c := range h.Classes {
			if h.Counts[k] != counts[h.Name][c] {
				t.Errorf("head %s class %s: %d rows, the sample has %d", h.Name, c, h.Counts[k], counts[h.Name][c])
			}
			// balanced: n / (classes * count)
			if w := float64(n) / float64(len(h.Classes)*counts[h.Name][c]); fmt.Sprintf("%.12f", h.Weights[k]) != fmt.Sprintf("%.12f", w) {
				t.Errorf("head %s class %s: weight %v, want %v", h.Name, c, h.Weights[k], w)
			}
		}
		if got := [3]any{h.Settings.C, h.Settings.Conjoin, h.Settings.WordWeight}; got != want[h.Name] {
			t.Errorf("head %s: settings %v, the config gave %v", h.Name, got, want[h.Name])
		}
	}

	// The table says the same (compared with each run of spaces as one: the columns' width
	// follows the longest label).
	table := mustStance(t, "", "info", "--model", model).stdout
	table = regexp.MustCompile(` +`).ReplaceAllString(table, " ")
	for _, line := range []string{
		fmt.Sprintf("file %d bytes, model format %d, checksums verified", st.Size(), classifier.FormatVersion),
		fmt.Sprintf("%d kept, IDF from %d documents", kept, in.Documents),
		"\nhead stance\n",
		fmt.Sprintf(" rows %d %d %d (%d)", in.Heads[1].Counts[0], in.Heads[1].Counts[1], in.Heads[1].Counts[2], len(recs)-1),
		" settings c=0.5 conjoin=false article_words=true relation=true class_weight=balanced word_weight=1",
		" settings c=1 conjoin=true conjoin_weight=1 article_words=true relation=true class_weight=balanced word_weight=0.5",
		fmt.Sprintf(" training %d iterations, %s", in.Heads[0].Train.Iterations, in.Heads[0].Train.Status),
		"tuning none: the configured settings",
		"8 articles known",
		" unseen articles scored by the same model",
	} {
		if !strings.Contains(table, line) {
			t.Errorf("the table lacks %q:\n%s", line, table)
		}
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"info"}, "no model: give --model FILE"},
		{[]string{"info", "--model", sampleComments}, "model " + sampleComments + ": not a stance model file: it does not start with the model file signature"},
		{[]string{"info", "--model", model, "--format", "csv"}, `--format "csv": want table or json`},
		{[]string{"info", "--model", model, "extra"}, `stance info takes no arguments, got "extra" (see 'stance info --help')`},
	} {
		if r := stance(t, "", tt.args...); r.code != exitUsage || lastLine(r.stderr) != "stance: "+tt.want || r.stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want a usage error %q", tt.args, r.code, r.stdout, r.stderr, tt.want)
		}
	}
}
