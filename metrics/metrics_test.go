package metrics

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
)

// refCase is one head scored by the referee. Every expected number below was printed by
// ../shared/peers/score.py's head_report on the same gold and predictions (class names mapped from
// the indices), with Python's repr, which round-trips float64 exactly:
//
//	import sys; sys.path.insert(0, "/work/shared/peers"); import score
//	r = score.head_report([cls[i] for i in gold], [cls[i] for i in pred], cls, metric)
//
// They are compared with ==, not a tolerance: Evaluate does head_report's arithmetic in
// head_report's order.
type refCase struct {
	name       string
	classes    []string
	metric     string
	gold, pred []int

	official, macroF1, accuracy float64
	prec, rec, f1               []float64
	support                     []int
	confusion                   [][]int
}

var refCases = []refCase{
	{
		name:    "semeval2016 stance f_avg",
		classes: []string{"FAVOR", "AGAINST", "NONE"}, metric: "f_avg(FAVOR,AGAINST)",
		gold:     []int{0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2},
		pred:     []int{0, 0, 0, 1, 1, 1, 1, 0, 2, 2, 1, 2},
		official: 0.675, macroF1: 0.6722222222222222, accuracy: 0.6666666666666666,
		prec:      []float64{0.75, 0.6, 0.6666666666666666},
		rec:       []float64{0.75, 0.6, 0.6666666666666666},
		f1:        []float64{0.75, 0.6, 0.6666666666666666},
		support:   []int{4, 5, 3},
		confusion: [][]int{{3, 1, 0}, {1, 3, 1}, {0, 1, 2}},
	},
	{
		// NEITHER is neither gold nor predicted: P = R = F1 = 0, and it still counts in macro-F1.
		name:    "sentiment with an absent class",
		classes: []string{"POSITIVE", "NEGATIVE", "NEITHER"}, metric: "macro_f1",
		gold:     []int{0, 0, 1, 1, 1, 0, 1},
		pred:     []int{0, 1, 1, 1, 0, 0, 1},
		official: 0.47222222222222215, macroF1: 0.47222222222222215, accuracy: 0.7142857142857143,
		prec:      []float64{0.6666666666666666, 0.75, 0},
		rec:       []float64{0.6666666666666666, 0.75, 0},
		f1:        []float64{0.6666666666666666, 0.75, 0},
		support:   []int{3, 4, 0},
		confusion: [][]int{{2, 1, 0}, {1, 3, 0}, {0, 0, 0}},
	},
	{
		// deny is in gold but never predicted.
		name:    "rumoureval accuracy, a class never predicted",
		classes: []string{"support", "deny", "query", "comment"}, metric: "accuracy",
		gold:     []int{0, 1, 1, 2, 3, 3, 3, 3, 0, 3},
		pred:     []int{0, 3, 0, 2, 3, 3, 2, 3, 3, 3},
		official: 0.6, macroF1: 0.4734848484848484, accuracy: 0.6,
		prec:      []float64{0.5, 0, 0.5, 0.6666666666666666},
		rec:       []float64{0.5, 0, 1, 0.8},
		f1:        []float64{0.5, 0, 0.6666666666666666, 0.7272727272727272},
		support:   []int{2, 2, 1, 5},
		confusion: [][]int{{1, 0, 0, 1}, {1, 0, 0, 1}, {0, 0, 1, 0}, {0, 0, 1, 4}},
	},
	{
		// Accuracy and macro-F1 differ in the last bit here, and unrelated's F1 is 0.66…65.
		name:    "fnc1 fnc_score",
		classes: []string{"agree", "disagree", "discuss", "unrelated"}, metric: "fnc_score",
		gold:     []int{0, 1, 2, 3, 3, 3, 2, 0, 1, 3, 2, 3},
		pred:     []int{0, 2, 2, 3, 0, 3, 3, 2, 1, 3, 2, 2},
		official: 0.6363636363636364, macroF1: 0.5833333333333333, accuracy: 0.5833333333333334,
		prec:      []float64{0.5, 1, 0.4, 0.75},
		rec:       []float64{0.5, 0.5, 0.6666666666666666, 0.6},
		f1:        []float64{0.5, 0.6666666666666666, 0.5, 0.6666666666666665},
		support:   []int{2, 2, 3, 5},
		confusion: [][]int{{1, 0, 1, 0}, {0, 1, 1, 0}, {0, 0, 2, 1}, {1, 0, 1, 3}},
	},
	{
		name:    "mawqif f_avg with blanks in the spec",
		classes: []string{"Favor", "Against", "None"}, metric: "f_avg( Favor , Against )",
		gold:     []int{0, 1, 2, 0, 1, 2, 0},
		pred:     []int{0, 1, 1, 2, 2, 2, 1},
		official: 0.45, macroF1: 0.43333333333333335, accuracy: 0.42857142857142855,
		prec:      []float64{1, 0.3333333333333333, 0.3333333333333333},
		rec:       []float64{0.3333333333333333, 0.5, 0.5},
		f1:        []float64{0.5, 0.4, 0.4},
		support:   []int{3, 2, 2},
		confusion: [][]int{{1, 1, 1}, {0, 1, 1}, {0, 1, 1}},
	},
}

