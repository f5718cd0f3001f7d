package classifier

import (
	"cmp"
	"slices"
	"sync"

	"github.com/commentstance/stance/features"

	"github.com/commentstance/stance/sparse"
)

// Feature is one feature's part in a decision: its readable name, its value in the comment
// (0 for a model-wide listing) and its weight toward the class, measured against the average
// class (W[f][k] minus the mean of W[f][j] over classes j), so that a positive weight pushes
// toward the class and a negative one away from it. Push is value * weight.
type Feature struct {
	Name   string  `json:"feature"`
	Value  float64 `json:"value,omitempty"`
	Weight float64 `json:"weight"`
	Push   float64 `json:"push,omitempty"`
}

// Explanation is one head's decision on one comment.
type Explanation struct {
	Head    string    `json:"head"`
	Label   string    `json:"label"`
	Prob    float64   `json:"probability"`
	Toward  []Feature `json:"toward"`  // the strongest pushes toward Label, strongest first
	Against []Feature `json:"against"` // the strongest pushes away from Label, strongest first
	// Unseen says the article was not in the training data, so the head's model for unseen
	// articles decided (Head.Unseen).
	Unseen bool `json:"unseen_article,omitempty"`
}

// Explain scores one comment and lists, per head, the top features that pushed the score most
// toward and away from the predicted class, named as the n-grams, article words and relation
// features they are (see features.Worker.Names).
func (m *Model) Explain(text, article string, top int) ([]Explanation, error) {
	if m.scoreOnly {
		return nil, ErrScoreOnly
	}
	w, err := m.Extractor.NewWorker()
	if err != nil {
		return nil, err
	}
	var v sparse.Vector
	names := w.Names(&v, text, article)
	// The label and probability are the Scorer's, so that explain and score agree to the bit.
	s, err := m.NewScorer()
	if err != nil {
		return nil, err
	}
	var sc Scores
	s.Score(&sc, text, article)
	known := m.Knows(w.ArticleID(article))
	var out []Explanation
	for hi, h := range m.Heads {
		probs, k := sc.Probs[hi], sc.Best[hi]
		decider := h
		if h.Unseen != nil && !known {
			decider = *h.Unseen
		}
		var fs []Feature
		for i, idx := range v.Idx {
			wt := relativeWeight(decider, idx, k)
			if wt == 0 {
				continue
			}
			x := float64(v.Val[i])
			fs = append(fs, Feature{Name: names[idx], Value: x, Weight: wt, Push: x * wt})
		}
		slices.SortStableFunc(fs, func(a, b Feature) int { return cmp.Compare(b.Push, a.Push) })
		e := Explanation{Head: h.Name, Label: h.Classes[k], Prob: probs[k], Unseen: decider.Model != h.Model}
		for _, f := range fs {
			if f.Push > 0 && len(e.Toward) < top {
				e.Toward = append(e.Toward, f)
			}
		}
		for i := len(fs) - 1; i >= 0 && len(e.Against) < top; i-- {
			if fs[i].Push < 0 {
				e.Against = append(e.Against, fs[i])
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// relativeWeight is feature idx's weight toward class k against the mean class.
func relativeWeight(h Head, idx uint32, k int) float64 {
	sm := h.Model
	if int(idx) >= sm.Dim {
		return 0
	}
	row := sm.W[int(idx)*sm.Classes : int(idx+1)*sm.Classes]
	var mean float64
	for _, w := range row {
		mean += float64(w)
	}
	mean /= float64(len(row))
	return float64(row[k]) - mean
}

// ClassFeatures lists the strongest features of one class of one head.
type ClassFeatures struct {
	Head     string    `json:"head"`
	Class    string    `json:"class"`
	Features []Feature `json:"features"`
}

// TopFeatures lists, per head and class, the named features with the largest weight toward the
// class. Names come from the model's dictionary (see Dictionary), so only features that were
// among the strongest when the model was trained can be listed.
//
// A model loaded for scoring only (ScoreOnly) has no weights to list: it lists nothing.
func (m *Model) TopFeatures(top int) []ClassFeatures {
	if m.scoreOnly {
		return nil
	}
	var out []ClassFeatures
	for _, h := range m.Heads {
		for k, c := range h.Classes {
			var fs []Feature
			for idx, name := range m.Dictionary {
				if wt := relativeWeight(h, idx, k); wt > 0 {
					fs = append(fs, Feature{Name: name, Weight: wt})
				}
			}
			slices.SortFunc(fs, func(a, b Feature) int {
				if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
					return c
				}
				return cmp.Compare(a.Name, b.Name)
			})
			if len(fs) > top {
				fs = fs[:top]
			}
			out = append(out, ClassFeatures{Head: h.Name, Class: c, Features: fs})
		}
	}
	return out
}

// dictionarySize is how many of the strongest features per head and class get a readable name
// in the model file: enough for `explain --top` listings, small beside the weights.
const dictionarySize = 100

// buildDictionary names the strongest features of every head and class: it picks their indices
// by relative weight, then reads training examples (in order, stopping once every index has a
// name) to find the n-gram or word that hashed there.
func (m *Model) buildDictionary(examples []Example) {
	want := map[uint32]bool{}
	for _, h := range m.Heads {
		for k := range h.Classes {
			type iw struct {
				idx uint32
				w   float64
			}
			var best []iw
			sm := h.Model
			for f := 0; f < sm.Dim; f++ {
				if sm.W[f*sm.Classes+k] == 0 {
					continue
				}
				if w := relativeWeight(h, uint32(f), k); w > 0 {
					best = append(best, iw{uint32(f), w})
				}
			}
			slices.SortFunc(best, func(a, b iw) int {
				if c := cmp.Compare(b.w, a.w); c != 0 {
					return c
				}
				return cmp.Compare(a.idx, b.idx)
			})
			for _, b := range best[:min(len(best), dictionarySize)] {
				want[b.idx] = true
			}
		}
	}
	m.Dictionary = map[uint32]string{}
	// Rounds of one chunk of examples per worker, read in parallel and merged in example order
	// (the first example to name an index names it), until every index has a name: the same
	// dictionary as reading the examples one by one, for any number of workers.
	const chunk = 256
	workers := m.Config.workers()
	ws := make([]*features.Worker, workers)
	for i := range ws {
		w, err := m.Extractor.NewWorker()
		if err != nil {
			return
		}
		ws[i] = w
	}
	names := make([]map[uint32]string, workers)
	for start := 0; start < len(examples) && len(m.Dictionary) < len(want); start += workers * chunk {
		var wg sync.WaitGroup
		for i, w := range ws {
			lo := min(start+i*chunk, len(examples))
			hi := min(lo+chunk, len(examples))
			wg.Go(func() {
				got := map[uint32]string{}
				var v sparse.Vector
				for _, e := range examples[lo:hi] {
					for idx, name := range w.NamesOf(&v, e.Text, e.Article, want) {
						if _, ok := got[idx]; !ok && want[idx] {
							got[idx] = name
						}
					}
				}
				names[i] = got
			})
		}
		wg.Wait()
		for _, got := range names {
			for idx, name := range got {
				if _, ok := m.Dictionary[idx]; !ok {
					m.Dictionary[idx] = name
				}
			}
		}
	}
}
