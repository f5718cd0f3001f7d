package models

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// infNorm must answer as floats.Norm(s, Inf) does, so that gradConverge stops where gonum's
// GradientThreshold would.
func TestInfNormMatchesGonum(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, s := range [][]float64{
		nil, {0}, {-0.0}, {1, -3, 2}, {-5}, {1e-300, -1e-300}, {inf, 1}, {1, -inf},
		{nan}, {1, nan, 3}, {5, nan}, {nan, inf}, {-inf, nan},
	} {
		got, want := infNorm(s), floats.Norm(s, math.Inf(1))
		if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("infNorm(%v) = %v, floats.Norm = %v", s, got, want)
		}
	}
}

func TestGradConverge(t *testing.T) {
	g := &gradConverge{threshold: 0.5, next: &optimize.FunctionConverge{Relative: lbfgsFuncTol, Iterations: 1}}
	g.Init(2)
	loc := &optimize.Location{X: []float64{0, 0}, F: 10, Gradient: []float64{0.6, -0.1}}
	if s := g.Converged(loc); s != optimize.NotTerminated {
		t.Errorf("gradient 0.6 against threshold 0.5: %v, want NotTerminated", s)
	}
	loc = &optimize.Location{X: []float64{0, 0}, F: 5, Gradient: []float64{0.4, -0.49}}
	if s := g.Converged(loc); s != optimize.GradientThreshold {
		t.Errorf("gradient 0.49 against threshold 0.5: %v, want GradientThreshold", s)
	}
	loc = &optimize.Location{X: []float64{0, 0}, F: 5, Gradient: []float64{math.NaN(), 0}}
	if s := g.Converged(loc); s == optimize.GradientThreshold {
		t.Errorf("NaN gradient: GradientThreshold, want the function test's answer")
	}
}
