package classifier

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"testing"
)

var tuneMetric = func(string) string { return "f_avg(FAVOR,AGAINST)" }

// smallGrid keeps the tuning tests fast: two values of c, both class weightings, every switch.
func smallGrid() Grid {
	g := DefaultGrid()
	g.C = []float64{0.5, 2}
	return g
}

func bestTrial(trials []Trial, unseen bool) Trial {
	var best Trial
	first := true
	for _, t := range trials {
		if t.Unseen == unseen && (first || t.Official > best.Official) {
			best, first = t, false
		}
	}
	return best
}

// Tune chooses for each head the best of the settings it tried, per model: the model for the
// training articles by folds over rows, the model for unseen articles by folds grouped by
// article, never with the conjoined copies.
func TestTuneChoosesTheBestTrialOfEachModel(t *testing.T) {
	ex := sample(t)
	cfg, trials, choices, err := Tune(ex, []string{"stance"}, smallConfig(),
		TuneOptions{Folds: 3, Grouped: true, Grid: smallGrid(), Metric: tuneMetric})
	if err != nil {
		t.Fatal(err)
	}
	if len(choices) != 1 || choices[0].Head != "stance" || choices[0].Groups != 8 || choices[0].GroupedK != 3 {
		t.Fatalf("choices %+v: want one for stance, over 8 articles in 3 grouped folds", choices)
	}
	seen := map[[2]any]bool{}
	for _, tr := range trials {
		key := [2]any{tr.Unseen, tr.Settings}
		if seen[key] {
			t.Errorf("%v tried twice", tr)
		}
		seen[key] = true
		if tr.Unseen && tr.Settings.Conjoin {
			t.Errorf("%v: the model for unseen articles tried the conjoined copies", tr)
		}
		if !tr.Settings.Conjoin && tr.Settings.ConjoinWeight != 1 {
			t.Errorf("%v: a weight of the conjoined copies without the copies", tr)
		}
	}
	known, unseen := bestTrial(trials, false), bestTrial(trials, true)
	if got := cfg.Head("stance"); got != known.Settings {
		t.Errorf("chose %v for the training articles, the best trial is %v", got, known)
	}
	u, ok := cfg.UnseenHead("stance")
	switch {
	case !ok && unseen.Settings != known.Settings:
		t.Errorf("no model for unseen articles, though the best grouped trial %v differs from %v", unseen, known)
	case ok && u != unseen.Settings:
		t.Errorf("chose %v for unseen articles, the best grouped trial is %v", u, unseen)
	}
	if choices[0].KnownCV != known.Official || (ok && choices[0].UnseenCV != unseen.Official) {
		t.Errorf("choice %+v does not carry the best trials' figures %v, %v", choices[0], known, unseen)
	}
	// Every value of every dimension was tried from the chosen point's neighbourhood: at least
	// the grid's c values and both of each switch.
	for _, c := range smallGrid().C {
		if !slices.ContainsFunc(trials, func(tr Trial) bool { return tr.Settings.C == c && !tr.Unseen }) {
			t.Errorf("c=%v never tried", c)
		}
	}
	for _, name := range []string{"conjoin", "article_words", "relation"} {
		for _, v := range []bool{true, false} {
			if !slices.ContainsFunc(trials, func(tr Trial) bool {
				s := tr.Settings
				return map[string]bool{"conjoin": s.Conjoin, "article_words": s.ArticleWords, "relation": s.Relation}[name] == v
			}) {
				t.Errorf("%s=%v never tried", name, v)
			}
		}
	}
	// The copies' weight is tried where the search has them on.
	for _, w := range smallGrid().ConjoinWeight {
		if !slices.ContainsFunc(trials, func(tr Trial) bool { return tr.Settings.Conjoin && tr.Settings.ConjoinWeight == w }) {
			t.Errorf("conjoin_weight=%v never tried", w)
		}
	}
}

// Without grouping (targets that recur) one model is chosen, by folds over rows; a head the
// configuration names is kept as configured; and bad grid values are refused.
func TestTuneUngroupedAndFixedHeads(t *testing.T) {
	ex := sample(t)
	cfg, trials, _, err := Tune(ex, []string{"stance"}, smallConfig(), TuneOptions{Folds: 3, Grid: smallGrid(), Metric: tuneMetric})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cfg.UnseenHead("stance"); ok || slices.ContainsFunc(trials, func(tr Trial) bool { return tr.Unseen }) {
		t.Fatal("ungrouped tuning made a model for unseen articles")
	}
	fixed := smallConfig()
	fixed.Heads = map[string]HeadConfig{"stance": {C: 7}}
	cfg, trials, _, err = Tune(ex, []string{"stance", "sentiment"}, fixed, TuneOptions{Folds: 3, Grid: smallGrid(), Metric: tuneMetric})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Heads["stance"].C != 7 || slices.ContainsFunc(trials, func(tr Trial) bool { return tr.Head == "stance" }) {
		t.Errorf("the configured head was tuned: %+v", cfg.Heads["stance"])
	}
	if !slices.ContainsFunc(trials, func(tr Trial) bool { return tr.Head == "sentiment" }) {
		t.Error("the head the configuration leaves open was not tuned")
	}
	for _, g := range []Grid{{C: []float64{0}}, {C: []float64{1}, WordWeight: []float64{0}}, {C: []float64{1}, ConjoinWeight: []float64{-1}}, {C: []float64{1}, ClassWeight: []string{"heavy"}}} {
		if _, _, _, err := Tune(ex, []string{"stance"}, smallConfig(), TuneOptions{Grid: g}); err == nil {
			t.Errorf("grid %+v was accepted", g)
		}
	}
}

