package models

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/commentstance/stance/sparse"
)

// sharedProblem splits rows into a part of their own and a shared part, as comments and the
// article they answer: nsh shared vectors over the same feature space, each row having one of
// them or (every fifth row) none, and one vector that no row has. It returns the parts and the
// summed rows that Train would see.
func sharedProblem(seed uint64, x []sparse.Vector, dim, nsh, nnz int) (Shared, []sparse.Vector) {
	rng := rand.New(rand.NewPCG(seed, 2))
	sh := Shared{Vectors: make([]sparse.Vector, nsh+1), Of: make([]int, len(x))}
	for s := range sh.Vectors {
		for range 1 + rng.IntN(nnz) {
			sh.Vectors[s].Add(uint32(rng.IntN(dim)), float32(rng.NormFloat64()))
		}
	}
	summed := make([]sparse.Vector, len(x))
	for i, v := range x {
		summed[i] = v.Clone()
		sh.Of[i] = -1
		if i%5 != 0 {
			sh.Of[i] = rng.IntN(nsh) // vector nsh is had by no row
			sv := sh.Vectors[sh.Of[i]]
			for e, f := range sv.Idx {
				summed[i].Add(f, sv.Val[e])
			}
		}
	}
	return sh, summed
}

// TestObjectiveShared checks the objective with shared vectors against the naive dense objective
// of the summed rows (value and gradient), and its gradient against finite differences.
func TestObjectiveShared(t *testing.T) {
	for _, k := range []int{2, 3, 5} {
		const rows, dim = 40, 15
		x, y := smallProblem(uint64(k)+10, rows, dim, k, 5)
		sh, summed := sharedProblem(uint64(k), x, dim, 4, 6)
		cw := make([]float64, k)
		s := make([]float64, rows)
		for j := range cw {
			cw[j] = 0.5 + 0.37*float64(j)
		}
		for i, l := range y {
			s[i] = cw[l]
		}
		const c = 0.7
		cols, rowPtr, rowCol, rowVal, shc, err := compactShared(x, sh, dim, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		o := newObjective(k, len(cols), c, y, s, rowPtr, rowCol, rowVal, 3)
		o.setShared(shc)

		rng := rand.New(rand.NewPCG(98, uint64(k)))
		theta := make([]float64, o.params())
		for i := range theta {
			theta[i] = 0.8 * rng.NormFloat64()
		}
		checkObjective(t, fmt.Sprintf("k=%d, summed rows", k), o, cols, summed, y, dim, cw, theta)
	}
}

// TestObjectiveSharedWorkers checks that the objective with shared vectors is bit-identical for
// any number of goroutines.
func TestObjectiveSharedWorkers(t *testing.T) {
	const dim = 1 << 12
	syn := makeSynth(synthSpec{rows: 3000, dim: dim, nnz: 20, classes: 3, noise: 1, seed: 4})
	sh, _ := sharedProblem(7, syn.x, dim, 150, 60)
	cols, rowPtr, rowCol, rowVal, shc, err := compactShared(syn.x, sh, dim, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	ones := make([]float64, len(syn.y))
	for i := range ones {
		ones[i] = 1
	}
	checkWorkers(t, func(workers int) *objective {
		o := newObjective(3, len(cols), 1.3, syn.y, ones, rowPtr, rowCol, rowVal, workers)
		o.setShared(shc)
		return o
	})
}

// TestTrainShared checks that TrainShared fits the model Train fits on the summed rows, with
// the ignored range applied to the shared vectors too.
func TestTrainShared(t *testing.T) {
	const dim = 1 << 12
	syn := makeSynth(synthSpec{rows: 1500, dim: dim, nnz: 20, classes: 3, noise: 0.5, seed: 8})
	sh, summed := sharedProblem(9, syn.x, dim, 60, 40)
	for _, cfg := range []TrainConfig{{C: 2}, {C: 0.5, IgnoreFrom: dim / 4, IgnoreTo: dim / 2}} {
		want, wantInfo, err := Train(summed, syn.y, 3, dim, cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, info, err := TrainShared(syn.x, sh, syn.y, 3, dim, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if !info.Converged || info.Features != wantInfo.Features {
			t.Fatalf("%+v: TrainShared %+v, Train on the summed rows %+v", cfg, info, wantInfo)
		}
		if d := math.Abs(info.Loss - wantInfo.Loss); d > 1e-6*wantInfo.Loss {
			t.Errorf("%+v: loss %.12g, on the summed rows %.12g", cfg, info.Loss, wantInfo.Loss)
		}
		var worst float64
		for i, v := range summed {
			p, q := got.Probs(nil, v), want.Probs(nil, v)
			for j := range p {
				worst = max(worst, math.Abs(p[j]-q[j]))
			}
			if i%5 != 0 && len(sh.Vectors[sh.Of[i]].Idx) == 0 {
				t.Fatal("a shared vector is empty: the test proves little")
			}
		}
		// Both stop at the gradient tolerance, from different rounding: their probabilities
		// agree to about the tolerance, far closer than any two different models would.
		if worst > 2e-3 {
			t.Errorf("%+v: probabilities differ by up to %.3g from Train on the summed rows", cfg, worst)
		}
		if cfg.IgnoreTo > 0 {
			for f := cfg.IgnoreFrom; f < cfg.IgnoreTo; f++ {
				for k := range 3 {
					if w := got.W[int(f)*3+k]; w != 0 {
						t.Fatalf("ignored feature %d has weight %v", f, w)
					}
				}
			}
		}
	}
}

func TestTrainSharedErrors(t *testing.T) {
	x := []sparse.Vector{vec(1, 1), vec(2, 1)}
	y := []int{0, 1}
	for _, tt := range []struct {
		sh   Shared
		want string
	}{
		{Shared{Vectors: []sparse.Vector{vec(3, 1)}, Of: []int{0}}, "Shared.Of has 1 entries for 2 rows"},
		{Shared{Vectors: []sparse.Vector{vec(3, 1)}, Of: []int{0, 1}}, "row 1: shared vector 1 of 1"},
		{Shared{Vectors: []sparse.Vector{vec(9, 1)}, Of: []int{0, -1}}, "shared vector 0: feature index 9 >= dim 5"},
		{Shared{Vectors: []sparse.Vector{vec(3, float32(math.NaN()))}, Of: []int{0, 0}}, "shared vector 0: feature 3 has value NaN"},
		{Shared{Vectors: []sparse.Vector{{Idx: []uint32{1, 2}, Val: []float32{1}}}, Of: []int{-1, 0}}, "shared vector 0: 2 indices but 1 values"},
	} {
		_, _, err := TrainShared(x, tt.sh, y, 2, 5, TrainConfig{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("TrainShared(%+v): %v, want an error with %q", tt.sh, err, tt.want)
		}
	}
}
