package evaluation

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/data"
	"github.com/commentstance/stance/metrics"
)

// sample reads the project's own labelled sample (data/sample), joined with its articles.
func sample(t testing.TB) *Set {
	t.Helper()
	schema := data.Schema{Articles: &data.ArticleSource{Path: "../data/sample/articles.csv", Key: "article_id", Text: "article"}, RequireLabels: true, Strict: true}
	comments, _, err := data.ReadAll("../data/sample/comments.csv", schema)
	if err != nil {
		t.Fatal(err)
	}
	set := &Set{Heads: []string{"sentiment", "stance"}}
	for _, c := range comments {
		set.Add(c)
	}
	return set
}

func smallConfig() classifier.Config {
	cfg := classifier.DefaultConfig()
	cfg.Features.Bits = 16 // small and fast: these tests check behaviour, not accuracy
	cfg.MaxIter = 50
	return cfg
}

func TestFoldsKeepGroupsTogether(t *testing.T) {
	set := sample(t)
	for _, tt := range []struct {
		g GroupBy
		k int
	}{{ByArticle, 4}, {ByNone, 5}} {
		t.Run(string(tt.g), func(t *testing.T) {
			folds, err := Folds(set, tt.k, tt.g, 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(folds) != len(set.Comments) || slices.Max(folds) != tt.k-1 || slices.Min(folds) != 0 {
				t.Fatalf("%d folds for %d rows, in [%d, %d]; want %d rows in [0, %d]", len(folds), len(set.Comments), slices.Min(folds), slices.Max(folds), len(set.Comments), tt.k-1)
			}
			if tt.g == ByNone {
				return
			}
			foldOf := map[string]int{}
			for i, c := range set.Comments {
				key := GroupOf(c, tt.g)
				if f, ok := foldOf[key]; ok && f != folds[i] {
					t.Errorf("article %s in folds %d and %d", key, f, folds[i])
				}
				foldOf[key] = folds[i]
			}
			again, _ := Folds(set, tt.k, tt.g, 1)
			if !slices.Equal(folds, again) {
				t.Error("the same seed gave other folds")
			}
		})
	}
}

func TestFoldsErrors(t *testing.T) {
	set := sample(t)
	for _, tt := range []struct {
		name string
		k    int
		g    GroupBy
		want string
		is   error
	}{
		{"unknown grouping", 3, "thread", `GroupBy "thread": want article, group or none`, ErrGroupBy},
		{"more folds than articles", 9, ByArticle, "9 folds grouped by article: metrics: 8 distinct groups for 9 folds: fewer groups than folds", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Folds(set, tt.k, tt.g, 0)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Folds(k=%d, %s) = %v, want %q", tt.k, tt.g, err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

func TestPartition(t *testing.T) {
	a, b := Partition([]int{2, 2, 0, 1, 0}), Partition([]int{1, 1, 2, 0, 2})
	if !slices.Equal(a, []int{0, 0, 1, 2, 1}) || !slices.Equal(a, b) {
		t.Errorf("Partition gave %v and %v, want both [0 0 1 2 1]", a, b)
	}
}

// handMade is a result of two heads over four rows, the last without a stance label, scored by
// models with different classes (as fold models may be).
func handMade() *Result {
	ab := []string{"AGAINST", "FAVOR"}
	abn := []string{"AGAINST", "FAVOR", "NONE"}
	return &Result{
		K: 2, GroupBy: ByNone,
		Heads: []string{"stance"},
		IDs:   []string{"r1", "r2", "r3", "r4"},
		Texts: []string{"a", "b", "c", "d"},
		HasID: true,
		Gold:  map[string][]string{"stance": {"FAVOR", "NONE", "AGAINST", ""}},
		Pred:  map[string][]string{"stance": {"FAVOR", "FAVOR", "AGAINST", "NONE"}},
		Probs: map[string][]ClassProbs{"stance": {
			{ab, []float64{0.2, 0.8}},
			{ab, []float64{0.4, 0.6}},
			{abn, []float64{0.7, 0.2, 0.1}},
			{abn, []float64{0.1, 0.2, 0.7}},
		}},
		Folds:  []int{0, 0, 1, 1},
		Groups: []string{"x", "y", "x", "y"},
		By:     ByArticle,
		ByLabels: map[string]string{
			"x": "x", "y": "y",
		},
	}
}

func TestReports(t *testing.T) {
	reps, err := Reports(handMade(), map[string]string{"stance": "f_avg(favor,against)"})
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != 1 {
		t.Fatalf("%d reports, want 1", len(reps))
	}
	r := reps[0]
	// Gold FAVOR NONE AGAINST against FAVOR FAVOR AGAINST: 2 of 3 right; F1 FAVOR 2/3, AGAINST 1.
	if r.Report.N != 3 || r.Report.Accuracy != 2.0/3 || r.Report.Metric != "f_avg(FAVOR,AGAINST)" || math.Abs(r.Report.Official-(2.0/3+1)/2) > 1e-12 {
		t.Errorf("report n %d, accuracy %v, %s %v", r.Report.N, r.Report.Accuracy, r.Report.Metric, r.Report.Official)
	}
	wantNote := "gold labels the scoring model never saw in training, so cannot predict (recall 0 on those rows): NONE (1 row)"
	if r.Note != wantNote {
		t.Errorf("note %q, want %q", r.Note, wantNote)
	}
	// By article: x holds r1 (right) and r3 (right), y holds r2 (wrong); r4 has no gold label.
	want := []GroupFigures{{Key: "x", N: 2}, {Key: "y", N: 1}}
	if len(r.By) != 2 || r.By[0].Key != want[0].Key || r.By[0].N != 2 || r.By[0].Accuracy != 1 || r.By[1].N != 1 || r.By[1].Accuracy != 0 {
		t.Errorf("by article %+v, want x: 2 rows all right, y: 1 row wrong", r.By)
	}
	if r.ByName != "article" || r.ByMean == nil || r.ByMean.Accuracy != 0.5 {
		t.Errorf("by %q, mean %+v; want article, accuracy 0.5", r.ByName, r.ByMean)
	}
}

func TestReportsMatchMetricsEvaluate(t *testing.T) {
	set := sample(t)
	m, err := classifier.Train(set.Examples, set.Heads, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	res, err := ScoreModel("sample.stance", m, set)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Title(), fmt.Sprintf("sample.stance on %d comments", len(set.Comments)); got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	reps, err := Reports(res, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The same figures by hand: score each row, index the model's classes.
	s, _ := m.NewScorer()
	var sc classifier.Scores
	for hi, h := range m.Heads {
		var gold, pred []int
		for _, c := range set.Comments {
			s.Score(&sc, c.Text, c.Article)
			gold = append(gold, slices.Index(h.Classes, c.Labels[h.Name]))
			pred = append(pred, sc.Best[hi])
		}
		want, err := metrics.Evaluate(h.Classes, gold, pred, "macro_f1")
		if err != nil {
			t.Fatal(err)
		}
		if got := reps[hi].Report; reps[hi].Head != h.Name || got.Accuracy != want.Accuracy || got.MacroF1 != want.MacroF1 || got.N != want.N {
			t.Errorf("head %s: accuracy %v macro-F1 %v n %d, want %v %v %d", h.Name, got.Accuracy, got.MacroF1, got.N, want.Accuracy, want.MacroF1, want.N)
		}
	}
}

func TestScoreModelHeads(t *testing.T) {
	set := sample(t)
	m, err := classifier.Train(set.Examples, []string{"stance"}, smallConfig())
	if err != nil {
		t.Fatal(err)
	}
	other := &Set{Comments: set.Comments, Examples: set.Examples, Heads: []string{"sentiment"}}
	_, err = ScoreModel("m", m, other)
	if want := "the data has none of the model's heads [stance] (it has [sentiment])"; err == nil || err.Error() != want || !errors.Is(err, ErrNoHeads) {
		t.Errorf("ScoreModel on other heads: %v, want %q (ErrNoHeads)", err, want)
	}
	both := &Set{Comments: set.Comments, Examples: set.Examples, Heads: []string{"sentiment", "stance"}}
	res, err := ScoreModel("m", m, both)
	if err != nil || !slices.Equal(res.Heads, []string{"stance"}) || len(res.Absent) != 0 {
		t.Errorf("ScoreModel: heads %v, absent %v, %v; want [stance], none", res.Heads, res.Absent, err)
	}
}

func TestCrossValidate(t *testing.T) {
	set := sample(t)
	res, err := CrossValidate(set, CVConfig{K: 3, Train: smallConfig()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.CrossValidation() || res.GroupBy != ByArticle || len(res.Fitted) != 3 {
		t.Fatalf("cv %v, group by %s, %d fold models", res.CrossValidation(), res.GroupBy, len(res.Fitted))
	}
	if got, want := res.Title(), fmt.Sprintf("3-fold cross-validation grouped by article on %d comments", len(set.Comments)); got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	want, _ := Folds(set, 3, ByArticle, 0)
	if !slices.Equal(res.Folds, want) {
		t.Error("the folds are not those of Folds")
	}
	for _, h := range set.Heads {
		for i, p := range res.Probs[h] {
			if !slices.Contains(p.Classes, res.Pred[h][i]) {
				t.Fatalf("head %s row %d: predicted %s, not one of its model's classes %v", h, i, res.Pred[h][i], p.Classes)
			}
		}
	}
}

func TestRepeat(t *testing.T) {
	first := handMade()
	reps, err := Reports(first, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The second seed splits alike (folds renumbered), the third otherwise and gets all right.
	second := handMade()
	second.Folds = []int{1, 1, 0, 0}
	third := handMade()
	third.Folds = []int{0, 1, 0, 1}
	third.Pred["stance"] = []string{"FAVOR", "NONE", "AGAINST", "NONE"}
	runs := map[int64]*Result{11: second, 12: third}
	var same [][2]int64
	err = Repeat(first, 10, reps, RepeatConfig{
		Repeats:       3,
		CrossValidate: func(seed int64) (*Result, error) { return runs[seed], nil },
		SamePartition: func(seed, earlier int64) { same = append(same, [2]int64{seed, earlier}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	rs := reps[0].Repeats
	if !slices.Equal(rs.Seeds, []int64{10, 11, 12}) || !slices.Equal(rs.Accuracy, []float64{2.0 / 3, 2.0 / 3, 1}) {
		t.Errorf("seeds %v, accuracy %v", rs.Seeds, rs.Accuracy)
	}
	if !slices.Equal(same, [][2]int64{{11, 10}}) {
		t.Errorf("same partitions %v, want seed 11 as seed 10", same)
	}
	// Sample standard deviation (n-1) of 2/3, 2/3, 1: mean 7/9, sd sqrt(((1/9)²·2 + (2/9)²)/2).
	if wantSD := math.Sqrt((2.0/81 + 4.0/81) / 2); math.Abs(rs.Mean.Accuracy-7.0/9) > 1e-12 || math.Abs(rs.SD.Accuracy-wantSD) > 1e-12 {
		t.Errorf("mean %v sd %v, want %v %v", rs.Mean.Accuracy, rs.SD.Accuracy, 7.0/9, wantSD)
	}
	boom := errors.New("boom")
	err = Repeat(first, 10, reps, RepeatConfig{Repeats: 2, CrossValidate: func(int64) (*Result, error) { return nil, boom }})
	if err == nil || err.Error() != "fold seed 11: boom" || !errors.Is(err, boom) {
		t.Errorf("a failing repeat: %v, want fold seed 11: boom", err)
	}
}

func TestWritePredictions(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePredictions(&buf, handMade(), abstain.Thresholds{}); err != nil {
		t.Fatal(err)
	}
	// The columns are the union of the fold models' classes; a class a model lacks gets 0.
	want := `id,stance,stance_AGAINST,stance_FAVOR,stance_NONE,stance_score
r1,FAVOR,0.2000,0.8000,0.0000,0.6000
r2,FAVOR,0.4000,0.6000,0.0000,0.2000
r3,AGAINST,0.7000,0.2000,0.1000,-0.5000
r4,NONE,0.1000,0.2000,0.7000,0.1000
`
	if buf.String() != want {
		t.Errorf("predictions:\n%s\nwant\n%s", buf.String(), want)
	}
	if _, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll(); err != nil {
		t.Error(err)
	}
	noID := handMade()
	noID.HasID = false
	buf.Reset()
	if err := WritePredictions(&buf, noID, abstain.Thresholds{}); err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(strings.SplitN(buf.String(), "\n", 3)[1], ","); first != "FAVOR" {
		t.Errorf("without ids a row starts with the label: %q", strings.SplitN(buf.String(), "\n", 3)[1])
	}
}

func TestSummary(t *testing.T) {
	m := &classifier.Model{Heads: []classifier.Head{{Name: "stance", Classes: []string{"AGAINST", "FAVOR", "NONE"}}}}
	s := NewSummary(m, ByArticle)
	for _, r := range []struct {
		key   string
		best  int
		probs []float64
	}{
		{"a", 1, []float64{0.1, 0.8, 0.1}},
		{"b", 0, []float64{0.6, 0.2, 0.2}},
		{"a", 2, []float64{0.2, 0.3, 0.5}},
		{"", 2, []float64{0.2, 0.2, 0.6}},
	} {
		s.Add(r.key, &classifier.Scores{Best: []int{r.best}, Probs: [][]float64{r.probs}})
	}
	if !slices.Equal(s.Keys, []string{"a", "b", ""}) || s.All.N != 4 || s.Groups["a"].N != 2 {
		t.Fatalf("keys %q, %d comments, %d in a", s.Keys, s.All.N, s.Groups["a"].N)
	}
	a := s.Groups["a"]
	if got := a.Share(0, 1); math.Abs(got-0.55) > 1e-12 {
		t.Errorf("a's FAVOR share %v, want 0.55", got)
	}
	if !slices.Equal(a.Count[0], []int{0, 1, 1}) {
		t.Errorf("a's label counts %v, want [0 1 1]", a.Count[0])
	}
	if v, ok := s.MeanScore(0, a); !ok || math.Abs(v-0.4) > 1e-12 {
		t.Errorf("a's mean score %v, %v; want 0.4 (0.55 - 0.15)", v, ok)
	}
	if s.Name("") != "(no article)" || s.Name("b") != "b" {
		t.Errorf("names %q, %q", s.Name(""), s.Name("b"))
	}
}
