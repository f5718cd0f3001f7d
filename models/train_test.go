package models

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/commentstance/stance/sparse"
)

func vec(pairs ...float32) sparse.Vector {
	var v sparse.Vector
	for i := 0; i < len(pairs); i += 2 {
		v.Add(uint32(pairs[i]), pairs[i+1])
	}
	return v
}

// checkOptimal checks that the float64 solution of fit satisfies the first-order optimality
// condition the run claims, using the independent denseObjective: the gradient's largest entry
// is within GradTol * C * sum_i s_i (the stopping rule documented at TrainConfig.GradTol).
func checkOptimal(t *testing.T, fr *fitResult, x []sparse.Vector, y []int, k, dim int, cfg TrainConfig) {
	t.Helper()
	c, tol := cfg.C, cfg.GradTol
	if c == 0 {
		c = defaultC
	}
	if tol == 0 {
		tol = defaultGradTol
	}
	var swSum float64
	for _, l := range y {
		if cfg.ClassWeight == nil {
			swSum++
		} else {
			swSum += cfg.ClassWeight[l]
		}
	}
	theta := denseTheta(fr, k, dim)
	grad := make([]float64, len(theta))
	f := denseObjective(x, y, k, dim, c, cfg.ClassWeight, theta, grad)
	if g := infNorm(grad); g > tol*c*swSum {
		t.Errorf("gradient at the solution: max |dF| = %g, want <= GradTol*C*sum(s) = %g (%+v)", g, tol*c*swSum, fr.info)
	}
	if math.Abs(f-fr.info.Loss) > 1e-9*math.Abs(f) {
		t.Errorf("TrainInfo.Loss = %.15g, dense objective at the solution %.15g", fr.info.Loss, f)
	}
	if !fr.info.Converged || fr.info.Status != "GradientThreshold" {
		t.Errorf("status %q, converged %v; want GradientThreshold", fr.info.Status, fr.info.Converged)
	}
}

// TestTrainSeparable: one indicator feature per class plus shared noise features; the classes are
// linearly separable, so every training row must be classified correctly.
func TestTrainSeparable(t *testing.T) {
	const k, dim = 3, 40
	var x []sparse.Vector
	var y []int
	for i := range 90 {
		l := i % k
		x = append(x, vec(float32(l), 1, float32(k+i%17), 1, float32(k+(i*7)%29), 0.5))
		y = append(y, l)
	}
	for _, cfg := range []TrainConfig{{}, {C: 10, GradTol: 1e-8}} {
		m, info, err := Train(x, y, k, dim, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if acc := accuracy(m, x, y); acc != 1 {
			t.Errorf("%+v: training accuracy %v, want 1 (separable)", cfg, acc)
		}
		if info.Features != k+29 {
			t.Errorf("Features = %d, want %d fired columns", info.Features, k+29)
		}
		fr, err := fit(x, Shared{}, y, k, dim, cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkOptimal(t, fr, x, y, k, dim, cfg)
	}
}

// TestTrainNoisy: a 3-class problem labelled by a known softmax model with Gumbel noise. The
// trained model is scored on held-out rows against the model that generated the labels, which
// is the best any classifier can do on average; 0.1 below it leaves room for the estimation error
// of 6000 rows for 3*(512+1) parameters (the run at the time of writing scored 0.834 against
// 0.890).
func TestTrainNoisy(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on 8000 rows")
	}
	sp := synthSpec{rows: 8000, dim: 1 << 9, nnz: 30, classes: 3, noise: 1, seed: 11}
	s := makeSynth(sp)
	trainX, trainY := s.x[:6000], s.y[:6000]
	testX, testY := s.x[6000:], s.y[6000:]

	cfg := TrainConfig{C: 0.5, ClassWeight: BalancedWeights(trainY, 3)}
	m, info, err := Train(trainX, trainY, 3, sp.dim, cfg)
	if err != nil {
		t.Fatal(err)
	}
	oracle := accuracy(s.true, testX, testY)
	got := accuracy(m, testX, testY)
	t.Logf("held-out accuracy %.3f, generating model %.3f, chance 0.333; %+v", got, oracle, info)
	if got < oracle-0.1 {
		t.Errorf("held-out accuracy %.3f, want >= generating model's %.3f - 0.1", got, oracle)
	}
	fr, err := fit(trainX, Shared{}, trainY, 3, sp.dim, cfg)
	if err != nil {
		t.Fatal(err)
	}
	checkOptimal(t, fr, trainX, trainY, 3, sp.dim, cfg)
}

// TestTrainInterceptOnly checks a closed-form optimum. With no features the objective is
// C * sum_i s_i * CE_i in the biases alone, and dF/db_k = C * sum_i s_i (p_k - [y_i = k]) = 0
// gives p_k = sum_{i: y_i = k} s_i / sum_i s_i: the weighted class frequencies (the maximum
// likelihood estimate of a categorical distribution). Balanced weights make them uniform.
func TestTrainInterceptOnly(t *testing.T) {
	y := []int{0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 2} // counts 6, 2, 4 of 12
	x := make([]sparse.Vector, len(y))
	x[3] = vec(5, 0) // an explicit zero fires nothing
	for _, tt := range []struct {
		name string
		cw   []float64
		want []float64
	}{
		{"unweighted", nil, []float64{6.0 / 12, 2.0 / 12, 4.0 / 12}},
		// Weights 1, 3, 0.5 give class masses 6, 6, 2 of 14.
		{"weighted", []float64{1, 3, 0.5}, []float64{6.0 / 14, 6.0 / 14, 2.0 / 14}},
		{"balanced", BalancedWeights(y, 3), []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, info, err := Train(x, y, 3, 8, TrainConfig{ClassWeight: tt.cw, GradTol: 1e-12, C: 2})
			if err != nil {
				t.Fatal(err)
			}
			if info.Features != 0 {
				t.Errorf("Features = %d, want 0", info.Features)
			}
			p := m.Probs(nil, sparse.Vector{})
			for j := range p {
				// B is float32: a relative rounding of 6e-8 in each bias.
				if math.Abs(p[j]-tt.want[j]) > 1e-6 {
					t.Errorf("P(%d) = %.9f, want %.9f (%+v)", j, p[j], tt.want[j], info)
				}
			}
		})
	}
}

