package evaluation

import (
	"io"
	"maps"
	"slices"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/scorecsv"
)

// PredictionHeads are the score columns of r's rows: per head, the classes of the models that
// scored its rows, sorted. In cross-validation a fold's training part may lack a rare class,
// whose probability is then 0 on that fold's rows.
func (r *Result) PredictionHeads() []scorecsv.Head {
	heads := make([]scorecsv.Head, len(r.Heads))
	for hi, h := range r.Heads {
		seen := map[string]bool{}
		for _, cp := range r.Probs[h] {
			for _, c := range cp.Classes {
				seen[c] = true
			}
		}
		heads[hi] = scorecsv.Head{Name: h, Classes: slices.Sorted(maps.Keys(seen))}
	}
	return heads
}

// WritePredictions writes one score row per row of r, in input order, as export writes them:
// id (when the data has ids), then per head the predicted label, each class's probability and
// the signed score (scorecsv), over the classes of PredictionHeads. The labels that t withholds
// are written as its label (the zero Thresholds withhold none); it fails, with an
// *abstain.Error, where t names a head or class that r's models lack.
func WritePredictions(w io.Writer, r *Result, t abstain.Thresholds) error {
	heads := r.PredictionHeads()
	policy, err := scorecsv.Policy(t, heads)
	if err != nil {
		return err
	}
	cw := scorecsv.NewWriter(w, heads)
	cw.Abstain(policy)
	var lead []string
	if r.HasID {
		lead = []string{"id"}
	}
	if err := cw.WriteHeader(lead...); err != nil {
		return err
	}
	s := classifier.Scores{Best: make([]int, len(heads)), Probs: make([][]float64, len(heads))}
	for hi, h := range heads {
		s.Probs[hi] = make([]float64, len(h.Classes))
	}
	for i := range r.IDs {
		if r.HasID {
			lead[0] = r.IDs[i]
		}
		for hi, h := range heads {
			cp := r.Probs[h.Name][i]
			for k, c := range h.Classes {
				s.Probs[hi][k] = cp.Of(c)
			}
			s.Best[hi] = slices.Index(h.Classes, r.Pred[h.Name][i])
		}
		if err := cw.Write(lead, &s); err != nil {
			return err
		}
	}
	return cw.Flush()
}
