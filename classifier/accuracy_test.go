package classifier

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/metrics"
)

// The accuracy floors below hold the figures measured on the public tasks' official test splits
// (../shared/data) with the defaults, as `stance train` runs them with the data-only configs of
// bench/configs: each head tuned by cross-validation on the training split (DefaultTuneOptions),
// then trained. A floor may only rise.

const sharedData = "../../shared/data"

func readSplit(t *testing.T, schema data.Schema, files ...string) []data.Comment {
	t.Helper()
	var all []data.Comment
	for _, f := range files {
		c, _, err := data.ReadAll(filepath.Join(sharedData, f), schema)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c...)
	}
	return all
}

// examples are the comments as the CLI hands them to Tune and Train: grouped by article id,
// else by the article's text (tune.group_by article).
func examples(cs []data.Comment) []Example {
	ex := make([]Example, len(cs))
	for i, c := range cs {
		g := c.ArticleID
		if g == "" {
			g = c.Article
		}
		ex[i] = Example{Text: c.Text, Article: c.Article, Labels: c.Labels, Group: g}
	}
	return ex
}

// tuneOptions are the CLI's defaults for a task whose heads' metrics are metricOf.
func tuneOptions(metricOf map[string]string) TuneOptions {
	o := DefaultTuneOptions()
	o.Metric = func(h string) string { return metricOf[h] }
	return o
}

// official tunes and trains on train with the defaults, scores test and returns each head's
// official metric.
func official(t *testing.T, heads []string, metricOf map[string]string, train, test []data.Comment) map[string]float64 {
	t.Helper()
	ex := examples(train)
	cfg, _, choices, err := Tune(ex, heads, DefaultConfig(), tuneOptions(metricOf))
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range choices {
		t.Logf("%s: training articles %v; unseen articles %v", ch.Head, ch.Known, ch.Unseen)
	}
	m, err := Train(ex, heads, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := m.NewScorer()
	var sc Scores
	out := map[string]float64{}
	for hi, h := range m.Heads {
		index := map[string]int{}
		for k, c := range h.Classes {
			index[c] = k
		}
		var gold, pred []int
		for _, c := range test {
			s.Score(&sc, c.Text, c.Article)
			gold = append(gold, index[c.Labels[h.Name]])
			pred = append(pred, sc.Best[hi])
		}
		metric, _ := metrics.Resolve(metricOf[h.Name], h.Classes)
		r, err := metrics.Evaluate(h.Classes, gold, pred, metric)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = r.Official
		t.Logf("%s %s = %.4f (macro-F1 %.4f)", h.Name, metric, r.Official, r.MacroF1)
	}
	return out
}

func needData(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on a public task; skipped with -short")
	}
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("public data not found at %s (it sits beside the checkout as ../shared/data): %v", sharedData, err)
	}
}

func TestAccuracySemEval2016(t *testing.T) {
	needData(t)
	schema := data.Schema{Format: data.TSV, ID: "ID", Text: "Tweet", Article: "Target", Strip: []string{"#SemST"},
		Labels: map[string]string{"stance": "Stance", "sentiment": "Sentiment"}, RequireLabels: true}
	train := readSplit(t, schema, "semeval2016t6/trialdata-all-annotations.txt", "semeval2016t6/trainingdata-all-annotations.utf8.txt")
	test := readSplit(t, schema, "semeval2016t6/testdata-taskA-all-annotations.txt")
	got := official(t, []string{"sentiment", "stance"},
		map[string]string{"stance": "f_avg(FAVOR,AGAINST)", "sentiment": "macro_f1"}, train, test)
	// Peers on the same split (../shared/peers/README.md): stance best sk-lr-pt 0.6690,
	// sentiment best sk-lr 0.5595.
	floors := map[string]float64{"stance": 0.6720, "sentiment": 0.5600}
	for h, floor := range floors {
		if got[h] < floor {
			t.Errorf("semeval2016-a %s: %.4f, below the floor %.4f", h, got[h], floor)
		}
	}
}