// TestTrainSymmetric checks a solution derived by hand. Two rows, one feature:
// x_0 = {f: +1} with label 0, x_1 = {f: -1} with label 1. Swapping the classes and negating x
// maps the problem to itself, so the optimum has b = 0 and W[f] = (a, -a). Row 0 then has
// P(0) = sigmoid(2a), row 1 has P(0) = sigmoid(-2a), and
//
//	dF/dW[f][0] = C * ((sigmoid(2a) - 1) * 1 + sigmoid(-2a) * (-1)) + a = a - 2C * sigmoid(-2a) = 0.
//
// The root a of a = 2C sigmoid(-2a) is found by bisection (the left side increases in a, the
// right side decreases).
func TestTrainSymmetric(t *testing.T) {
	x := []sparse.Vector{vec(2, 1), vec(2, -1)}
	y := []int{0, 1}
	for _, c := range []float64{1, 2.5, 0.1} {
		lo, hi := 0.0, 2*c
		for range 200 {
			a := (lo + hi) / 2
			if a-2*c/(1+math.Exp(2*a)) > 0 {
				hi = a
			} else {
				lo = a
			}
		}
		a := (lo + hi) / 2
		m, info, err := Train(x, y, 2, 4, TrainConfig{C: c, GradTol: 1e-12})
		if err != nil {
			t.Fatal(err)
		}
		got := []float64{float64(m.W[2*2]), float64(m.W[2*2+1]), float64(m.B[0]), float64(m.B[1])}
		want := []float64{a, -a, 0, 0}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Errorf("C=%v: (W[f][0], W[f][1], b0, b1) = %v, want %v (%+v)", c, got, want, info)
				break
			}
		}
	}
}

// TestTrainDeterministic: the same data and config give the same bytes, whatever Workers is.
func TestTrainDeterministic(t *testing.T) {
	s := makeSynth(synthSpec{rows: 3000, dim: 1 << 14, nnz: 40, classes: 4, noise: 0.5, seed: 21})
	var ref []byte
	for _, workers := range []int{1, 4, 1, 3} {
		m, _, err := Train(s.x, s.y, 4, 1<<14, TrainConfig{Workers: workers, ClassWeight: BalancedWeights(s.y, 4)})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = buf.Bytes()
			continue
		}
		if !bytes.Equal(buf.Bytes(), ref) {
			t.Fatalf("workers=%d: model bytes differ from the first run", workers)
		}
	}
}

