package evaluation

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/metrics"
	"github.com/commentstance/stance/scorecsv"
)

// CoveragePoint is a point of the accuracy–coverage curve: the rows whose top class has a
// probability of at least MinProb are labelled, the others left to review.
type CoveragePoint struct {
	MinProb  float64 `json:"min_prob"`
	Labelled int     `json:"labelled"`
	Coverage float64 `json:"coverage"` // Labelled over all rows
	Accuracy float64 `json:"accuracy"` // of the labelled rows
}

// AccuracyCoverage is the accuracy–coverage curve of rows whose top class has probability
// conf[i] and is right where correct[i]: for each distinct confidence, highest first, the
// accuracy and coverage of labelling the rows of at least that confidence (the risk–coverage
// curve of Geifman and El-Yaniv, "Selective Classification for Deep Neural Networks", NeurIPS
// 2017, with accuracy = 1 − risk). Rows of equal confidence are labelled together, so the points
// are the thresholds at which coverage changes; any threshold at or under the lowest confidence
// labels every row (the last point), any above the highest none (no point: accuracy of no rows
// is undefined). Coverage rises and the curve ends at the accuracy of all rows.
func AccuracyCoverage(conf []float64, correct []bool) []CoveragePoint {
	n := len(conf)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(conf[b], conf[a]) })
	var out []CoveragePoint
	right := 0
	for k, i := range order {
		if correct[i] {
			right++
		}
		if k+1 < n && conf[order[k+1]] == conf[i] {
			continue // the rest of the tie is labelled with it
		}
		out = append(out, CoveragePoint{MinProb: conf[i], Labelled: k + 1,
			Coverage: float64(k+1) / float64(n), Accuracy: float64(right) / float64(k+1)})
	}
	return out
}

// Confidence is, per row of head h with a gold label, the probability the scoring model gave
// the predicted class and whether that class is the gold one: AccuracyCoverage's and the
// reliability diagram's input. It is nil when r holds no probabilities for h.
func (r *Result) Confidence(h string) (conf []float64, correct []bool) {
	gold, pred, probs := r.Gold[h], r.Pred[h], r.Probs[h]
	if len(probs) != len(gold) {
		return nil, nil
	}
	for i, g := range gold {
		if g != "" {
			conf = append(conf, probs[i].Of(pred[i]))
			correct = append(correct, g == pred[i])
		}
	}
	return conf, correct
}

// Abstention is a head's figures when the labels under its thresholds are withheld for review.
// Its JSON is part of evaluate --format json's.
type Abstention struct {
	// MinProb is the head's threshold, and ClassMinProb the predicted classes with one of their
	// own that differs from it.
	MinProb      float64            `json:"min_prob"`
	ClassMinProb map[string]float64 `json:"class_min_prob,omitempty"`
	N            int                `json:"n"`        // rows with a gold label
	Labelled     int                `json:"labelled"` // of them, those given a label
	Review       int                `json:"review"`   // and those withheld: N − Labelled
	Coverage     float64            `json:"coverage"` // Labelled / N
	// Labelled's figures: over the classes of the whole evaluation (a class with no labelled
	// row has F1 0), the official metric the report's. Nil when no row is labelled.
	OnLabelled *Figures `json:"on_labelled,omitempty"`
}

// Abstain sets each report's Abstention: its head's figures when t withholds the labels of
// r's rows under their thresholds, the top class of a row being that of the model that scored
// it. reports are Reports(r, ...)'s. It fails, with an *abstain.Error, where t names a head or
// class that r's models lack, and where t withholds nothing it leaves the reports as they are.
func Abstain(r *Result, reports []HeadReport, t abstain.Thresholds) error {
	if _, err := scorecsv.Policy(t, r.PredictionHeads()); err != nil {
		return err
	}
	if !t.Active() {
		return nil
	}
	for ri := range reports {
		hr := &reports[ri]
		h := hr.Head
		if len(r.Probs[h]) != len(r.Gold[h]) {
			return fmt.Errorf("head %s: no probabilities to withhold labels by", h)
		}
		classes := hr.Report.Classes
		idx := map[string]int{}
		for i, c := range classes {
			idx[c] = i
		}
		a := &Abstention{MinProb: t.OfHead(h)}
		for _, c := range r.PredictionHeads()[slices.Index(r.Heads, h)].Classes {
			if p := t.Of(h, c); p != a.MinProb {
				if a.ClassMinProb == nil {
					a.ClassMinProb = map[string]float64{}
				}
				a.ClassMinProb[c] = p
			}
		}
		var gold, pred []int
		for i, g := range r.Gold[h] {
			if g == "" {
				continue
			}
			a.N++
			p := r.Pred[h][i]
			if r.Probs[h][i].Of(p) < t.Of(h, p) {
				continue
			}
			gold = append(gold, idx[g])
			pred = append(pred, idx[p])
		}
		a.Labelled, a.Review = len(gold), a.N-len(gold)
		if a.N > 0 {
			a.Coverage = float64(a.Labelled) / float64(a.N)
		}
		if a.Labelled > 0 {
			rep, err := metrics.Evaluate(classes, gold, pred, hr.Report.Metric)
			if err != nil {
				return fmt.Errorf("head %s, labelled rows: %w", h, err)
			}
			a.OnLabelled = &Figures{Official: rep.Official, Accuracy: rep.Accuracy, MacroF1: rep.MacroF1}
		}
		hr.Abstain = a
	}
	return nil
}

// CoverageAt is the point of curve (AccuracyCoverage's) at threshold minProb: that of the
// least confidence at or above it, whose rows are those labelled. ok is false where minProb is
// above every confidence, and no row is labelled.
func CoverageAt(curve []CoveragePoint, minProb float64) (p CoveragePoint, ok bool) {
	for _, c := range curve {
		if c.MinProb < minProb {
			break
		}
		p, ok = c, true
	}
	return p, ok
}
