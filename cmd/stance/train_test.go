package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/commentstance/stance/classifier"
)

func TestTrain(t *testing.T) {
	comments := string(readFile(t, sampleComments))
	for _, tt := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"csv with articles", "", []string{"--data", sampleComments, "--articles", sampleArticles}},
		{"csv without articles", "", []string{"--data", sampleComments}},
		{"standard input", comments, []string{"--data", "-", "--articles", sampleArticles}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			model := filepath.Join(t.TempDir(), "out.stance")
			r := mustStance(t, tt.stdin, append([]string{"train", "--model", model}, tt.args...)...)
			if !strings.Contains(r.stderr, "trained on 281 comments") || !strings.Contains(r.stderr, "model written to "+model) {
				t.Errorf("stderr does not report the training:\n%s", r.stderr)
			}
			m := loadModelFile(t, model)
			want := map[string][]string{
				"sentiment": {"NEGATIVE", "NEUTRAL", "POSITIVE"},
				"stance":    {"AGAINST", "FAVOR", "NONE"},
			}
			if got := m.HeadNames(); !slices.Equal(got, []string{"sentiment", "stance"}) {
				t.Fatalf("heads %v, want [sentiment stance]", got)
			}
			for _, h := range m.Heads {
				if !slices.Equal(h.Classes, want[h.Name]) {
					t.Errorf("head %s: classes %v, want %v", h.Name, h.Classes, want[h.Name])
				}
			}
			checkNoTempFiles(t, filepath.Dir(model))
		})
	}
}

// TestTrainQuiet checks that -q silences the progress notes.
func TestTrainQuiet(t *testing.T) {
	dir := t.TempDir()
	data := repeatComments(t, dir, "small.csv", sampleComments, 60)
	r := mustStance(t, "", "train", "-q", "--data", data, "--model", filepath.Join(dir, "out.stance"), "--max-iter", "5")
	if r.stderr != "" || r.stdout != "" {
		t.Errorf("-q printed:\n%v", r)
	}
}

// TestTrainDeterministic checks project convention 6: the same data and settings give the
// same model bytes, whatever the number of workers.
func TestTrainDeterministic(t *testing.T) {
	dir := t.TempDir()
	want := readFile(t, sampleModel(t)) // trained with workers: 0, all cores
	workers := []string{"1", "2", "2", "4"}
	if testing.Short() {
		workers = workers[:2]
	}
	for _, workers := range workers {
		model := filepath.Join(dir, "w"+workers+".stance")
		mustStance(t, "", "train", "-q", "--data", sampleComments, "--articles", sampleArticles, "--model", model, "--workers", workers)
		if got := readFile(t, model); !bytes.Equal(got, want) {
			t.Errorf("--workers %s: model of %d bytes differs from the first one (%d bytes)", workers, len(got), len(want))
		}
	}
}

// TestTrainFailureKeepsModel checks project convention 5 for train: a run that fails leaves an
// existing model file as it was, and no temporary file.
func TestTrainFailureKeepsModel(t *testing.T) {
	src := t.TempDir()
	sample := readCSV(t, string(readFile(t, sampleComments)))
	// A file whose stance column holds one class.
	oneClass := sample[:1]
	for _, r := range sample[1:] {
		if r[3] == "FAVOR" {
			oneClass = append(oneClass, r)
		}
	}
	writeCSV(t, filepath.Join(src, "one-class.csv"), oneClass)
	repeatComments(t, src, "unknown-article.csv", sampleComments, 300, []string{"x1", "no-such-article", "hello", "FAVOR", "NEUTRAL", "2026-11-09T10:00:00Z"})
	repeatComments(t, src, "empty-label.csv", sampleComments, 300, []string{"x1", "en-wind-farm", "hello", "FAVOR", "", "2026-11-09T10:00:00Z"})
	writeFile(t, filepath.Join(src, "no-text.csv"), []byte("id,body,stance\n1,hello,FAVOR\n"))

	for _, tt := range []struct {
		name string
		args []string
		want string // stderr's last line, after "stance: "
	}{
		{"single class", []string{"--data", filepath.Join(src, "one-class.csv")}, `train: head "stance" has a single class, "FAVOR", in the training data: a classifier needs at least two`},
		{"article missing from --articles", []string{"--data", filepath.Join(src, "unknown-article.csv"), "--articles", sampleArticles}, filepath.Join(src, "unknown-article.csv") + `:304: field "article_id": no article with this id in ` + sampleArticles + `; want an id of that file (is it the article file of the same split?); got "no-such-article"`},
		{"empty label with --strict", []string{"--strict", "--data", filepath.Join(src, "empty-label.csv")}, filepath.Join(src, "empty-label.csv") + `:304: field "sentiment": empty label for head "sentiment"; want a label (training needs every label)`},
		{"no text column", []string{"--data", filepath.Join(src, "no-text.csv")}, filepath.Join(src, "no-text.csv") + `:1: missing column "text" for the comment text: the columns are "id", "body", "stance"; want a column named "text", or set columns.text to one of them`},
		{"bad setting", []string{"--data", sampleComments, "--c", "-1"}, `model.c = -1: want a number above 0 and at most 1e+10`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			model := filepath.Join(dir, "model.stance")
			before := readFile(t, sampleModel(t))
			writeFile(t, model, before)
			r := stance(t, "", append([]string{"train", "--model", model}, tt.args...)...)
			if r.code != exitUsage || lastLine(r.stderr) != "stance: "+tt.want {
				t.Errorf("got %v\nwant exit %d and %q", r, exitUsage, tt.want)
			}
			if got := readFile(t, model); !bytes.Equal(got, before) {
				t.Errorf("the failed run changed the existing model file")
			}
			checkNoTempFiles(t, dir)
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("files in the model's directory: %v, want only the model", entries)
			}
		})
	}
}