func TestEvaluateMatchesScorePy(t *testing.T) {
	for _, tt := range refCases {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Evaluate(tt.classes, tt.gold, tt.pred, tt.metric)
			if err != nil {
				t.Fatal(err)
			}
			if r.Official != tt.official || r.MacroF1 != tt.macroF1 || r.Accuracy != tt.accuracy {
				t.Errorf("official, macro_f1, accuracy = %v, %v, %v; score.py gives %v, %v, %v",
					r.Official, r.MacroF1, r.Accuracy, tt.official, tt.macroF1, tt.accuracy)
			}
			if r.N != len(tt.gold) || r.Metric != tt.metric || !reflect.DeepEqual(r.Classes, tt.classes) {
				t.Errorf("n, metric, classes = %d, %q, %q; want %d, %q, %q",
					r.N, r.Metric, r.Classes, len(tt.gold), tt.metric, tt.classes)
			}
			if !reflect.DeepEqual(r.Confusion, tt.confusion) {
				t.Errorf("confusion = %v; score.py gives %v", r.Confusion, tt.confusion)
			}
			for i, s := range r.PerClass {
				want := ClassStats{tt.classes[i], tt.prec[i], tt.rec[i], tt.f1[i], tt.support[i]}
				if s != want {
					t.Errorf("class %d = %+v; score.py gives %+v", i, s, want)
				}
			}
		})
	}
}

func TestFNCScoreMatchesScorePy(t *testing.T) {
	for _, tt := range refCases {
		if tt.metric != "fnc_score" {
			continue
		}
		got, err := FNCScore(tt.classes, tt.gold, tt.pred)
		if err != nil || got != tt.official {
			t.Errorf("FNCScore = %v, %v; score.py gives %v", got, err, tt.official)
		}
	}
	// Capitalised names are the same classes; the order of the classes does not matter.
	classes := []string{"Unrelated", "Discuss", "AGREE", "disagree"}
	gold := []int{2, 3, 1, 0}
	got, err := FNCScore(classes, gold, gold)
	if err != nil || got != 1 {
		t.Errorf("FNCScore of a perfect prediction = %v, %v; want 1", got, err)
	}
	// Gold unrelated predicted unrelated scores 0.25 of a best 0.25; gold agree predicted discuss
	// scores the related bonus 0.25 of a best 1 (fnc-1 scorer.py): (0.25+0.25)/(0.25+1).
	got, err = FNCScore(classes, []int{0, 2}, []int{0, 1})
	if want := 0.4; err != nil || got != want {
		t.Errorf("FNCScore = %v, %v; want %v", got, err, want)
	}
}

func TestEvaluateErrors(t *testing.T) {
	abc := []string{"a", "b", "c"}
	fnc := []string{"agree", "disagree", "discuss", "unrelated"}
	tests := []struct {
		name       string
		classes    []string
		gold, pred []int
		metric     string
		err        error
		msg        string // the whole message, as encoding/csv's tests compare errors
	}{
		{"unknown metric", abc, []int{0}, []int{0}, "f1", ErrMetric, `metrics: metric "f1": not an accepted metric spec; accepted: f_avg(CLASS,...), macro_f1, accuracy, fnc_score`},
		{"empty metric", abc, []int{0}, []int{0}, "", ErrMetric, `metrics: metric "": not an accepted metric spec; accepted: f_avg(CLASS,...), macro_f1, accuracy, fnc_score`},
		{"unknown f_avg class", abc, []int{0}, []int{0}, "f_avg(a,d)", ErrUnknownClass, `metrics: metric "f_avg(a,d)": class "d" is not one of a, b, c: unknown class`},
		{"fnc without its classes", abc, []int{0}, []int{0}, "fnc_score", ErrUnknownClass, "metrics: fnc_score needs the classes agree, disagree, discuss, unrelated; agree, disagree, discuss, unrelated missing from a, b, c: unknown class"},
		{"lengths", abc, []int{0, 1}, []int{0}, "accuracy", ErrLength, "metrics: 2 gold rows but 1 predictions: lengths differ"},
		{"no rows", abc, nil, nil, "accuracy", ErrEmpty, "metrics: nothing to score: no rows"},
		{"gold out of range", abc, []int{0, 3}, []int{0, 0}, "macro_f1", ErrLabel, "metrics: gold[1] is 3, not an index into the 3 classes a, b, c: class index out of range"},
		{"negative pred", fnc, []int{0, 0}, []int{0, -1}, "fnc_score", ErrLabel, "metrics: pred[1] is -1, not an index into the 4 classes agree, disagree, discuss, unrelated: class index out of range"},
		{"repeated class", []string{"a", "b", "a"}, []int{0}, []int{0}, "accuracy", ErrClasses, `metrics: class "a" is both class 0 and class 2: bad class list`},
		{"no classes", nil, []int{0}, []int{0}, "accuracy", ErrClasses, "metrics: no classes: bad class list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(tt.classes, tt.gold, tt.pred, tt.metric)
			if !errors.Is(err, tt.err) || err == nil || err.Error() != tt.msg {
				t.Errorf("err = %v\nwant %q (%v)", err, tt.msg, tt.err)
			}
		})
	}
}

