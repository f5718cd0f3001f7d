package evaluation

import (
	"errors"
	"fmt"
	"slices"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/internal/cell"
)

// Result is an evaluation's outcome: per head and row, the gold label ("" for a row without
// one), the predicted label and the class probabilities of the model that scored the row.
type Result struct {
	// Model names the model evaluated (its path), when the evaluation is of one model; it is ""
	// for cross-validation.
	Model string
	// K and GroupBy are the folds of a cross-validation, K 0 for the evaluation of one model.
	K       int
	GroupBy GroupBy
	Heads   []string
	IDs     []string // per row, "" when the data has no id column
	Texts   []string
	HasID   bool // some row has an id
	Gold    map[string][]string
	Pred    map[string][]string
	Probs   map[string][]ClassProbs
	// Folds are each row's fold in cross-validation, and Fitted the outline of each fold's model
	// (see classifier.CrossValidate): row i was scored by Fitted[Folds[i]].
	Folds  []int
	Fitted []*classifier.Model
	// Absent are the heads of the evaluated model that the data has no labels for; they are
	// not evaluated.
	Absent []string
	// With GroupRows: what each row is grouped by (ByArticle or ByGroup), its key, and how each
	// key is shown.
	By       GroupBy
	Groups   []string
	ByLabels map[string]string
}

// CrossValidation reports whether r is out-of-fold predictions rather than one model's.
func (r *Result) CrossValidation() bool { return r.K > 0 }

// Title says what was evaluated on how many comments.
func (r *Result) Title() string {
	if r.CrossValidation() {
		return fmt.Sprintf("%d-fold cross-validation grouped by %s on %d comments", r.K, r.GroupBy, len(r.IDs))
	}
	return fmt.Sprintf("%s on %d comments", r.Model, len(r.IDs))
}

// ClassProbs is one row's class probabilities for one head, named by the classes of the model
// that scored it: in cross-validation that is the row's fold model, which may lack a class that
// was rare in its training part.
type ClassProbs struct {
	Classes []string
	P       []float64
}

// Of is the probability of class, 0 when the model does not know it.
func (c ClassProbs) Of(class string) float64 {
	if i := slices.Index(c.Classes, class); i >= 0 {
		return c.P[i]
	}
	return 0
}

func newResult(set *Set, heads []string) *Result {
	r := &Result{Heads: heads, Gold: map[string][]string{}, Pred: map[string][]string{}, Probs: map[string][]ClassProbs{}}
	for _, c := range set.Comments {
		r.IDs = append(r.IDs, c.ID)
		r.Texts = append(r.Texts, c.Text)
		if c.ID != "" {
			r.HasID = true
		}
		for _, h := range heads {
			r.Gold[h] = append(r.Gold[h], c.Labels[h])
		}
	}
	return r
}

// ErrNoHeads is returned by ScoreModel when the data has labels for none of the model's heads.
var ErrNoHeads = errors.New("the data has none of the model's heads")

// HeadsError is ErrNoHeads with the heads of each side.
type HeadsError struct {
	Model, Data []string
}

func (e *HeadsError) Error() string {
	return fmt.Sprintf("%v %v (it has %v)", ErrNoHeads, e.Model, e.Data)
}

func (e *HeadsError) Unwrap() error { return ErrNoHeads }

// ScoreModel scores every row of set with m, on the heads that both have. name is how the
// model is called in the result's title (its path).
func ScoreModel(name string, m *classifier.Model, set *Set) (*Result, error) {
	var heads, absent []string
	for _, h := range m.HeadNames() {
		if slices.Contains(set.Heads, h) {
			heads = append(heads, h)
		} else {
			absent = append(absent, h)
		}
	}
	if len(heads) == 0 {
		return nil, &HeadsError{Model: m.HeadNames(), Data: set.Heads}
	}
	r := newResult(set, heads)
	r.Model, r.Absent = name, absent
	sc, err := m.NewScorer()
	if err != nil {
		return nil, err
	}
	var s classifier.Scores
	for _, c := range set.Comments {
		sc.Score(&s, c.Text, c.Article)
		for hi, h := range m.Heads {
			if slices.Contains(heads, h.Name) {
				r.Pred[h.Name] = append(r.Pred[h.Name], h.Classes[s.Best[hi]])
				r.Probs[h.Name] = append(r.Probs[h.Name], ClassProbs{h.Classes, slices.Clone(s.Probs[hi])})
			}
		}
	}
	return r, nil
}