// TestTrainTunesByDefault checks what train chooses with no configuration, says so, and records
// it in the model; and that --no-tune, `tune: off` and STANCE_TUNE_AUTO=false train the
// configured settings as they are, while a configured c is kept out of the search.
func TestTrainTunesByDefault(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tuned.stance")
	r := mustStance(t, "", "train", "--data", sampleComments, "--articles", sampleArticles, "--model", model)
	for _, want := range []string{"stance, training articles: c=", "stance, unseen articles: c=", "sentiment, training articles: c=",
		"by 5-fold CV over 281 rows (", "by 5-fold CV grouped by article, 8 groups (", "settings tried", "tuned in "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("train's notes lack %q:\n%s", want, r.stderr)
		}
	}
	m := loadModelFile(t, model)
	if m.Tuning == nil || len(m.Tuning.Choices) != 2 || len(m.Articles) != 8 {
		t.Fatalf("the model records tuning %+v and %d articles; want 2 choices and the sample's 8", m.Tuning, len(m.Articles))
	}
	for _, ch := range m.Tuning.Choices {
		if got := m.Config.Head(ch.Head); got != ch.Known {
			t.Errorf("head %s trained with %v, tuning chose %v", ch.Head, got, ch.Known)
		}
		u, ok := m.Config.UnseenHead(ch.Head)
		if (ch.Unseen != nil) != ok || ok && u != *ch.Unseen {
			t.Errorf("head %s: unseen-article model %v (%v), tuning chose %v", ch.Head, u, ok, ch.Unseen)
		}
		// A line of stderr says the choice for each head.
		if !strings.Contains(r.stderr, ch.Head+", training articles: "+ch.Known.String()) {
			t.Errorf("stderr does not say %s's choice %v", ch.Head, ch.Known)
		}
	}
	info := mustStance(t, "", "info", "--model", model).stdout
	if !strings.Contains(info, "settings chosen by cross-validation") || !strings.Contains(info, "chosen by") {
		t.Errorf("info does not show the tuning:\n%s", info)
	}

	off := filepath.Join(dir, "off.yaml")
	writeFile(t, off, []byte("tune: off\n"))
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, []byte("tune: sometimes\n"))
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"--no-tune", nil, []string{"--no-tune"}},
		{"tune: off", nil, []string{"--config", off}},
		{"STANCE_TUNE_AUTO=false", map[string]string{"STANCE_TUNE_AUTO": "false"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			p := filepath.Join(t.TempDir(), "m.stance")
			r := mustStance(t, "", append([]string{"train", "--data", sampleComments, "--articles", sampleArticles, "--model", p}, tt.args...)...)
			if strings.Contains(r.stderr, "settings tried") || strings.Contains(r.stderr, "tuned in") {
				t.Errorf("tuned anyway:\n%s", r.stderr)
			}
			m := loadModelFile(t, p)
			if m.Tuning != nil || m.Config.Head("stance") != classifier.DefaultConfig().Head("stance") {
				t.Errorf("trained %v with tuning %+v; want the defaults untuned", m.Config.Head("stance"), m.Tuning)
			}
		})
	}
	if r := stance(t, "", "train", "--config", bad, "--data", sampleComments, "--model", filepath.Join(dir, "b.stance")); r.code != exitUsage || lastLine(r.stderr) != "stance: config "+bad+`: tune: "sometimes": want off, on, or the tune section's keys (tune.folds, tune.c, ...)` {
		t.Errorf("tune: sometimes: %v", r)
	}

	// A c given by the user is kept: every trial has it.
	c2 := filepath.Join(dir, "c2.stance")
	mustStance(t, "", "train", "-q", "--c", "2", "--data", sampleComments, "--articles", sampleArticles, "--model", c2)
	m = loadModelFile(t, c2)
	if m.Tuning == nil || len(m.Tuning.Trials) == 0 {
		t.Fatal("--c 2: no tuning recorded")
	}
	for _, tr := range m.Tuning.Trials {
		if tr.Settings.C != 2 {
			t.Errorf("--c 2 and a trial at another c: %v", tr)
		}
	}
}
