package metrics

import (
	"errors"
	"math"
	"testing"
)

func TestReliability(t *testing.T) {
	// Worked by hand, 10 bins ((m-1)/10, m/10] as Guo et al. 2017 define them:
	//   bin 9 (0.9, 1.0]: 0.95 right, 0.95 wrong, 0.92 right, 0.98 right
	//       n 4, acc 3/4 = 0.75, conf (0.95+0.95+0.92+0.98)/4 = 3.8/4 = 0.95, gap 0.2
	//   bin 7 (0.7, 0.8]: 0.75 right, 0.8 wrong (0.8 is the bin's upper bound)
	//       n 2, acc 1/2 = 0.5, conf (0.75+0.8)/2 = 0.775, gap 0.275
	//   bin 3 (0.3, 0.4]: 0.31 wrong
	//       n 1, acc 0, conf 0.31, gap 0.31
	//   bin 2 (0.2, 0.3]: 0.3 right (the upper bound again, although 0.3*10 rounds above 3)
	//       n 1, acc 1, conf 0.3, gap 0.7
	//   bins 0, 1, 4, 5, 6, 8: empty, no weight
	// N = 8; ECE = 4/8*0.2 + 2/8*0.275 + 1/8*0.31 + 1/8*0.7
	//            = 0.1 + 0.06875 + 0.03875 + 0.0875 = 0.295; MCE = 0.7 (bin 2).
	conf := []float64{0.95, 0.95, 0.92, 0.98, 0.75, 0.8, 0.31, 0.3}
	correct := []bool{true, false, true, true, true, false, false, true}
	c, err := Reliability(conf, correct, 10)
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	if c.N != 8 || math.Abs(c.ECE-0.295) > tol || math.Abs(c.MCE-0.7) > tol {
		t.Errorf("N %d, ECE %v, MCE %v; want 8, 0.295, 0.7", c.N, c.ECE, c.MCE)
	}
	want := map[int]Bin{
		9: {N: 4, Correct: 3, Accuracy: 0.75, Confidence: 0.95},
		7: {N: 2, Correct: 1, Accuracy: 0.5, Confidence: 0.775},
		3: {N: 1, Correct: 0, Accuracy: 0, Confidence: 0.31},
		2: {N: 1, Correct: 1, Accuracy: 1, Confidence: 0.3},
	}
	if len(c.Bins) != 10 {
		t.Fatalf("%d bins, want 10", len(c.Bins))
	}
	for b, got := range c.Bins {
		w := want[b] // the zero Bin for an empty one
		if math.Abs(got.Lo-float64(b)/10) > tol || math.Abs(got.Hi-float64(b+1)/10) > tol {
			t.Errorf("bin %d bounds (%v, %v]", b, got.Lo, got.Hi)
		}
		if got.N != w.N || got.Correct != w.Correct ||
			math.Abs(got.Accuracy-w.Accuracy) > tol || math.Abs(got.Confidence-w.Confidence) > tol {
			t.Errorf("bin %d: n %d correct %d acc %v conf %v; want n %d correct %d acc %v conf %v",
				b, got.N, got.Correct, got.Accuracy, got.Confidence, w.N, w.Correct, w.Accuracy, w.Confidence)
		}
	}
}

func TestReliabilityEdges(t *testing.T) {
	for _, tt := range []struct {
		name     string
		conf     []float64
		correct  []bool
		bins     int
		ece, mce float64
		counts   map[int]int // bin -> rows; other bins empty
	}{
		{"all right, fully confident", []float64{1, 1, 1}, []bool{true, true, true}, 10, 0, 0, map[int]int{9: 3}},
		{"all wrong, fully confident", []float64{1, 1}, []bool{false, false}, 10, 1, 1, map[int]int{9: 2}},
		// Confidence 0 is in no interval (m-1)/M, m/M]; it joins the first bin.
		{"zero confidence", []float64{0, 0.05}, []bool{false, false}, 10, 0.025, 0.025, map[int]int{0: 2}},
		// 0.5 right and 0.5 wrong at confidence 0.5: calibrated, with 8 of 10 bins empty.
		{"calibrated coin", []float64{0.5, 0.5, 0.5, 0.5}, []bool{true, false, true, false}, 10, 0, 0, map[int]int{4: 4}},
		// One bin: ECE is |accuracy - mean confidence| = |2/3 - 0.7|.
		{"one bin", []float64{0.6, 0.7, 0.8}, []bool{true, true, false}, 1, 0.7 - 2.0/3, 0.7 - 2.0/3, map[int]int{0: 3}},
		// Every bound k/10 falls in the bin it closes.
		{"bounds", []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}, make([]bool, 10), 10, 0.55, 1,
			map[int]int{0: 1, 1: 1, 2: 1, 3: 1, 4: 1, 5: 1, 6: 1, 7: 1, 8: 1, 9: 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Reliability(tt.conf, tt.correct, tt.bins)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(c.ECE-tt.ece) > 1e-12 || math.Abs(c.MCE-tt.mce) > 1e-12 {
				t.Errorf("ECE %v MCE %v, want %v %v", c.ECE, c.MCE, tt.ece, tt.mce)
			}
			for b, bin := range c.Bins {
				if bin.N != tt.counts[b] {
					t.Errorf("bin %d holds %d rows, want %d", b, bin.N, tt.counts[b])
				}
				if bin.N == 0 && (bin.Accuracy != 0 || bin.Confidence != 0) {
					t.Errorf("empty bin %d: acc %v conf %v, want 0 0", b, bin.Accuracy, bin.Confidence)
				}
			}
		})
	}
}

func TestReliabilityErrors(t *testing.T) {
	for _, tt := range []struct {
		name    string
		conf    []float64
		correct []bool
		bins    int
		want    error // nil: any error
	}{
		{"no bins", []float64{0.5}, []bool{true}, 0, nil},
		{"lengths", []float64{0.5, 0.6}, []bool{true}, 10, ErrLength},
		{"empty", nil, nil, 10, ErrEmpty},
		{"NaN", []float64{math.NaN()}, []bool{true}, 10, ErrConfidence},
		{"above 1", []float64{1.5}, []bool{true}, 10, ErrConfidence},
		{"negative", []float64{-0.1}, []bool{true}, 10, ErrConfidence},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Reliability(tt.conf, tt.correct, tt.bins)
			if err == nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error %v, want %v", err, tt.want)
			}
		})
	}
}
