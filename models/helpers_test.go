package models

import (
	"math"
	"math/rand/v2"

	"github.com/commentstance/stance/sparse"
)

// synthSpec describes a synthetic sparse classification problem: rows of nnz hashed features
// drawn from a skewed distribution (some features fire far more often than others, as frequent
// n-grams do, and like hashed n-grams the frequent ones are scattered over the index space), labels
// drawn from a true softmax model with Gumbel noise of scale noise (0 = noiseless, so the classes
// are separable by the true model).
type synthSpec struct {
	rows, dim, nnz, classes int
	noise                   float64
	seed                    uint64
}

// synth holds the generated rows and the true model that labelled them.
type synth struct {
	x    []sparse.Vector
	y    []int
	true *Softmax
}

func makeSynth(sp synthSpec) synth {
	rng := rand.New(rand.NewPCG(sp.seed, 0x5eed))
	truth := &Softmax{Classes: sp.classes, Dim: sp.dim, W: make([]float32, sp.dim*sp.classes), B: make([]float32, sp.classes)}
	for i := range truth.W {
		truth.W[i] = float32(rng.NormFloat64())
	}
	s := synth{true: truth, x: make([]sparse.Vector, sp.rows), y: make([]int, sp.rows)}
	score := make([]float64, sp.classes)
	for i := range sp.rows {
		var v sparse.Vector
		for range sp.nnz {
			u := rng.Float64()
			rank := uint64(float64(sp.dim) * u * u)
			v.Add(uint32(rank*0x9E3779B1%uint64(sp.dim)), 1) // odd multiplier: a permutation for dim = 2^n
		}
		v.Canon()
		s.x[i] = v
		for j := range score {
			score[j] = float64(truth.B[j])
		}
		for e, f := range v.Idx {
			for j := range score {
				score[j] += float64(v.Val[e]) * float64(truth.W[int(f)*sp.classes+j])
			}
		}
		best, bestScore := 0, math.Inf(-1)
		for j, z := range score {
			if sp.noise > 0 {
				z += sp.noise * -math.Log(-math.Log(rng.Float64())) // Gumbel(0, noise)
			}
			if z > bestScore {
				best, bestScore = j, z
			}
		}
		s.y[i] = best
	}
	return s
}

func argmax(p []float64) int {
	best := 0
	for j, v := range p {
		if v > p[best] {
			best = j
		}
	}
	return best
}

// accuracy is the fraction of rows whose most probable class under m is their label.
func accuracy(m *Softmax, x []sparse.Vector, y []int) float64 {
	var p []float64
	right := 0
	for i := range x {
		p = m.Probs(p, x[i])
		if argmax(p) == y[i] {
			right++
		}
	}
	return float64(right) / float64(len(x))
}

// denseObjective is a deliberately naive second implementation of the training objective and its
// gradient, over the full feature space and straight from the definition
//
//	F = C * sum_i s_i * (log sum_k exp z_ik - z_{i,y_i}) + 0.5 * ||W||^2,
//
// used to check the blocked, compacted implementation. theta is [W (dim*K, feature-major) | b].
func denseObjective(x []sparse.Vector, y []int, k, dim int, c float64, cw []float64, theta, grad []float64) float64 {
	clear(grad)
	w, b := theta[:dim*k], theta[dim*k:]
	gw, gb := grad[:dim*k], grad[dim*k:]
	var f float64
	for i := range x {
		s := 1.0
		if cw != nil {
			s = cw[y[i]]
		}
		z := make([]float64, k)
		for j := range k {
			z[j] = b[j]
			for e, idx := range x[i].Idx {
				z[j] += float64(x[i].Val[e]) * w[int(idx)*k+j]
			}
		}
		var sum float64
		for j := range k {
			sum += math.Exp(z[j])
		}
		f += c * s * (math.Log(sum) - z[y[i]])
		for j := range k {
			r := math.Exp(z[j]) / sum
			if j == y[i] {
				r--
			}
			r *= c * s
			gb[j] += r
			for e, idx := range x[i].Idx {
				gw[int(idx)*k+j] += float64(x[i].Val[e]) * r
			}
		}
	}
	for i, v := range w {
		f += 0.5 * v * v
		gw[i] += v
	}
	return f
}

// denseTheta expands a compacted solution to the full feature space of denseObjective.
func denseTheta(fr *fitResult, k, dim int) []float64 {
	theta := make([]float64, (dim+1)*k)
	for c, f := range fr.cols {
		copy(theta[int(f)*k:int(f)*k+k], fr.theta[c*k:c*k+k])
	}
	copy(theta[dim*k:], fr.theta[len(fr.cols)*k:])
	return theta
}
