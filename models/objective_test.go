package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/diff/fd"

	"github.com/commentstance/stance/sparse"
)

// smallProblem is a random problem small enough to differentiate numerically: signed feature
// values, some duplicate indices within a row (rows need not be canonical), some explicit zeros.
func smallProblem(seed uint64, rows, dim, classes, nnz int) ([]sparse.Vector, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]sparse.Vector, rows)
	y := make([]int, rows)
	for i := range x {
		for range 1 + rng.IntN(nnz) {
			v := float32(rng.NormFloat64())
			if rng.IntN(10) == 0 {
				v = 0
			}
			x[i].Add(uint32(rng.IntN(dim)), v)
		}
		y[i] = i % classes // every class present
	}
	return x, y
}

// TestObjectiveGradient checks the analytic gradient of the blocked, compacted objective against
// central finite differences (gonum diff/fd) at a random point away from zero, with class
// weights and C != 1, and checks its value against the naive denseObjective.
func TestObjectiveGradient(t *testing.T) {
	for _, k := range []int{2, 3, 4, 5} { // 2..4 take the specialised loops, 5 the general one
		const rows, dim = 40, 15
		x, y := smallProblem(uint64(k), rows, dim, k, 6)
		cw := make([]float64, k)
		for j := range cw {
			cw[j] = 0.5 + 0.37*float64(j)
		}
		cw[k-1] = 0 // a zero weight must drop the class's rows from loss and gradient alike
		const c = 0.7
		s := make([]float64, rows)
		for i, l := range y {
			s[i] = cw[l]
		}
		cols, rowPtr, rowCol, rowVal, err := compact(x, dim, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		o := newObjective(k, len(cols), c, y, s, rowPtr, rowCol, rowVal, 3)

		rng := rand.New(rand.NewPCG(99, uint64(k)))
		theta := make([]float64, o.params())
		for i := range theta {
			theta[i] = 0.8 * rng.NormFloat64()
		}
		checkObjective(t, fmt.Sprintf("k=%d", k), o, cols, x, y, dim, cw, theta)
	}
}

// checkObjective checks o's value and gradient at theta against the naive denseObjective of the
// rows x with class weights cw (over all dim features, theta mapped there through cols), and
// the gradient against central finite differences (gonum diff/fd).
func checkObjective(t *testing.T, name string, o *objective, cols []uint32, x []sparse.Vector, y []int, dim int, cw, theta []float64) {
	t.Helper()
	k := o.k
	f, grad := checkFiniteDifferences(t, name, o, theta)

	// The dense reference works over all dim features; map theta there and compare.
	dTheta := denseTheta(&fitResult{cols: cols, theta: theta}, k, dim)
	dGrad := make([]float64, len(dTheta))
	df := denseObjective(x, y, k, dim, o.c, cw, dTheta, dGrad)
	if math.Abs(f-df) > 1e-12*math.Abs(df) {
		t.Errorf("%s: F = %.17g, dense reference %.17g", name, f, df)
	}
	want := make([]float64, len(theta))
	for col, feat := range cols {
		copy(want[col*k:col*k+k], dGrad[int(feat)*k:int(feat)*k+k])
	}
	copy(want[len(cols)*k:], dGrad[dim*k:])
	for i := range grad {
		if d := math.Abs(grad[i] - want[i]); d > 1e-12*max(1, math.Abs(want[i])) {
			t.Errorf("%s: dF/dtheta[%d] = %.17g, dense reference %.17g", name, i, grad[i], want[i])
		}
	}
}

// checkFiniteDifferences checks o's gradient at theta against central finite differences
// (gonum diff/fd) and returns o's value and gradient there.
func checkFiniteDifferences(t *testing.T, name string, o *objective, theta []float64) (float64, []float64) {
	t.Helper()
	grad := make([]float64, len(theta))
	f := o.eval(grad, theta)
	scratch := make([]float64, len(theta))
	num := fd.Gradient(nil, func(th []float64) float64 { return o.eval(scratch, th) }, theta,
		&fd.Settings{Formula: fd.Central})
	for i := range grad {
		// Central differences with gonum's step 6e-6 on F of order 10 leave an error of order
		// eps*F/h ~ 1e-9; a wrong term in the gradient would be off by O(1).
		if d := math.Abs(grad[i] - num[i]); d > 1e-7*max(1, math.Abs(num[i])) {
			t.Errorf("%s: dF/dtheta[%d] = %.12g, finite difference %.12g", name, i, grad[i], num[i])
		}
	}
	return f, grad
}

// TestObjectiveWorkers checks that the objective is bit-identical for any number of goroutines.
func TestObjectiveWorkers(t *testing.T) {
	s := makeSynth(synthSpec{rows: 3000, dim: 1 << 12, nnz: 30, classes: 4, noise: 1, seed: 3})
	cols, rowPtr, rowCol, rowVal, err := compact(s.x, 1<<12, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	ones := make([]float64, len(s.y))
	for i := range ones {
		ones[i] = 1
	}
	checkWorkers(t, func(workers int) *objective {
		return newObjective(4, len(cols), 1.3, s.y, ones, rowPtr, rowCol, rowVal, workers)
	})
}

// checkWorkers evaluates the objective build(workers) makes, at one random point, for several
// numbers of goroutines, and requires the same bits from all.
func checkWorkers(t *testing.T, build func(workers int) *objective) {
	t.Helper()
	var refF float64
	var refG []float64
	for _, workers := range []int{1, 2, 3, 7, 64, 100} {
		o := build(workers)
		rng := rand.New(rand.NewPCG(5, 5))
		theta := make([]float64, o.params())
		for i := range theta {
			theta[i] = rng.NormFloat64()
		}
		g := make([]float64, len(theta))
		f := o.eval(g, theta)
		if refG == nil {
			refF, refG = f, g
			continue
		}
		if math.Float64bits(f) != math.Float64bits(refF) {
			t.Errorf("workers=%d: F = %.17g, workers=1 gave %.17g", workers, f, refF)
		}
		for i := range g {
			if math.Float64bits(g[i]) != math.Float64bits(refG[i]) {
				t.Fatalf("workers=%d: grad[%d] = %.17g, workers=1 gave %.17g", workers, i, g[i], refG[i])
			}
		}
	}
}

// TestCachedObjective checks that the cache answers for the point asked, not the last one.
func TestCachedObjective(t *testing.T) {
	x, y := smallProblem(1, 20, 8, 3, 4)
	cols, rowPtr, rowCol, rowVal, err := compact(x, 8, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float64, len(y))
	for i := range s {
		s[i] = 1
	}
	o := newObjective(3, len(cols), 1, y, s, rowPtr, rowCol, rowVal, 1)
	c := &cachedObjective{o: o, x: make([]float64, o.params()), grad: make([]float64, o.params())}
	a := make([]float64, o.params())
	b := make([]float64, o.params())
	b[0] = 1
	ga, gb := make([]float64, len(a)), make([]float64, len(a))
	fa, fb := o.eval(ga, a), o.eval(gb, b)

	got := make([]float64, len(a))
	for _, step := range []struct {
		x     []float64
		wantF float64
		wantG []float64
	}{{a, fa, ga}, {a, fa, ga}, {b, fb, gb}, {a, fa, ga}} {
		if f := c.Func(step.x); f != step.wantF {
			t.Errorf("Func = %v, want %v", f, step.wantF)
		}
		c.Grad(got, step.x)
		if infNorm(sub(got, step.wantG)) != 0 {
			t.Errorf("Grad = %v, want %v", got, step.wantG)
		}
	}
}

func sub(a, b []float64) []float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return d
}

func TestBlockBounds(t *testing.T) {
	for _, tt := range []struct {
		name string
		ptr  []int
		nb   int
		want []int
	}{
		{"empty", []int{0}, 4, []int{0}},
		{"one item", []int{0, 5}, 4, []int{0, 1}},
		{"fewer items than blocks", []int{0, 1, 2}, 64, []int{0, 1, 2}},
		// Costs (entries+1) 2,2,2,2: total 8, targets 2, 4, 6.
		{"even", []int{0, 1, 2, 3, 4}, 4, []int{0, 1, 2, 3, 4}},
		// Costs 9,1,1,1: total 12; the heavy first item fills the first block alone.
		{"skewed", []int{0, 8, 8, 8, 8}, 3, []int{0, 1, 4}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := blockBounds(tt.ptr, tt.nb)
			if len(got) != len(tt.want) {
				t.Fatalf("blockBounds(%v, %d) = %v, want %v", tt.ptr, tt.nb, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("blockBounds(%v, %d) = %v, want %v", tt.ptr, tt.nb, got, tt.want)
				}
			}
		})
	}
}