// TestTrainIterationLimit: running out of iterations returns the model, as scikit-learn does.
func TestTrainIterationLimit(t *testing.T) {
	s := makeSynth(synthSpec{rows: 500, dim: 1 << 10, nnz: 20, classes: 3, noise: 1, seed: 4})
	m, info, err := Train(s.x, s.y, 3, 1<<10, TrainConfig{MaxIter: 3})
	if err != nil {
		t.Fatal(err)
	}
	if m == nil || info.Status != "IterationLimit" || info.Converged || info.Iterations != 3 {
		t.Errorf("got %+v, want status IterationLimit after 3 iterations, not converged", info)
	}
}

// TestTrainAbsentClass: a class without rows is allowed; its bias falls until the gradient test
// stops it, leaving it a small probability.
func TestTrainAbsentClass(t *testing.T) {
	x := []sparse.Vector{vec(0, 1), vec(1, 1), vec(0, 1), vec(1, 1)}
	y := []int{0, 1, 0, 1}
	m, info, err := Train(x, y, 3, 2, TrainConfig{})
	if err != nil {
		t.Fatal(err)
	}
	p := m.Probs(nil, x[0])
	if p[2] > 1e-3 || argmax(p) != 0 {
		t.Errorf("P = %v, want class 0 first and class 2 (no rows) below 1e-3 (%+v)", p, info)
	}
}

func TestTrainErrors(t *testing.T) {
	good := []sparse.Vector{vec(0, 1), vec(1, 1)}
	labels := []int{0, 1}
	for _, tt := range []struct {
		name    string
		x       []sparse.Vector
		y       []int
		classes int
		dim     int
		cfg     TrainConfig
		want    string
		is      error
	}{
		{name: "one class", x: good, y: labels, classes: 1, dim: 2,
			want: "models: 1 classes, want 2..65536"},
		{name: "dim too large", x: good, y: labels, classes: 4, dim: 1 << 27,
			want: "models: dim 134217728 with 4 classes, want 0 <= dim and dim*classes <= 268435456"},
		{name: "lengths", x: good, y: []int{0}, classes: 2, dim: 2,
			want: "models: 2 feature rows but 1 labels"},
		{name: "label", x: good, y: []int{0, 2}, classes: 2, dim: 2,
			want: "models: row 1: label 2 outside [0,2)"},
		{name: "index", x: []sparse.Vector{vec(0, 1), vec(7, 1)}, y: labels, classes: 2, dim: 7,
			want: "models: row 1: feature index 7 >= dim 7"},
		{name: "NaN", x: []sparse.Vector{vec(0, float32(math.NaN())), vec(1, 1)}, y: labels, classes: 2, dim: 2,
			want: "models: row 0: feature 0 has value NaN, want a finite number"},
		{name: "ragged", x: []sparse.Vector{{Idx: []uint32{0, 1}, Val: []float32{1}}, vec(1, 1)}, y: labels, classes: 2, dim: 2,
			want: "models: row 0: 2 indices but 1 values"},
		{name: "single class", x: good, y: []int{1, 1}, classes: 3, dim: 2,
			want: "models: training labels hold fewer than two classes: 2 rows, 1 of them classes with positive weight", is: ErrSingleClass},
		{name: "no rows", x: nil, y: nil, classes: 2, dim: 2,
			want: "models: training labels hold fewer than two classes: 0 rows, 0 of them classes with positive weight", is: ErrSingleClass},
		{name: "weighted away", x: good, y: labels, classes: 2, dim: 2, cfg: TrainConfig{ClassWeight: []float64{1, 0}},
			want: "models: training labels hold fewer than two classes: 2 rows, 1 of them classes with positive weight", is: ErrSingleClass},
		{name: "C", x: good, y: labels, classes: 2, dim: 2, cfg: TrainConfig{C: -1},
			want: "models: TrainConfig.C = -1, want a finite value > 0 (0 means 1)"},
		{name: "class weight length", x: good, y: labels, classes: 2, dim: 2, cfg: TrainConfig{ClassWeight: []float64{1}},
			want: "models: TrainConfig.ClassWeight has 1 entries, want one per class (2)"},
		{name: "class weight value", x: good, y: labels, classes: 2, dim: 2, cfg: TrainConfig{ClassWeight: []float64{1, math.Inf(1)}},
			want: "models: TrainConfig.ClassWeight[1] = +Inf, want a finite value >= 0"},
		{name: "MaxIter", x: good, y: labels, classes: 2, dim: 2, cfg: TrainConfig{MaxIter: -1},
			want: "models: TrainConfig.MaxIter = -1, want > 0 (0 means 300)"},
		{name: "GradTol", x: good, y: labels, classes: 2, dim: 2, cfg: TrainConfig{GradTol: math.NaN()},
			want: "models: TrainConfig.GradTol = NaN, want a finite value > 0 (0 means 0.0001)"},
		{name: "Workers", x: good, y: labels, classes: 2, dim: 2, cfg: TrainConfig{Workers: -2},
			want: "models: TrainConfig.Workers = -2, want > 0 (0 means GOMAXPROCS)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, _, err := Train(tt.x, tt.y, tt.classes, tt.dim, tt.cfg)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Train error = %v, want %q", err, tt.want)
			}
			if m != nil {
				t.Errorf("Train returned a model with an error")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
		})
	}
}