// CVConfig is how CrossValidate trains and assigns folds. Its zero value is not runnable: K
// must be at least 2.
type CVConfig struct {
	K       int     // folds
	GroupBy GroupBy // rows kept together; "" means DefaultGroupBy
	Seed    int64   // seed of the fold assignment
	// Folds, if not nil, are each row's fold in [0, K), given rather than drawn (a task's
	// official folds); K and GroupBy then only name them.
	Folds []int
	Train classifier.Config
	// Tune, when not nil, makes the cross-validation nested: each fold chooses its heads'
	// settings by cross-validation on its own training part (classifier.Tune), with its
	// grouped folds keeping the rows of one TuneGroupBy key together ("" means ByArticle).
	Tune        *classifier.TuneOptions
	TuneGroupBy GroupBy
	// Progress, if not nil, is called after each fold.
	Progress func(done, total int)
}

// DefaultGroupBy is what cross-validation keeps together when CVConfig.GroupBy is "": the
// figure is then that of articles the model has never seen.
const DefaultGroupBy = ByArticle

// CrossValidate trains cfg.K models on the folds of set that cfg.Seed assigns, each scoring the
// fold it did not see.
func CrossValidate(set *Set, cfg CVConfig) (*Result, error) {
	g := cfg.GroupBy
	if g == "" {
		g = DefaultGroupBy
	}
	folds := cfg.Folds
	if folds == nil {
		var err error
		if folds, err = Folds(set, cfg.K, g, cfg.Seed); err != nil {
			return nil, err
		}
	}
	var err error
	var scores []classifier.Scores
	var fitted []*classifier.Model
	if t := cfg.Tune; t != nil {
		tg := cfg.TuneGroupBy
		if tg == "" {
			tg = ByArticle
		}
		for i, c := range set.Comments {
			set.Examples[i].Group = GroupOf(c, tg)
		}
		scores, fitted, err = classifier.NestedCrossValidate(set.Examples, set.Heads, cfg.Train, folds, *t, cfg.Progress)
	} else {
		scores, fitted, err = classifier.CrossValidate(set.Examples, set.Heads, cfg.Train, folds, cfg.Progress)
	}
	if err != nil {
		return nil, err
	}
	r := newResult(set, set.Heads)
	r.K, r.GroupBy, r.Folds, r.Fitted = max(cfg.K, len(fitted)), g, folds, fitted
	for i := range set.Comments {
		m := fitted[folds[i]]
		for hi, h := range m.Heads {
			r.Pred[h.Name] = append(r.Pred[h.Name], h.Classes[scores[i].Best[hi]])
			r.Probs[h.Name] = append(r.Probs[h.Name], ClassProbs{h.Classes, scores[i].Probs[hi]})
		}
	}
	return r, nil
}

// GroupRows keys each row of r, whose rows are set's, by its article (by ByArticle: its id, or
// else its text) or group column value (ByGroup), for per-article figures. A key is shown
// clipped to 40 characters on one line.
func (r *Result) GroupRows(set *Set, by GroupBy) {
	r.By = by
	r.Groups = nil
	r.ByLabels = map[string]string{}
	for _, c := range set.Comments {
		k := GroupOf(c, by)
		r.Groups = append(r.Groups, k)
		if _, ok := r.ByLabels[k]; !ok {
			r.ByLabels[k] = cell.Clip(k, 40)
		}
	}
}
