// Package metrics scores predicted classes against gold classes the way the project's referee,
// ../shared/peers/score.py (head_report and fnc_score), scores them, and assigns rows to
// cross-validation folds.
//
// Data enters as the class names of one head and two slices of class indices into them, gold and
// predicted, one entry per row; it leaves as a Report (per-class precision, recall, F1 and
// support, accuracy, macro-F1, the confusion matrix and the task's official metric), which prints
// as a table with Format and marshals to JSON under score.py's key names (per_class and confusion
// are lists in class order where score.py has objects). Every figure is
// computed in the referee's order of floating-point operations, so the two agree to the last bit,
// not merely to a tolerance; the tests hold numbers produced by score.py.
//
// Folds assigns rows to K folds, keeping groups (a thread, an article, a claim) whole, after
// scikit-learn's StratifiedKFold and StratifiedGroupKFold. Out-of-fold scores are made by calling
// Evaluate on the pooled predictions, and per-fold figures are summarised with MeanStd.
package metrics

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Sentinel errors, wrapped (with %w) by the errors this package returns, for callers that act on
// the kind of failure rather than print it.
var (
	// ErrMetric: the metric spec is none of those ParseMetric accepts.
	ErrMetric = errors.New("not an accepted metric spec")
	// ErrUnknownClass: a metric names a class that the head does not have.
	ErrUnknownClass = errors.New("unknown class")
	// ErrClasses: the class list is empty, or has an empty or repeated name.
	ErrClasses = errors.New("bad class list")
	// ErrLength: slices that must be parallel differ in length.
	ErrLength = errors.New("lengths differ")
	// ErrLabel: a gold or predicted class index is outside the class list.
	ErrLabel = errors.New("class index out of range")
	// ErrEmpty: there are no rows to score.
	ErrEmpty = errors.New("no rows")
	// ErrTooFewGroups: Folds was asked for more folds than there are groups (or rows, without
	// groups) to fill them.
	ErrTooFewGroups = errors.New("fewer groups than folds")
)

// ClassStats holds one class's figures. Precision is 0 when the class is never predicted, Recall
// is 0 when it never occurs in gold, and F1 is 0 when both are 0: score.py's convention, which is
// that of SemEval-2016 Task 6's eval.pl and of scikit-learn with zero_division=0.
type ClassStats struct {
	Class     string  `json:"class"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"` // rows whose gold class this is
}

// Report holds every figure for one head, as score.py's head_report does.
type Report struct {
	Classes []string `json:"classes"`
	// Confusion[g][p] counts rows of gold class g predicted as p, both in Classes order.
	Confusion [][]int      `json:"confusion"`
	PerClass  []ClassStats `json:"per_class"` // in Classes order
	Accuracy  float64      `json:"accuracy"`
	MacroF1   float64      `json:"macro_f1"` // unweighted mean of PerClass F1 over all Classes
	N         int          `json:"n"`
	// Metric is the official metric's spec exactly as given to Evaluate, and Official its value.
	Metric   string  `json:"metric"`
	Official float64 `json:"official"`
}