// With several fold assignments each figure is the mean of the figures of each assignment alone.
func TestTuneRepeats(t *testing.T) {
	ex := sample(t)
	g := Grid{C: []float64{0.3, 3}}
	tune := func(seed int64, repeats int) []Trial {
		t.Helper()
		_, trials, _, err := Tune(ex, []string{"stance"}, smallConfig(), TuneOptions{Folds: 3, Seed: seed, Repeats: repeats, Grid: g, Metric: tuneMetric})
		if err != nil {
			t.Fatal(err)
		}
		return trials
	}
	ta, tb, both := tune(0, 1), tune(1, 1), tune(0, 2)
	find := func(ts []Trial, s HeadSettings) (Trial, bool) {
		i := slices.IndexFunc(ts, func(t Trial) bool { return t.Settings == s })
		if i < 0 {
			return Trial{}, false
		}
		return ts[i], true
	}
	compared, differ := 0, false
	for _, tr := range both {
		a, okA := find(ta, tr.Settings)
		b, okB := find(tb, tr.Settings)
		if !okA || !okB {
			continue
		}
		compared++
		if want := (a.Official + b.Official) / 2; tr.Official != want {
			t.Errorf("%v: %.6f over both assignments, want the mean %.6f of %.6f and %.6f", tr.Settings, tr.Official, want, a.Official, b.Official)
		}
		differ = differ || a.Official != b.Official
	}
	if compared == 0 || !differ {
		t.Fatalf("%d settings compared, differ %v: the test proves nothing", compared, differ)
	}
}

