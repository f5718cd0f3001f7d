package metrics

import (
	"fmt"
	"strings"
	"unicode"
)

// acceptedMetrics is what ParseMetric's errors offer; it is the list at the top of
// ../shared/data/tasks.yaml.
const acceptedMetrics = "f_avg(CLASS,...), macro_f1, accuracy, fnc_score"

// fncClasses are the FNC-1 classes in the order Metric.classes holds them for fnc_score; the first
// three are the "related" ones (FakeNewsChallenge/fnc-1 scorer.py, RELATED).
var fncClasses = [4]string{"agree", "disagree", "discuss", "unrelated"}

// Metric is an official metric, checked against a head's classes. The zero Metric is not valid;
// make one with ParseMetric.
type Metric struct {
	name string // f_avg, macro_f1, accuracy or fnc_score
	// classes are, for f_avg, the named classes in the spec's order and, for fnc_score, the
	// indices of agree, disagree, discuss and unrelated; both index the classes given to
	// ParseMetric.
	classes []int
	spec    string // canonical spec
}

// Name is the metric's name: "f_avg", "macro_f1", "accuracy" or "fnc_score".
func (m Metric) Name() string { return m.name }

// String is the metric's canonical spec, with the blanks around f_avg's class names dropped;
// ParseMetric accepts it back.
func (m Metric) String() string { return m.spec }

// ParseMetric parses an official metric spec, as tasks.yaml names them:
//
//	f_avg(A,B,...)  mean F1 of the named classes, over all rows (SemEval-2016 Task 6, Mawqif)
//	macro_f1        mean F1 of all classes
//	accuracy        share of rows predicted right
//	fnc_score       FNC-1 weighted score as a share of the best possible (see FNCScore)
//
// It accepts what score.py accepts: names match exactly (no blanks around them, no change of
// case), and f_avg's class names are separated by commas, may have blanks around them and must be
// classes of the head. Beyond score.py, it rejects a class named twice in f_avg, which would
// weigh that class double, and for fnc_score it requires the four FNC-1 classes, matched ignoring
// case, because without them the score is meaningless.
func ParseMetric(spec string, classes []string) (Metric, error) {
	if err := checkClasses(classes); err != nil {
		return Metric{}, err
	}
	switch spec {
	case "macro_f1", "accuracy":
		return Metric{name: spec, spec: spec}, nil
	case "fnc_score":
		idx, err := fncIndex(classes)
		if err != nil {
			return Metric{}, err
		}
		return Metric{name: spec, classes: idx, spec: spec}, nil
	}
	// score.py matches f_avg\((.+)\) with re.fullmatch: at least one character between the
	// parentheses and, since "." does not match a newline, no newline among them.
	inner, ok := strings.CutPrefix(spec, "f_avg(")
	if ok {
		inner, ok = strings.CutSuffix(inner, ")")
	}
	if !ok || inner == "" || strings.Contains(inner, "\n") {
		return Metric{}, fmt.Errorf("metrics: metric %q: %w; accepted: %s", spec, ErrMetric, acceptedMetrics)
	}
	index := make(map[string]int, len(classes))
	for i, c := range classes {
		index[c] = i
	}
	names := strings.Split(inner, ",")
	m := Metric{name: "f_avg", classes: make([]int, len(names))}
	for i, n := range names {
		n = strings.TrimFunc(n, pyIsSpace)
		c, ok := index[n]
		if !ok {
			return Metric{}, fmt.Errorf("metrics: metric %q: class %q is not one of %s: %w",
				spec, n, strings.Join(classes, ", "), ErrUnknownClass)
		}
		for _, prev := range m.classes[:i] {
			if prev == c {
				return Metric{}, fmt.Errorf("metrics: metric %q: class %q named twice: %w", spec, n, ErrMetric)
			}
		}
		m.classes[i] = c
		names[i] = n
	}
	m.spec = "f_avg(" + strings.Join(names, ",") + ")"
	return m, nil
}

// pyIsSpace is Python's str.isspace for one character, which score.py's str.strip uses: Go's
// unicode.IsSpace plus the information separators U+001C to U+001F, which Python counts as
// whitespace (their bidirectional class is B or S) and Go does not.
func pyIsSpace(r rune) bool { return unicode.IsSpace(r) || 0x1c <= r && r <= 0x1f }

// fncIndex finds agree, disagree, discuss and unrelated among classes, ignoring case.
func fncIndex(classes []string) ([]int, error) {
	idx := []int{-1, -1, -1, -1}
	var missing []string
	for k, want := range fncClasses {
		for i, c := range classes {
			if !strings.EqualFold(c, want) {
				continue
			}
			if idx[k] >= 0 {
				return nil, fmt.Errorf("metrics: fnc_score: classes %q and %q both match %q: %w",
					classes[idx[k]], c, want, ErrClasses)
			}
			idx[k] = i
		}
		if idx[k] < 0 {
			missing = append(missing, want)
		}
	}
	if missing != nil {
		return nil, fmt.Errorf("metrics: fnc_score needs the classes %s; %s missing from %s: %w",
			strings.Join(fncClasses[:], ", "), strings.Join(missing, ", "), strings.Join(classes, ", "), ErrUnknownClass)
	}
	return idx, nil
}

// FNCScore is the FNC-1 weighted score of pred against gold as a share of the best possible score,
// as score.py's fnc_score and the official scorer (FakeNewsChallenge/fnc-1 @ 29d473af, scorer.py,
// score_submission) count it: per row, +0.25 for an exact match, +0.50 more if that class is not
// unrelated, and +0.25 whenever gold and prediction are both related (agree, disagree or discuss);
// the best score is 0.25 per unrelated row and 1 per other row.
//
// classes must include agree, disagree, discuss and unrelated, matched ignoring case. Any other
// class counts as score.py counts it: neither related nor unrelated.
func FNCScore(classes []string, gold, pred []int) (float64, error) {
	idx, err := fncIndex(classes)
	if err != nil {
		return 0, err
	}
	if err := checkRows(classes, gold, pred); err != nil {
		return 0, err
	}
	return fncScore(idx, gold, pred), nil
}

// fncScore is FNCScore on checked input; idx is fncIndex's result. Every partial sum is a
// multiple of 0.25 well below 2^51, hence exact, so the result equals score.py's bit for bit.
func fncScore(idx []int, gold, pred []int) float64 {
	unrelated := idx[3]
	related := func(c int) bool { return c == idx[0] || c == idx[1] || c == idx[2] }
	var score, best float64
	for i, g := range gold {
		p := pred[i]
		if g == p {
			score += 0.25
			if g != unrelated {
				score += 0.50
			}
		}
		if related(g) && related(p) {
			score += 0.25
		}
		if g == unrelated {
			best += 0.25
		} else {
			best += 1
		}
	}
	return score / best
}
