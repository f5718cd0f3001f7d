package models

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/commentstance/stance/sparse"
)

// probsReference is Probs' general loop, which the two- and three-class paths must match bit
// for bit: scores accumulated in float64 in the order of x, then softmax.
func probsReference(m *Softmax, x sparse.Vector) []float64 {
	k := m.Classes
	dst := make([]float64, k)
	for j := range dst {
		dst[j] = float64(m.B[j])
	}
	for i, f := range x.Idx {
		if int(f) >= m.Dim {
			continue
		}
		for j := range k {
			dst[j] += float64(x.Val[i]) * float64(m.W[int(f)*k+j])
		}
	}
	softmaxInPlace(dst)
	return dst
}

func TestProbsMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, k := range []int{2, 3, 4, 7} {
		const dim = 500
		m := &Softmax{Classes: k, Dim: dim, W: make([]float32, dim*k), B: make([]float32, k)}
		for i := range m.W {
			m.W[i] = float32(rng.NormFloat64())
		}
		for j := range m.B {
			m.B[j] = float32(rng.NormFloat64())
		}
		var dst []float64
		for range 200 {
			var x sparse.Vector
			for range rng.IntN(60) {
				// Unsorted, with repeats and indices past Dim (ignored).
				x.Add(uint32(rng.IntN(dim+20)), float32(rng.NormFloat64()))
			}
			dst = m.Probs(dst, x)
			if want := probsReference(m, x); !slices.Equal(dst, want) {
				t.Fatalf("%d classes: Probs = %v, reference %v", k, dst, want)
			}
		}
	}
}