// Evaluate scores pred against gold. Both hold, per row, an index into classes. metric is the
// task's official metric spec (see ParseMetric); its value is Report.Official.
//
// It fails, wrapping one of the sentinel errors, if the metric does not parse, gold and pred
// differ in length or are empty, or an index is outside classes; the message names the row.
func Evaluate(classes []string, gold, pred []int, metric string) (Report, error) {
	m, err := ParseMetric(metric, classes)
	if err != nil {
		return Report{}, err
	}
	if err := checkRows(classes, gold, pred); err != nil {
		return Report{}, err
	}
	nc := len(classes)
	r := Report{
		Classes:   append([]string(nil), classes...),
		Confusion: make([][]int, nc),
		PerClass:  make([]ClassStats, nc),
		N:         len(gold),
		Metric:    metric,
	}
	cells := make([]int, nc*nc)
	for i := range r.Confusion {
		r.Confusion[i] = cells[i*nc : (i+1)*nc : (i+1)*nc]
	}
	for i, g := range gold {
		r.Confusion[g][pred[i]]++
	}

	// The order of operations below is head_report's, so that the results are bit-identical.
	correct := 0
	for i, c := range classes {
		tp, nPred, nGold := r.Confusion[i][i], 0, 0
		for j := range nc {
			nPred += r.Confusion[j][i]
			nGold += r.Confusion[i][j]
		}
		s := ClassStats{Class: c, Support: nGold}
		if nPred > 0 {
			s.Precision = float64(tp) / float64(nPred)
		}
		if nGold > 0 {
			s.Recall = float64(tp) / float64(nGold)
		}
		if s.Precision+s.Recall != 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		r.PerClass[i] = s
		r.MacroF1 += s.F1
		correct += tp
	}
	r.MacroF1 /= float64(nc)
	r.Accuracy = float64(correct) / float64(len(gold))

	switch m.name {
	case "f_avg":
		for _, c := range m.classes {
			r.Official += r.PerClass[c].F1
		}
		r.Official /= float64(len(m.classes))
	case "macro_f1":
		r.Official = r.MacroF1
	case "accuracy":
		r.Official = r.Accuracy
	case "fnc_score":
		r.Official = fncScore(m.classes, gold, pred)
	}
	return r, nil
}

// checkRows validates the class list and the rows that Evaluate and FNCScore score.
func checkRows(classes []string, gold, pred []int) error {
	if err := checkClasses(classes); err != nil {
		return err
	}
	if len(gold) != len(pred) {
		return fmt.Errorf("metrics: %d gold rows but %d predictions: %w", len(gold), len(pred), ErrLength)
	}
	if len(gold) == 0 {
		return fmt.Errorf("metrics: nothing to score: %w", ErrEmpty)
	}
	for _, s := range []struct {
		name string
		xs   []int
	}{{"gold", gold}, {"pred", pred}} {
		for i, x := range s.xs {
			if x < 0 || x >= len(classes) {
				return fmt.Errorf("metrics: %s[%d] is %d, not an index into the %d classes %s: %w",
					s.name, i, x, len(classes), strings.Join(classes, ", "), ErrLabel)
			}
		}
	}
	return nil
}

// checkClasses rejects an empty class list, an empty class name (which a metric spec could not
// name) and a repeated class name (which would make a class index ambiguous).
func checkClasses(classes []string) error {
	if len(classes) == 0 {
		return fmt.Errorf("metrics: no classes: %w", ErrClasses)
	}
	seen := make(map[string]int, len(classes))
	for i, c := range classes {
		if c == "" {
			return fmt.Errorf("metrics: class %d has an empty name: %w", i, ErrClasses)
		}
		if j, ok := seen[c]; ok {
			return fmt.Errorf("metrics: class %q is both class %d and class %d: %w", c, j, i, ErrClasses)
		}
		seen[c] = i
	}
	return nil
}

// MeanStd returns the mean of xs and its standard deviation with divisor len(xs)-ddof, as
// numpy.std(xs, ddof=ddof): ddof 0 gives the population standard deviation, the convention in
// which cross-validation results over the folds are usually reported as mean ± std (and the one
// scikit-learn's StratifiedGroupKFold balances folds by); ddof 1 the sample standard deviation,
// for figures that are a sample of what might have been drawn (repeated fold assignments). This
// is the project's one standard deviation. Both are NaN for an empty xs, the deviation also when
// len(xs) <= ddof.
func MeanStd(xs []float64, ddof int) (mean, std float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	// Two passes rather than a running sum of squares, which cancels badly when the folds agree
	// to many digits. The explicit float64 conversion stops the compiler fusing the multiply and
	// add, which would change the last bit on some architectures (and with it ties in Folds).
	var ss float64
	for _, x := range xs {
		d := x - mean
		ss += float64(d * d)
	}
	return mean, math.Sqrt(ss / float64(len(xs)-ddof))
}