// TestBalancedWeights checks scikit-learn's class_weight="balanced",
// n_samples / (n_classes * np.bincount(y)), by hand: y has 8 rows, counts (4, 3, 1, 0) over 4
// classes, so the weights are 8/(4*4) = 0.5, 8/(4*3) = 2/3, 8/(4*1) = 2, and 0 for the class
// without rows (scikit-learn would raise an error there instead).
func TestBalancedWeights(t *testing.T) {
	got := BalancedWeights([]int{0, 1, 0, 2, 1, 0, 1, 0}, 4)
	want := []float64{0.5, 2.0 / 3, 2, 0}
	for j := range want {
		if got[j] != want[j] {
			t.Fatalf("BalancedWeights = %v, want %v", got, want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Errorf("BalancedWeights with label 4 of 4 classes did not panic")
		}
	}()
	BalancedWeights([]int{4}, 4)
}

func TestProbsAndContributions(t *testing.T) {
	m := &Softmax{Classes: 3, Dim: 4,
		W: []float32{
			1, 0, -1, // feature 0
			0, 0, 0, // feature 1
			0.5, 2, 0, // feature 2
			0, 0, 3, // feature 3
		},
		B: []float32{0.1, -0.2, 0}}
	x := vec(0, 2, 1, 5, 2, -1, 9, 100) // feature 9 is beyond Dim and ignored
	// Scores: 0.1 + 2*1 - 0.5 = 1.6; -0.2 + 0 - 2 = -2.2; 0 - 2 + 0 = -2.
	z := []float64{1.6, -2.2, -2}
	var sum float64
	for _, v := range z {
		sum += math.Exp(v)
	}
	p := m.Probs(make([]float64, 0, 3), x)
	for j := range z {
		if want := math.Exp(z[j]) / sum; math.Abs(p[j]-want) > 1e-7 {
			t.Errorf("P(%d) = %v, want %v", j, p[j], want)
		}
	}

	// Contributions to class 0 add up to its score minus the bias, skipping zero weights.
	type contrib struct {
		idx      uint32
		val, wgt float32
	}
	var got []contrib
	m.Contributions(x, 0, func(idx uint32, v, w float32) { got = append(got, contrib{idx, v, w}) })
	want := []contrib{{0, 2, 1}, {2, -1, 0.5}}
	if len(got) != len(want) {
		t.Fatalf("Contributions = %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("Contributions = %v, want %v", got, want)
		}
	}

	// Large scores must not overflow.
	big := &Softmax{Classes: 2, Dim: 1, W: []float32{1e30, -1e30}, B: []float32{0, 0}}
	p = big.Probs(p, vec(0, 1e8))
	if p[0] != 1 || p[1] != 0 {
		t.Errorf("P = %v for scores ±1e38, want [1 0]", p)
	}
}

func TestProbsNoAlloc(t *testing.T) {
	s := makeSynth(synthSpec{rows: 1, dim: 1 << 10, nnz: 60, classes: 4, seed: 8})
	dst := make([]float64, 4)
	if n := testing.AllocsPerRun(100, func() { dst = s.true.Probs(dst, s.x[0]) }); n != 0 {
		t.Errorf("Probs allocates %v times per call, want 0", n)
	}
}

// TestTrainIgnore: features in [IgnoreFrom, IgnoreTo) are trained as if x did not have them,
// bit for bit, and get zero weights.
func TestTrainIgnore(t *testing.T) {
	const dim = 1 << 12
	s := makeSynth(synthSpec{rows: 800, dim: dim, nnz: 30, classes: 3, noise: 0.5, seed: 5})
	lo, hi := uint32(dim/4), uint32(dim/2)
	var without []sparse.Vector
	dropped := 0
	for _, v := range s.x {
		var w sparse.Vector
		for i, idx := range v.Idx {
			if idx < lo || idx >= hi {
				w.Add(idx, v.Val[i])
			} else {
				dropped++
			}
		}
		without = append(without, w)
	}
	if dropped == 0 {
		t.Fatal("no feature in the ignored range: the test proves nothing")
	}
	cfg := TrainConfig{C: 2}
	want, _, err := Train(without, s.y, 3, dim, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.IgnoreFrom, cfg.IgnoreTo = lo, hi
	got, _, err := Train(s.x, s.y, 3, dim, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.W, want.W) || !slices.Equal(got.B, want.B) {
		t.Fatal("training with the range ignored differs from training without its features")
	}
	for f := lo; f < hi; f++ {
		for k := range 3 {
			if w := got.W[int(f)*3+k]; w != 0 {
				t.Fatalf("ignored feature %d has weight %v for class %d", f, w, k)
			}
		}
	}
}

// TestTrainPenaltyIsScaling checks what TrainConfig.Penalty promises: a penalty of 1/a^2 on a
// group of features fits the model that scaling their values by a fits, with their weights
// scaled by a, so the two give the same probabilities.
func TestTrainPenaltyIsScaling(t *testing.T) {
	const dim, a = 1 << 10, 0.5
	s := makeSynth(synthSpec{rows: 600, dim: dim, nnz: 20, classes: 3, noise: 0.5, seed: 11})
	group := func(f uint32) bool { return f%3 == 0 }
	scaled := make([]sparse.Vector, len(s.x))
	for i, v := range s.x {
		for e, f := range v.Idx {
			val := v.Val[e]
			if group(f) {
				val *= a
			}
			scaled[i].Add(f, val)
		}
	}
	cfg := TrainConfig{C: 2, GradTol: 1e-9, MaxIter: 2000}
	want, _, err := Train(scaled, s.y, 3, dim, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Penalty = func(f uint32) float64 {
		if group(f) {
			return 1 / (a * a)
		}
		return 1
	}
	got, _, err := Train(s.x, s.y, 3, dim, cfg)
	if err != nil {
		t.Fatal(err)
	}
	inGroup := 0
	for f := range uint32(dim) {
		scale := float32(1)
		if group(f) {
			scale = a
		}
		for k := range 3 {
			w, ws := got.W[int(f)*3+k], want.W[int(f)*3+k]
			if group(f) && ws != 0 {
				inGroup++
			}
			if d := math.Abs(float64(w - ws*scale)); d > 1e-4*max(1, math.Abs(float64(w))) {
				t.Fatalf("feature %d class %d: weight %v with the penalty; want %v, a times the weight %v of the scaled feature", f, k, w, ws*scale, ws)
			}
		}
	}
	if inGroup == 0 {
		t.Fatal("no weight in the penalised group: the test proves nothing")
	}
	var p, q []float64
	for i := range s.x {
		p, q = got.Probs(p, s.x[i]), want.Probs(q, scaled[i])
		for k := range p {
			if math.Abs(p[k]-q[k]) > 1e-4 {
				t.Fatalf("row %d: P(%d) = %v with the penalty, %v with scaled features", i, k, p[k], q[k])
			}
		}
	}
	cfg.Penalty = func(uint32) float64 { return 0 }
	if _, _, err := Train(s.x, s.y, 3, dim, cfg); err == nil || !strings.Contains(err.Error(), "penalty 0") {
		t.Errorf("a zero penalty: err = %v, want one that names it", err)
	}
}