func TestAccuracyMawqif(t *testing.T) {
	needData(t)
	schema := data.Schema{ID: "ID", Text: "text", Article: "target",
		Labels: map[string]string{"stance": "stance", "sentiment": "sentiment", "sarcasm": "sarcasm"}, RequireLabels: true}
	train := readSplit(t, schema, "mawqif/Mawqif_AllTargets_Train.csv")
	test := readSplit(t, schema, "mawqif/Mawqif_AllTargets_Test.csv")
	got := official(t, []string{"sarcasm", "sentiment", "stance"},
		map[string]string{"stance": "f_avg(Favor,Against)", "sentiment": "macro_f1", "sarcasm": "macro_f1"}, train, test)
	// Peers on the same split (../shared/peers/README.md): stance best sk-lr-pt 0.7520,
	// sentiment and sarcasm best sk-lr 0.6643 and 0.6747.
	floors := map[string]float64{"stance": 0.7580, "sentiment": 0.6630, "sarcasm": 0.7440}
	for h, floor := range floors {
		if got[h] < floor {
			t.Errorf("mawqif %s: %.4f, below the floor %.4f", h, got[h], floor)
		}
	}
}

func TestAccuracyRumourEval2017(t *testing.T) {
	needData(t)
	schema := data.Schema{ID: "tweet_id", Text: "text", Article: "source_text", Group: "thread_id",
		Labels: map[string]string{"stance": "label"}, RequireLabels: true}
	train := readSplit(t, schema, "rumoureval2017/rumoureval2017_subtaskA_train.csv", "rumoureval2017/rumoureval2017_subtaskA_dev.csv")
	test := readSplit(t, schema, "rumoureval2017/rumoureval2017_subtaskA_test.csv")
	got := official(t, []string{"stance"}, map[string]string{"stance": "accuracy"}, train, test)
	// Peers on the same split: best liblinear/ft 0.7321 (majority class 0.7417).
	if floor := 0.7420; got["stance"] < floor {
		t.Errorf("rumoureval2017-a stance accuracy %.4f, below the floor %.4f", got["stance"], floor)
	}
}

func TestAccuracyFNC1(t *testing.T) {
	needData(t)
	schema := data.Schema{Text: "Headline", ArticleID: "Body ID", Group: "Body ID", Labels: map[string]string{"stance": "Stance"}, RequireLabels: true}
	split := func(stances, bodies string) []data.Comment {
		s := schema
		s.Articles = &data.ArticleSource{Path: filepath.Join(sharedData, bodies), Key: "Body ID", Text: "articleBody"}
		return readSplit(t, s, stances)
	}
	train := split("fnc1/train_stances.csv", "fnc1/train_bodies.csv")
	test := split("fnc1/competition_test_stances.csv", "fnc1/competition_test_bodies.csv")
	got := official(t, []string{"stance"}, map[string]string{"stance": "fnc_score"}, train, test)
	// Peers on the same split: best sk-lr 0.7789; the FNC-1 baseline 0.7520.
	if floor := 0.7970; got["stance"] < floor {
		t.Errorf("fnc1 FNC score %.4f, below the floor %.4f", got["stance"], floor)
	}
}

// baly2018 has no test split: its official figure pools the out-of-fold predictions of its 5
// folds by claim.
func TestAccuracyBaly2018(t *testing.T) {
	needData(t)
	schema := data.Schema{ID: "claim_id", Text: "article", Article: "claim", Group: "fold",
		Labels: map[string]string{"stance": "stance"}, RequireLabels: true}
	all := readSplit(t, schema, "baly2018/baly2018_claim_article_stance.csv")
	fold := map[string]int{}
	folds := make([]int, len(all))
	for i, c := range all {
		if _, ok := fold[c.Group]; !ok {
			fold[c.Group] = len(fold)
		}
		folds[i] = fold[c.Group]
	}
	if len(fold) != 5 {
		t.Fatalf("%d folds in the fold column, want the 5 official ones", len(fold))
	}
	// Each fold tunes itself on the other four, as evaluate --cv does by default.
	scores, fitted, err := NestedCrossValidate(examples(all), []string{"stance"}, DefaultConfig(), folds,
		tuneOptions(map[string]string{"stance": "macro_f1"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	classes := []string{"agree", "disagree", "discuss", "unrelated"}
	var gold, pred []int
	for i, c := range all {
		gold = append(gold, slices.Index(classes, c.Labels["stance"]))
		pred = append(pred, slices.Index(classes, fitted[folds[i]].Heads[0].Classes[scores[i].Best[0]]))
	}
	r, err := metrics.Evaluate(classes, gold, pred, "macro_f1")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stance macro_f1 = %.4f pooled over the 5 folds", r.Official)
	// Peers on the same folds: best sk-lr-cv 0.4436 (C chosen by nested CV), sk-lr 0.4302.
	if floor := 0.4500; r.Official < floor {
		t.Errorf("baly2018 stance macro-F1 %.4f, below the floor %.4f", r.Official, floor)
	}
}
