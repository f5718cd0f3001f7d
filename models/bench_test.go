package models

import (
	"fmt"
	"testing"
)

// benchSpec is the size of the training benchmark: about half of fnc1's 50k rows, a 2^18 hashed
// feature space and 60 features per row, as in a short news comment with n-grams.
var benchSpec = synthSpec{rows: 20000, dim: 1 << 18, nnz: 60, classes: 3, noise: 1, seed: 7}

func BenchmarkTrain(b *testing.B) {
	s := makeSynth(benchSpec)
	b.ReportAllocs()
	b.ResetTimer()
	var info TrainInfo
	for b.Loop() {
		var err error
		_, info, err = Train(s.x, s.y, benchSpec.classes, benchSpec.dim, TrainConfig{})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(info.Iterations), "iters")
}

// BenchmarkObjective times one evaluation of the objective and its gradient, the unit of work of
// every L-BFGS step, for several worker counts.
func BenchmarkObjective(b *testing.B) {
	s := makeSynth(benchSpec)
	cols, rowPtr, rowCol, rowVal, err := compact(s.x, benchSpec.dim, 0, 0)
	if err != nil {
		b.Fatal(err)
	}
	ones := make([]float64, len(s.y))
	for i := range ones {
		ones[i] = 1
	}
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			o := newObjective(benchSpec.classes, len(cols), 1, s.y, ones, rowPtr, rowCol, rowVal, workers)
			theta := make([]float64, o.params())
			grad := make([]float64, o.params())
			b.ReportAllocs()
			for b.Loop() {
				o.eval(grad, theta)
			}
		})
	}
}

func BenchmarkProbs(b *testing.B) {
	s := makeSynth(synthSpec{rows: 1, dim: 1 << 18, nnz: 60, classes: 4, seed: 8})
	m := s.true
	x := s.x[0]
	dst := make([]float64, m.Classes)
	b.ReportAllocs()
	for b.Loop() {
		dst = m.Probs(dst, x)
	}
}

func BenchmarkContributions(b *testing.B) {
	s := makeSynth(synthSpec{rows: 1, dim: 1 << 18, nnz: 60, classes: 4, seed: 8})
	var sum float32
	fn := func(_ uint32, v, w float32) { sum += v * w }
	b.ReportAllocs()
	for b.Loop() {
		s.true.Contributions(s.x[0], 1, fn)
	}
	_ = sum
}
