// Package models holds the trained multinomial logistic regression (softmax) model and the
// optimiser that fits it.
//
// Data enters as sparse feature vectors (package sparse) with integer class labels: Train fits a
// Softmax to them with L-BFGS. A trained model leaves either as class probabilities (Probs),
// per-feature explanations (Contributions), or as bytes (WriteTo), which ReadSoftmax turns back
// into the same model. The package knows nothing about comments or features; the classifier
// package joins it to the feature extractor.
package models

import (
	"fmt"
	"math"

	"github.com/commentstance/stance/sparse"
)

// Softmax is a multinomial logistic regression over sparse features:
//
//	P(k|x) = softmax_k(b_k + sum_f x_f W[f][k]).
//
// A Softmax is safe for concurrent use by Probs and Contributions once built.
type Softmax struct {
	Classes int
	Dim     int       // feature space size; indices >= Dim are ignored at scoring time
	W       []float32 // Dim*Classes, feature-major: W[f*Classes+k]
	B       []float32 // Classes
}

// Probs writes P(k|x) for every class k into dst and returns it. dst is reused when its capacity
// is at least m.Classes, so a caller that keeps the returned slice scores without allocating.
//
// Features of x with an index >= m.Dim are ignored. Scores are accumulated in float64. A NaN or
// infinite value in x gives NaN probabilities; Train refuses such values, Probs does not check.
func (m *Softmax) Probs(dst []float64, x sparse.Vector) []float64 {
	k := m.Classes
	if cap(dst) < k {
		dst = make([]float64, k)
	}
	dst = dst[:k]
	for j := range dst {
		dst[j] = float64(m.B[j])
	}
	switch k {
	case 2:
		m.scores2(dst, x)
	case 3:
		m.scores3(dst, x)
	default:
		dim := uint64(m.Dim)
		for i, f := range x.Idx {
			if uint64(f) >= dim {
				continue
			}
			v := float64(x.Val[i])
			w := m.W[int(f)*k : int(f)*k+k]
			for j, wj := range w {
				dst[j] += v * float64(wj)
			}
		}
	}
	softmaxInPlace(dst)
	return dst
}

// ProbsOf writes P(k|x) into dst and returns it, as Probs does, given the sums
// sum_f x_f W[f][k] of x's features for every class k, computed by the caller (len(sums) must
// be m.Classes). dst is reused as in Probs.
func (m *Softmax) ProbsOf(dst, sums []float64) []float64 {
	k := m.Classes
	if cap(dst) < k {
		dst = make([]float64, k)
	}
	dst = dst[:k]
	for j := range dst {
		dst[j] = float64(m.B[j]) + sums[j]
	}
	softmaxInPlace(dst)
	return dst
}

// scores2 and scores3 add x's scores to dst as Probs' general loop does, in the same order and
// so to the same bits, for the usual two and three classes: the sums stay in registers instead
// of going through dst for every feature, which made Probs a third of the time of scoring when
// comments were scored through it (classifier's Scorer now reads a packed table; tuning still
// scores every held-out row here).
func (m *Softmax) scores2(dst []float64, x sparse.Vector) {
	a0, a1 := dst[0], dst[1]
	dim := uint64(m.Dim)
	vals := x.Val[:len(x.Idx)]
	for i, f := range x.Idx {
		if uint64(f) >= dim {
			continue
		}
		v := float64(vals[i])
		w := m.W[2*int(f) : 2*int(f)+2 : 2*int(f)+2]
		a0 += v * float64(w[0])
		a1 += v * float64(w[1])
	}
	dst[0], dst[1] = a0, a1
}

func (m *Softmax) scores3(dst []float64, x sparse.Vector) {
	a0, a1, a2 := dst[0], dst[1], dst[2]
	dim := uint64(m.Dim)
	vals := x.Val[:len(x.Idx)]
	for i, f := range x.Idx {
		if uint64(f) >= dim {
			continue
		}
		v := float64(vals[i])
		w := m.W[3*int(f) : 3*int(f)+3 : 3*int(f)+3]
		a0 += v * float64(w[0])
		a1 += v * float64(w[1])
		a2 += v * float64(w[2])
	}
	dst[0], dst[1], dst[2] = a0, a1, a2
}

// Contributions calls fn for each feature of x that moves the score of class k: its index, its
// value x_f and its weight W[f][k], in the order of x. The feature's contribution to the score
// of class k is value*weight; the score is B[k] plus the sum of the contributions.
//
// Features with an index >= m.Dim and features whose weight for k is zero (for example features
// never seen in training) contribute nothing and are skipped. Contributions panics if k is not
// in [0, m.Classes).
func (m *Softmax) Contributions(x sparse.Vector, k int, fn func(idx uint32, value, weight float32)) {
	if k < 0 || k >= m.Classes {
		panic(fmt.Sprintf("models: Contributions: class %d outside [0,%d)", k, m.Classes))
	}
	dim := uint64(m.Dim)
	for i, f := range x.Idx {
		if uint64(f) >= dim {
			continue
		}
		w := m.W[int(f)*m.Classes+k]
		if w == 0 {
			continue
		}
		fn(f, x.Val[i], w)
	}
}

// softmaxInPlace replaces the scores z by softmax(z). It subtracts max(z) before exponentiating
// so that no exp overflows (the standard log-sum-exp shift, e.g. Goodfellow, Bengio and
// Courville, Deep Learning, 2016, section 4.1).
func softmaxInPlace(z []float64) {
	m := math.Inf(-1)
	for _, v := range z {
		if v > m {
			m = v
		}
	}
	var sum float64
	for j, v := range z {
		e := math.Exp(v - m)
		z[j] = e
		sum += e
	}
	for j := range z {
		z[j] /= sum
	}
}
