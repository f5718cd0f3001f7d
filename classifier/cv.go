package classifier

import (
	"fmt"
	"runtime"
	"slices"
)

// CrossValidate trains on all folds but one and predicts the held-out fold, for each fold, so
// that every example gets one out-of-fold prediction. folds[i] is example i's fold in [0, k).
// The result holds, per example, the Scores of the model that did not see it, and an outline of
// each fold's model (example i was scored by models[folds[i]], whose heads' Classes name the
// scores: a fold's training part may lack a rare class). An outline keeps the model's Config and
// its heads' names, classes, training summaries and class counts and weights, but not its
// extractor, weights or dictionary: a fold's weights are released once it has scored its fold,
// so cross-validation holds one model's weights at a time. progress, if not nil, is called after
// each fold.
func CrossValidate(examples []Example, heads []string, cfg Config, folds []int, progress func(done, total int)) ([]Scores, []*Model, error) {
	return crossValidate(examples, heads, folds, func(int, []Example, []int) (Config, error) { return cfg, nil }, progress)
}

// NestedCrossValidate is CrossValidate with each fold's configuration chosen by Tune with opt on
// that fold's training part alone. The test fold plays no part in its choice, so the figure is
// that of the whole procedure, tuning included (nested cross-validation, as scikit-learn's
// cross_val_score over a LogisticRegressionCV). Each fold's model carries its choice in
// Config.Heads, and Tuning's Choices (its Trials left out: the choices say what the notes need).
func NestedCrossValidate(examples []Example, heads []string, cfg Config, folds []int, opt TuneOptions, progress func(done, total int)) ([]Scores, []*Model, error) {
	choices := map[int][]Choice{}
	scores, fitted, err := crossValidate(examples, heads, folds, func(f int, train []Example, idx []int) (Config, error) {
		tuned, _, ch, err := Tune(train, heads, cfg, opt)
		choices[f] = ch
		return tuned, err
	}, progress)
	for f, m := range fitted {
		if m != nil && len(choices[f]) > 0 {
			m.Tuning = &Tuning{Choices: choices[f]}
		}
	}
	return scores, fitted, err
}

// crossValidate runs the folds, training each on the configuration configFor gives it.
func crossValidate(examples []Example, heads []string, folds []int, configFor func(fold int, train []Example, idx []int) (Config, error), progress func(done, total int)) ([]Scores, []*Model, error) {
	if len(folds) != len(examples) {
		return nil, nil, fmt.Errorf("cross-validation: %d fold assignments for %d examples", len(folds), len(examples))
	}
	k := slices.Max(folds) + 1
	out := make([]Scores, len(examples))
	fitted := make([]*Model, k)
	for f := range k {
		var train []Example
		var idx, test []int
		for i, e := range examples {
			if folds[i] == f {
				test = append(test, i)
			} else {
				train = append(train, e)
				idx = append(idx, i)
			}
		}
		if len(test) == 0 {
			continue
		}
		cfg, err := configFor(f, train, idx)
		if err != nil {
			return nil, nil, fmt.Errorf("fold %d of %d: %w", f+1, k, err)
		}
		m, err := Train(train, heads, cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("fold %d of %d: %w", f+1, k, err)
		}
		s, err := m.NewScorer()
		if err != nil {
			return nil, nil, err
		}
		for _, i := range test {
			s.Score(&out[i], examples[i].Text, examples[i].Article)
			out[i] = Scores{Probs: cloneProbs(out[i].Probs), Best: slices.Clone(out[i].Best), Unseen: slices.Clone(out[i].Unseen)}
		}
		fitted[f] = m.outline()
		// Collect the fold's model now, while little else is live, so that the next fold's
		// training starts from a heap goal set without it (see ScoreOnly).
		runtime.GC()
		if progress != nil {
			progress(f+1, k)
		}
	}
	return out, fitted, nil
}

func cloneProbs(p [][]float64) [][]float64 {
	out := make([][]float64, len(p))
	for i := range p {
		out[i] = slices.Clone(p[i])
	}
	return out
}

// outline returns m's Config and its heads without their weights (see CrossValidate).
func (m *Model) outline() *Model {
	heads := make([]Head, len(m.Heads))
	for i, h := range m.Heads {
		h.Model = nil
		if h.Unseen != nil {
			u := *h.Unseen
			u.Model = nil
			h.Unseen = &u
		}
		heads[i] = h
	}
	return &Model{Config: m.Config, Heads: heads}
}
