package evaluation

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/commentstance/stance/abstain"
)

func TestAccuracyCoverage(t *testing.T) {
	// By hand: highest first 0.9 right, 0.8 right, 0.6 wrong and 0.6 right (a tie, labelled
	// together), 0.5 wrong.
	conf := []float64{0.9, 0.6, 0.8, 0.6, 0.5}
	correct := []bool{true, false, true, true, false}
	want := []CoveragePoint{
		{MinProb: 0.9, Labelled: 1, Coverage: 0.2, Accuracy: 1},
		{MinProb: 0.8, Labelled: 2, Coverage: 0.4, Accuracy: 1},
		{MinProb: 0.6, Labelled: 4, Coverage: 0.8, Accuracy: 0.75},
		{MinProb: 0.5, Labelled: 5, Coverage: 1, Accuracy: 0.6},
	}
	if got := AccuracyCoverage(conf, correct); !reflect.DeepEqual(got, want) {
		t.Errorf("curve\n%+v\nwant\n%+v", got, want)
	}
	if got := AccuracyCoverage(nil, nil); got != nil {
		t.Errorf("curve of no rows: %+v, want none", got)
	}
	if got := AccuracyCoverage([]float64{0.7, 0.7}, []bool{false, true}); !reflect.DeepEqual(got, []CoveragePoint{{MinProb: 0.7, Labelled: 2, Coverage: 1, Accuracy: 0.5}}) {
		t.Errorf("curve of one tie: %+v, want one point", got)
	}
}

func TestConfidence(t *testing.T) {
	conf, correct := handMade().Confidence("stance")
	// r4 has no gold label; r2's FAVOR 0.6 is wrong.
	if !reflect.DeepEqual(conf, []float64{0.8, 0.6, 0.7}) || !reflect.DeepEqual(correct, []bool{true, false, true}) {
		t.Errorf("confidence %v, correct %v", conf, correct)
	}
}

func TestAbstain(t *testing.T) {
	// handMade's rows with gold labels: r1 FAVOR at 0.8 (right), r2 FAVOR at 0.6 (gold NONE),
	// r3 AGAINST at 0.7 (right); the classes AGAINST, FAVOR, NONE.
	for _, tt := range []struct {
		name string
		t    abstain.Thresholds
		want *Abstention
	}{
		{"nothing withheld", abstain.Thresholds{}, nil},
		{"0.65: r2 to review", abstain.Thresholds{MinProb: 0.65}, &Abstention{MinProb: 0.65, N: 3, Labelled: 2, Review: 1, Coverage: 2.0 / 3,
			// r1 and r3 right: F1 1 for FAVOR and AGAINST, 0 for NONE (no row).
			OnLabelled: &Figures{Official: 1, Accuracy: 1, MacroF1: 2.0 / 3}}},
		{"AGAINST from 0.75: r3 to review too", abstain.Thresholds{MinProb: 0.65, Heads: map[string]abstain.Head{"stance": {Classes: map[string]float64{"against": 0.75}}}},
			&Abstention{MinProb: 0.65, ClassMinProb: map[string]float64{"AGAINST": 0.75}, N: 3, Labelled: 1, Review: 2, Coverage: 1.0 / 3,
				// r1 alone: F1 1 for FAVOR, 0 for AGAINST and NONE.
				OnLabelled: &Figures{Official: 0.5, Accuracy: 1, MacroF1: 1.0 / 3}}},
		{"0.9: all to review", abstain.Thresholds{MinProb: 0.9}, &Abstention{MinProb: 0.9, N: 3, Review: 3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := handMade()
			reports, err := Reports(r, map[string]string{"stance": "f_avg(FAVOR,AGAINST)"})
			if err != nil {
				t.Fatal(err)
			}
			if err := Abstain(r, reports, tt.t); err != nil {
				t.Fatal(err)
			}
			if got := reports[0].Abstain; !reflect.DeepEqual(got, tt.want) {
				t.Errorf("abstention %+v (on labelled %+v),\nwant %+v (on labelled %+v)", got, onLabelled(got), tt.want, onLabelled(tt.want))
			}
		})
	}
	r := handMade()
	reports, _ := Reports(r, nil)
	err := Abstain(r, reports, abstain.Thresholds{Heads: map[string]abstain.Head{"stance": {Classes: map[string]float64{"NONEE": 0.5}}}})
	if !errors.Is(err, abstain.ErrUnknownClass) {
		t.Errorf("a class the models lack: %v, want ErrUnknownClass", err)
	}
}

func onLabelled(a *Abstention) any {
	if a == nil || a.OnLabelled == nil {
		return nil
	}
	return *a.OnLabelled
}

func TestWritePredictionsAbstaining(t *testing.T) {
	var buf bytes.Buffer
	// r2's FAVOR at 0.6 is withheld; r4's NONE at 0.7 is not, though r4 has no gold label.
	if err := WritePredictions(&buf, handMade(), abstain.Thresholds{MinProb: 0.65, Label: "UNSURE"}); err != nil {
		t.Fatal(err)
	}
	want := `id,stance,stance_AGAINST,stance_FAVOR,stance_NONE,stance_score
r1,FAVOR,0.2000,0.8000,0.0000,0.6000
r2,UNSURE,0.4000,0.6000,0.0000,0.2000
r3,AGAINST,0.7000,0.2000,0.1000,-0.5000
r4,NONE,0.1000,0.2000,0.7000,0.1000
`
	if buf.String() != want {
		t.Errorf("predictions:\n%s\nwant\n%s", buf.String(), want)
	}
	if err := WritePredictions(&buf, handMade(), abstain.Thresholds{Heads: map[string]abstain.Head{"stanse": {}}}); !errors.Is(err, abstain.ErrUnknownHead) {
		t.Errorf("a head the result lacks: %v, want ErrUnknownHead", err)
	}
}

func TestCoverageAt(t *testing.T) {
	curve := AccuracyCoverage([]float64{0.9, 0.6, 0.8, 0.6, 0.5}, []bool{true, false, true, true, false})
	for _, tt := range []struct {
		minProb  float64
		labelled int
		ok       bool
	}{
		{0, 5, true}, {0.5, 5, true}, {0.55, 4, true}, {0.6, 4, true}, {0.61, 2, true}, {0.9, 1, true}, {0.95, 0, false},
	} {
		p, ok := CoverageAt(curve, tt.minProb)
		if p.Labelled != tt.labelled || ok != tt.ok {
			t.Errorf("at %v: %d labelled (%v), want %d (%v)", tt.minProb, p.Labelled, ok, tt.labelled, tt.ok)
		}
	}
}
