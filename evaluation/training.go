package evaluation

import (
	"slices"

	"github.com/commentstance/stance/classifier"
)

// LooksLikeTraining reports whether set looks like the rows m was trained on: for every head of
// m with labels in set, the labelled rows of each class are exactly as many as m's head was
// trained on (classifier.Head.Counts), and every row is under an article m knows (or, for a
// model trained without articles, under none). It is a check of counts, cheap enough for every
// evaluation, and so detects the training file itself (in any order, with unlabelled rows
// added), not a part of it or the training rows mixed with others; a different set of rows with
// the same counts per class under the same articles would pass too. A model file older than the
// counts gives false.
func LooksLikeTraining(m *classifier.Model, set *Set) (bool, error) {
	compared := false
	for _, h := range m.Heads {
		if !slices.Contains(set.Heads, h.Name) {
			continue
		}
		if h.Counts == nil {
			return false, nil
		}
		counts := make([]int, len(h.Classes))
		for _, e := range set.Examples {
			l := e.Labels[h.Name]
			if l == "" {
				continue
			}
			k := slices.Index(h.Classes, l)
			if k < 0 {
				return false, nil
			}
			counts[k]++
		}
		if !slices.Equal(counts, h.Counts) {
			return false, nil
		}
		compared = true
	}
	if !compared {
		return false, nil
	}
	sc, err := m.NewScorer()
	if err != nil {
		return false, err
	}
	for _, e := range set.Examples {
		if len(m.Articles) == 0 && e.Article != "" || len(m.Articles) > 0 && !sc.Knows(e.Article) {
			return false, nil
		}
	}
	return true, nil
}
