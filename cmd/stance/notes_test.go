package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// notes are the lines of stderr that begin "note: " and contain every one of words.
func notes(stderr string, words ...string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if !strings.HasPrefix(l, "note: ") {
			continue
		}
		all := true
		for _, w := range words {
			all = all && strings.Contains(l, w)
		}
		if all {
			out = append(out, l)
		}
	}
	return out
}

// TestNotesOnSilentLoss: each way of losing what the model is built around without an error
// gets one line of note on stderr (none with -q, none when nothing is lost).
func TestNotesOnSilentLoss(t *testing.T) {
	model := sampleModel(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "first100.csv")
	recs := readCSV(t, string(readFile(t, sampleComments)))
	writeCSV(t, first, recs[:101])

	for _, tt := range []struct {
		name  string
		args  []string
		words []string // of the one note; nil: no note at all
	}{
		{"train without --articles, rows with article ids",
			[]string{"train", "--no-tune", "--data", sampleComments, "--model", filepath.Join(dir, "a.stance")},
			[]string{"article_id", "no article text", "--articles"}},
		{"train with --articles",
			[]string{"train", "--no-tune", "--data", sampleComments, "--articles", sampleArticles, "--model", filepath.Join(dir, "b.stance")}, nil},
		{"score without an article, model trained with articles",
			[]string{"score", "--model", model, "About time", "No way"},
			[]string{"2 comments", "without an article", "trained with articles", "--article"}},
		{"score with --article", []string{"score", "--model", model, "--article", "Council approves a congestion charge", "About time"}, nil},
		{"evaluate the model on its own training rows",
			[]string{"evaluate", "--model", model, "--data", sampleComments, "--articles", sampleArticles},
			[]string{"training rows", "--cv"}},
		{"evaluate the model on some of them", []string{"evaluate", "--model", model, "--data", first, "--articles", sampleArticles}, nil},
		{"evaluate --by group without a group column",
			[]string{"evaluate", "--model", model, "--data", first, "--articles", sampleArticles, "--by", "group"},
			[]string{"--by group", `no group column ("group"`}},
		{"summarize --by group without a group column",
			[]string{"summarize", "--model", model, "--data", sampleNew, "--articles", sampleArticles, "--by", "group"},
			[]string{"--by group", `no group column ("group"`}},
		{"summarize --by article", []string{"summarize", "--model", model, "--data", sampleNew, "--articles", sampleArticles}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := mustStance(t, "", tt.args...)
			all := notes(r.stderr)
			if tt.words == nil {
				if len(all) > 0 {
					t.Errorf("notes where nothing is lost: %q", all)
				}
				return
			}
			if got := notes(r.stderr, tt.words...); len(got) != 1 || len(all) != 1 {
				t.Errorf("want one note with %q; notes %q\nstderr: %s", tt.words, all, r.stderr)
			}
			if q := mustStance(t, "", append([]string{"-q"}, tt.args...)...); q.stderr != "" {
				t.Errorf("-q printed %q", q.stderr)
			}
		})
	}
}

// TestEdgeOfTheGridNotes: with tune.c giving one value besides the configured c (1), each
// model's choice of c is the largest or the smallest tried, and train and every fold of
// evaluate --cv say so, once per head and model.
func TestEdgeOfTheGridNotes(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	writeFile(t, cfg, []byte("tune:\n  c: [3]\n"))
	r := mustStance(t, "", "train", "--config", cfg, "--data", sampleComments, "--articles", sampleArticles, "--model", filepath.Join(dir, "m.stance"))
	m := loadModelFile(t, filepath.Join(dir, "m.stance"))
	want := 0
	for _, ch := range m.Tuning.Choices {
		want++
		if ch.Unseen != nil {
			want++
		}
	}
	if got := notes(r.stderr, "the edge of the values of c tried", "a wider tune.c may do better"); len(got) != want || want < 2 {
		t.Errorf("%d edge notes, want one per model (%d):\n%s", len(got), want, r.stderr)
	}
	if testing.Short() {
		t.Skip("nested cross-validation; skipped with -short")
	}
	r = mustStance(t, "", "evaluate", "--config", cfg, "--cv", "2", "--data", sampleComments, "--articles", sampleArticles, "--format", "json")
	for _, f := range []string{"fold 1: ", "fold 2: "} {
		if got := notes(r.stderr, f, "the edge of the values of c tried"); len(got) < 2 {
			t.Errorf("%s: %d edge notes, want at least one per head:\n%s", f, len(got), r.stderr)
		}
	}
}