// TestObjectivePenaltyGradient checks the gradient with per-column penalties (TrainConfig.Penalty)
// against central finite differences, and its value against the unpenalised objective, which
// TestObjectiveGradient checks against the dense reference: the two differ by exactly
// 0.5 * sum_c (pen_c - 1) * ||W[c]||^2.
func TestObjectivePenaltyGradient(t *testing.T) {
	for _, k := range []int{2, 3, 5} {
		const rows, dim = 40, 15
		x, y := smallProblem(uint64(10+k), rows, dim, k, 6)
		s := make([]float64, rows)
		for i := range s {
			s[i] = 1
		}
		cols, rowPtr, rowCol, rowVal, err := compact(x, dim, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		plain := newObjective(k, len(cols), 0.7, y, s, rowPtr, rowCol, rowVal, 3)
		o := newObjective(k, len(cols), 0.7, y, s, rowPtr, rowCol, rowVal, 3)
		o.pen = make([]float64, len(cols))
		for c := range o.pen {
			o.pen[c] = 0.25 + 1.5*float64(c%4) // 0.25, 1.75, 3.25, 4.75
		}
		rng := rand.New(rand.NewPCG(7, uint64(k)))
		theta := make([]float64, o.params())
		for i := range theta {
			theta[i] = 0.8 * rng.NormFloat64()
		}
		f, _ := checkFiniteDifferences(t, fmt.Sprintf("k=%d", k), o, theta)
		want := plain.eval(make([]float64, len(theta)), theta)
		for c, p := range o.pen {
			for _, w := range theta[c*k : (c+1)*k] {
				want += 0.5 * (p - 1) * w * w
			}
		}
		if math.Abs(f-want) > 1e-12*math.Abs(want) {
			t.Errorf("k=%d: F = %.17g, unpenalised F plus the extra penalty %.17g", k, f, want)
		}
	}
}