// NestedCrossValidate tunes each fold on its training part alone: each fold's model is the one
// Tune then Train give on exactly those examples, and its scores those of that model.
func TestNestedCrossValidate(t *testing.T) {
	ex := sample(t)
	folds := make([]int, len(ex))
	for i := range folds {
		folds[i] = i % 3
	}
	opt := TuneOptions{Folds: 2, Grouped: true, Grid: Grid{C: []float64{0.05, 5}, Conjoin: []bool{true, false}}, Metric: tuneMetric}
	heads := []string{"stance"}
	cfg := smallConfig()
	scores, fitted, err := NestedCrossValidate(ex, heads, cfg, folds, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	for f, m := range fitted {
		var part []Example
		for i, e := range ex {
			if folds[i] != f {
				part = append(part, e)
			}
		}
		tuned, _, _, err := Tune(part, heads, cfg, opt)
		if err != nil {
			t.Fatal(err)
		}
		if m.Config.Head("stance") != tuned.Head("stance") {
			t.Fatalf("fold %d: the model was trained with %v, Tune on its training part chose %v", f, m.Config.Head("stance"), tuned.Head("stance"))
		}
		ref, err := Train(part, heads, tuned)
		if err != nil {
			t.Fatal(err)
		}
		if m.Extractor != nil || m.Heads[0].Model != nil || m.Dictionary != nil || (m.Heads[0].Unseen != nil && m.Heads[0].Unseen.Model != nil) {
			t.Fatalf("fold %d: the returned model keeps its extractor, weights or dictionary", f)
		}
		if h, r := m.Heads[0], ref.Heads[0]; h.Name != r.Name || !slices.Equal(h.Classes, r.Classes) ||
			!slices.Equal(h.Counts, r.Counts) || !slices.Equal(h.Weights, r.Weights) || h.Info != r.Info {
			t.Fatalf("fold %d: outline head %+v, trained head %+v", f, h, r)
		}
		s, _ := ref.NewScorer()
		var sc Scores
		for i, e := range ex {
			if folds[i] == f {
				s.Score(&sc, e.Text, e.Article)
				if !slices.Equal(sc.Probs[0], scores[i].Probs[0]) {
					t.Fatalf("fold %d, example %d: nested CV scored %v, the tuned model %v", f, i, scores[i].Probs[0], sc.Probs[0])
				}
			}
		}
	}
}

// unseenConfig gives stance a model for unseen articles whose settings differ from its own.
func unseenConfig() Config {
	cfg := smallConfig()
	no := false
	cfg.Heads = map[string]HeadConfig{"stance": {C: 2, Unseen: &HeadConfig{C: 0.5, ArticleWords: &no}}}
	return cfg
}

// A comment under a training article is scored by the head's model, one under an article the
// model never saw (or with none) by the model for unseen articles, each exactly as a model
// trained with those settings alone scores it.
func TestUnseenArticlesUseTheirOwnModel(t *testing.T) {
	ex := sample(t)
	m := train(t, ex, unseenConfig())
	if m.Heads[1].Name != "stance" || m.Heads[1].Unseen == nil || m.Heads[0].Unseen != nil {
		t.Fatalf("heads %+v: want an unseen-article model for stance only", m.Heads)
	}
	if len(m.Articles) != 8 {
		t.Fatalf("the model knows %d articles, want the sample's 8", len(m.Articles))
	}
	// A table per kind of article, each of one model per head: two heads of three classes and
	// the IDF fill rows of 8 (Scorer.dot8), where one table of the three models took 16.
	if known, unseen := m.scoringTable(), m.unseenTable; known == unseen || known.width != 8 || unseen.width != 8 {
		t.Fatalf("tables %p %p of widths %d and %d: want two, of 8", known, unseen, known.width, unseen.width)
	}
	alone := func(h HeadConfig) *Model {
		cfg := smallConfig()
		cfg.Heads = map[string]HeadConfig{"stance": h}
		return train(t, ex, cfg)
	}
	no := false
	knownRef := alone(HeadConfig{C: 2})
	unseenRef := alone(HeadConfig{C: 0.5, Conjoin: &no, ArticleWords: &no})
	score := func(m *Model, text, article string) []float64 {
		s, err := m.NewScorer()
		if err != nil {
			t.Fatal(err)
		}
		var sc Scores
		s.Score(&sc, text, article)
		return sc.Probs[1]
	}
	text := "الله يبارك كل جهود ضد الارهاب"
	cases := []struct {
		name, article string
		want          *Model
	}{
		{"training article", ex[0].Article, knownRef},
		{"new article", "مقال جديد لم يره النموذج عن الانتخابات البلدية", unseenRef},
		{"no article", "", unseenRef},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, want := score(m, text, c.article), score(c.want, text, c.article)
			s, _ := m.NewScorer()
			var sc Scores
			s.Score(&sc, text, c.article)
			if unseen := c.want == unseenRef; sc.Unseen[1] != unseen || sc.Unseen[0] || sc.Scorer(m, 1).Model != map[bool]*Head{true: m.Heads[1].Unseen, false: &m.Heads[1]}[unseen].Model {
				t.Errorf("Scores.Unseen %v, Scorer %p: want stance's unseen flag %v, sentiment's false", sc.Unseen, sc.Scorer(m, 1).Model, unseen)
			}
			if !slices.Equal(got, want) {
				t.Errorf("scored %v, the model of those settings alone %v", got, want)
			}
			for _, other := range []*Model{knownRef, unseenRef} {
				if other != c.want && slices.Equal(got, score(other, text, c.article)) {
					t.Errorf("scored as the other model too: the test cannot tell them apart")
				}
			}
		})
	}
	exp, err := m.Explain(text, "مقال جديد لم يره النموذج", 3)
	if err != nil {
		t.Fatal(err)
	}
	if exp[0].Unseen || !exp[1].Unseen {
		t.Errorf("explain's unseen flags %v %v: want false for sentiment, true for stance", exp[0].Unseen, exp[1].Unseen)
	}
}

// A model with unseen-article models survives the file, for scoring (LoadScoreOnly) and whole;
// and a version-1 file, which has neither those models nor article keys, still loads.
func TestUnseenModelFileRoundTrip(t *testing.T) {
	ex := sample(t)
	m := train(t, ex, unseenConfig())
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	path := t.TempDir() + "/m.stance"
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	whole, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	lean, err := LoadScoreOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(whole.Articles, m.Articles) || whole.Heads[1].Unseen == nil {
		t.Fatal("the loaded model lost its article keys or its unseen-article model")
	}
	for _, article := range []string{ex[0].Article, "an article nobody trained on", ""} {
		want := scoreAll(t, m, ex[:20], article)
		for name, got := range map[string][][]float64{"Load": scoreAll(t, whole, ex[:20], article), "LoadScoreOnly": scoreAll(t, lean, ex[:20], article)} {
			for i := range want {
				if !slices.Equal(got[i], want[i]) {
					t.Fatalf("%s, article %q, comment %d: %v, before saving %v", name, article, i, got[i], want[i])
				}
			}
		}
	}

	// Version 1: the same layout without the new header fields.
	plain := train(t, ex, smallConfig())
	plain.Articles = nil
	buf.Reset()
	if _, err := plain.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.LittleEndian.PutUint32(b[8:12], 1)
	sum := sha256.Sum256(b[:len(b)-sha256.Size])
	copy(b[len(b)-sha256.Size:], sum[:])
	old, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("a version 1 file: %v", err)
	}
	got, want := scoreAll(t, old, ex[:20], ex[0].Article), scoreAll(t, plain, ex[:20], ex[0].Article)
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("version 1 file, comment %d: %v, want %v", i, got[i], want[i])
		}
	}
}

func scoreAll(t *testing.T, m *Model, ex []Example, article string) [][]float64 {
	t.Helper()
	s, err := m.NewScorer()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	var sc Scores
	for _, e := range ex {
		s.Score(&sc, e.Text, article)
		for _, p := range sc.Probs {
			out = append(out, slices.Clone(p))
		}
	}
	return out
}
