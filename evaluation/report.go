package evaluation

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/commentstance/stance/metrics"
)

// HeadReport is one head's figures. Its JSON is evaluate --format json's.
type HeadReport struct {
	Head    string         `json:"head"`
	Note    string         `json:"note,omitempty"`
	Report  metrics.Report `json:"report"`
	Repeats *RepeatStats   `json:"repeats,omitempty"` // with repeated cross-validation
	// Abstain are the figures with the labels under a threshold withheld (Abstain); with
	// repeated cross-validation, those of the first fold assignment.
	Abstain *Abstention `json:"abstain,omitempty"`
	// With Result.GroupRows: what the rows are grouped by, each group's figures, and their
	// unweighted mean.
	ByName string         `json:"by,omitempty"`
	By     []GroupFigures `json:"by_groups,omitempty"`
	ByMean *Figures       `json:"by_mean,omitempty"`
}

// Figures are the headline figures of a head on some rows.
type Figures struct {
	Official float64 `json:"official"`
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
}

// GroupFigures are a head's figures on the rows of one article or group.
type GroupFigures struct {
	Key string `json:"key"`
	N   int    `json:"n"`
	Figures
}

// Reports computes each head's report. A head's classes are those of gold and predictions;
// rows without a gold label are left out. The metric comes from metricFor[head], its class
// names matched without case (metrics.Resolve); a head with no metric, or one naming classes it
// lacks, gets macro_f1 and a note saying so.
func Reports(r *Result, metricFor map[string]string) ([]HeadReport, error) {
	var out []HeadReport
	for _, h := range r.Heads {
		classes, idx := r.classes(h)
		var gold, pred []int
		for i, g := range r.Gold[h] {
			if g != "" {
				gold = append(gold, idx[g])
				pred = append(pred, idx[r.Pred[h][i]])
			}
		}
		metric, note := metrics.Resolve(metricFor[h], classes)
		if u := r.unseen(h); u != "" {
			note = strings.TrimPrefix(note+"; "+u, "; ")
		}
		rep, err := metrics.Evaluate(classes, gold, pred, metric)
		if err != nil {
			return nil, fmt.Errorf("head %s: %w", h, err)
		}
		hr := HeadReport{Head: h, Note: note, Report: rep}
		if r.Groups != nil {
			if err := r.reportBy(&hr, h, classes, idx, metric); err != nil {
				return nil, err
			}
		}
		out = append(out, hr)
	}
	return out, nil
}

// classes are head h's classes, those of its gold labels and of the predictions of rows with
// one, sorted, and each one's index.
func (r *Result) classes(h string) ([]string, map[string]int) {
	set := map[string]bool{}
	for i, g := range r.Gold[h] {
		if g != "" {
			set[g] = true
			set[r.Pred[h][i]] = true
		}
	}
	classes := make([]string, 0, len(set))
	for c := range set {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	idx := map[string]int{}
	for i, c := range classes {
		idx[c] = i
	}
	return classes, idx
}

// reportBy gives hr the figures of head h on each article's (or group's) rows, in order of first
// appearance, over the classes of the whole evaluation, and their unweighted mean.
func (r *Result) reportBy(hr *HeadReport, h string, classes []string, idx map[string]int, metric string) error {
	var order []string
	gold, pred := map[string][]int{}, map[string][]int{}
	for i, g := range r.Gold[h] {
		if g == "" {
			continue
		}
		k := r.Groups[i]
		if _, ok := gold[k]; !ok {
			order = append(order, k)
		}
		gold[k] = append(gold[k], idx[g])
		pred[k] = append(pred[k], idx[r.Pred[h][i]])
	}
	var mean Figures
	for _, k := range order {
		rep, err := metrics.Evaluate(classes, gold[k], pred[k], metric)
		if err != nil {
			return fmt.Errorf("head %s, %s %q: %w", h, r.By, r.ByLabels[k], err)
		}
		hr.By = append(hr.By, GroupFigures{Key: r.ByLabels[k], N: rep.N, Figures: Figures{Official: rep.Official, Accuracy: rep.Accuracy, MacroF1: rep.MacroF1}})
		mean.Official += rep.Official / float64(len(order))
		mean.Accuracy += rep.Accuracy / float64(len(order))
		mean.MacroF1 += rep.MacroF1 / float64(len(order))
	}
	hr.ByName = string(r.By)
	hr.ByMean = &mean
	return nil
}

// unseen names the gold labels of head h that the model scoring their row does not have as a
// class: a label new at evaluation time, or in cross-validation one too rare to be in every
// training part. Such rows cannot be predicted right; the report shows the class with recall 0.
func (r *Result) unseen(h string) string {
	miss, total := map[string]int{}, map[string]int{}
	for i, g := range r.Gold[h] {
		if g == "" || i >= len(r.Probs[h]) {
			continue
		}
		total[g]++
		if !slices.Contains(r.Probs[h][i].Classes, g) {
			miss[g]++
		}
	}
	var parts []string
	for _, c := range slices.Sorted(maps.Keys(miss)) {
		rows := "rows"
		if total[c] == 1 {
			rows = "row"
		}
		if miss[c] == total[c] {
			parts = append(parts, fmt.Sprintf("%s (%d %s)", c, miss[c], rows))
		} else {
			parts = append(parts, fmt.Sprintf("%s (%d of its %d %s)", c, miss[c], total[c], rows))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "gold labels the scoring model never saw in training, so cannot predict (recall 0 on those rows): " + strings.Join(parts, ", ")
}