func TestReportJSON(t *testing.T) {
	r, err := Evaluate([]string{"yes", "no"}, []int{0, 0, 1, 1}, []int{0, 1, 1, 1}, "macro_f1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"classes":["yes","no"],"confusion":[[1,1],[0,2]],` +
		`"per_class":[{"class":"yes","precision":1,"recall":0.5,"f1":0.6666666666666666,"support":2},` +
		`{"class":"no","precision":0.6666666666666666,"recall":1,"f1":0.8,"support":2}],` +
		`"accuracy":0.75,"macro_f1":0.7333333333333334,"n":4,"metric":"macro_f1","official":0.7333333333333334}`
	if string(b) != want {
		t.Errorf("JSON:\n%s\nwant\n%s", b, want)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("round trip = %+v, %v; want %+v", back, err, r)
	}
}

func TestMeanStd(t *testing.T) {
	tests := []struct {
		name      string
		xs        []float64
		ddof      int
		mean, std float64
	}{
		{"population", []float64{2, 4, 4, 4, 5, 5, 7, 9}, 0, 5, 2}, // the textbook population-std example
		{"sample", []float64{2, 4, 4, 4, 5, 5, 7, 9}, 1, 5, math.Sqrt(32.0 / 7)},
		{"one value", []float64{0.5}, 0, 0.5, 0},
		{"one value, sample", []float64{0.5}, 1, 0.5, math.NaN()},
		{"large offset", []float64{1e9 + 1, 1e9 + 2, 1e9 + 3}, 0, 1e9 + 2, math.Sqrt(2.0 / 3)},
		{"large offset, sample", []float64{1e9 + 1, 1e9 + 2, 1e9 + 3}, 1, 1e9 + 2, 1},
		{"empty", nil, 0, math.NaN(), math.NaN()},
	}
	same := func(a, b float64) bool { return math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= 1e-12 }
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, s := MeanStd(tt.xs, tt.ddof)
			if !same(m, tt.mean) || !same(s, tt.std) {
				t.Errorf("MeanStd(%v, %d) = %v, %v; want %v, %v", tt.xs, tt.ddof, m, s, tt.mean, tt.std)
			}
		})
	}
}

func TestFormatHandMadeReport(t *testing.T) {
	// A Report built by hand with more confusion columns than classes still prints.
	r := Report{Classes: []string{"x"}, Confusion: [][]int{{1, 22}}, PerClass: []ClassStats{{Class: "x"}}}
	var b strings.Builder
	if err := r.Format(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\nx          1  22\n") {
		t.Errorf("Format:\n%s", b.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestFormatReportsWriteError(t *testing.T) {
	r, _ := Evaluate([]string{"a"}, []int{0}, []int{0}, "accuracy")
	if err := r.Format(failWriter{}); err == nil || err.Error() != "disk full" {
		t.Errorf("Format to a failing writer = %v; want disk full", err)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	classes := []string{"agree", "disagree", "discuss", "unrelated"}
	gold := make([]int, 25413) // the size of the FNC-1 test split
	pred := make([]int, len(gold))
	for i := range gold {
		gold[i], pred[i] = i%4, (i*7)%4
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Evaluate(classes, gold, pred, "fnc_score"); err != nil {
			b.Fatal(err)
		}
	}
}
