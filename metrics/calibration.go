package metrics

import (
	"errors"
	"fmt"
	"math"
)

// ErrConfidence: a confidence is not a probability (NaN, or outside [0, 1]).
var ErrConfidence = errors.New("confidence outside [0, 1]")

// Bin is one confidence interval of a reliability diagram.
type Bin struct {
	// Lo and Hi bound the bin: it holds confidences c with Lo < c <= Hi (the first bin also
	// holds c = 0).
	Lo, Hi float64
	N      int // rows whose confidence falls in the bin
	// Correct counts the bin's rows whose prediction was right.
	Correct int
	// Accuracy is Correct/N and Confidence the mean confidence of the bin's rows: acc(B_m) and
	// conf(B_m) in Guo et al. Both are 0 for an empty bin.
	Accuracy   float64
	Confidence float64
}

// Calibration is the data of a reliability diagram and the calibration errors it summarises.
type Calibration struct {
	Bins []Bin // in increasing confidence
	N    int   // rows, the sum of the bins' N
	// ECE, the expected calibration error, is the mean gap |Accuracy - Confidence| of the bins
	// weighted by their share of the rows; MCE, the maximum calibration error, is the largest
	// gap of a non-empty bin.
	ECE, MCE float64
}

// Reliability bins the confidences of n predictions (conf[i] is the probability the model gave
// to the class it predicted for row i, and correct[i] says whether that class was the gold one)
// into bins equal-width intervals of [0, 1] and measures how far accuracy strays from confidence,
// after Guo, Pleiss, Sun and Weinberger, "On Calibration of Modern Neural Networks", ICML 2017,
// section 2 (arXiv:1706.04599):
//
//	ECE = sum_m |B_m|/n * |acc(B_m) - conf(B_m)|
//	MCE = max_m |acc(B_m) - conf(B_m)|
//
// over the bins B_m = ((m-1)/M, m/M]. Bins with no rows add nothing to either. A perfectly
// calibrated model has ECE 0: of the rows it predicts with confidence 0.8, 80% are right.
//
// It fails, wrapping a sentinel error, if bins < 1, conf and correct differ in length or are
// empty, or a confidence is not in [0, 1].
func Reliability(conf []float64, correct []bool, bins int) (Calibration, error) {
	if bins < 1 {
		return Calibration{}, fmt.Errorf("metrics: %d calibration bins: want at least 1", bins)
	}
	if len(conf) != len(correct) {
		return Calibration{}, fmt.Errorf("metrics: %d confidences but %d outcomes: %w", len(conf), len(correct), ErrLength)
	}
	if len(conf) == 0 {
		return Calibration{}, fmt.Errorf("metrics: no predictions to calibrate: %w", ErrEmpty)
	}
	c := Calibration{Bins: make([]Bin, bins), N: len(conf)}
	m := float64(bins)
	for b := range c.Bins {
		c.Bins[b].Lo, c.Bins[b].Hi = float64(b)/m, float64(b+1)/m
	}
	sum := make([]float64, bins)
	for i, p := range conf {
		if !(p >= 0 && p <= 1) {
			return Calibration{}, fmt.Errorf("metrics: confidence %d is %v: %w", i, p, ErrConfidence)
		}
		b := binOf(p, bins)
		c.Bins[b].N++
		sum[b] += p
		if correct[i] {
			c.Bins[b].Correct++
		}
	}
	for b := range c.Bins {
		bn := &c.Bins[b]
		if bn.N == 0 {
			continue
		}
		bn.Accuracy = float64(bn.Correct) / float64(bn.N)
		bn.Confidence = sum[b] / float64(bn.N)
		gap := math.Abs(bn.Accuracy - bn.Confidence)
		c.ECE += float64(bn.N) / float64(c.N) * gap
		c.MCE = max(c.MCE, gap)
	}
	return c, nil
}

// binOf is the index of the bin ((b)/m, (b+1)/m] that holds p, with p = 0 in bin 0. p*m rounds,
// so the first guess is checked against the bounds as Reliability computes them (float64(b)/m):
// 0.3 belongs to (0.2, 0.3] although 0.3*10 is 3.0000000000000004.
func binOf(p float64, bins int) int {
	m := float64(bins)
	b := int(math.Ceil(p*m)) - 1
	if b > 0 && p <= float64(b)/m {
		b--
	}
	if b < bins-1 && p > float64(b+1)/m {
		b++
	}
	return min(max(b, 0), bins-1)
}
