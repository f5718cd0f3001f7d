package models

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"

	"github.com/commentstance/stance/sparse"
)

// ErrSingleClass is wrapped by the error Train returns when fewer than two classes occur among
// the rows with a positive weight, so there is nothing to separate. Callers training several
// heads test for it with errors.Is to say which head lacks labels.
var ErrSingleClass = errors.New("models: training labels hold fewer than two classes")

// Limits on model size, enforced by Train, WriteTo and ReadSoftmax alike so that every model
// that can be trained can be read back, and a corrupt header cannot make ReadSoftmax allocate
// without bound.
const (
	MaxClasses = 1 << 16 // most classes a Softmax may have
	MaxParams  = 1 << 28 // most entries Dim*Classes of Softmax.W (1 GiB of float32)
	maxDim     = 1 << 32 // feature indices are uint32
)

// TrainConfig sets the objective and the optimiser of Train. The zero value selects the
// defaults; each field says what its zero value means.
//
// Train minimises
//
//	F(W, b) = C * sum_i s_i * CE_i + 0.5 * ||W||^2,
//
// where CE_i is the cross-entropy of row i, s_i = ClassWeight[y_i] and the biases b are not
// penalised. This is the objective of scikit-learn's LogisticRegression with the lbfgs solver,
// penalty="l2", fit_intercept=True and a multinomial loss (the comment above sw_sum in
// sklearn/linear_model/_logistic.py, scikit-learn 1.7: "the implemented logistic regression
// objective here is C * sum(pointwise_loss) + penalty"), so C and ClassWeight carry over.
type TrainConfig struct {
	// C is the inverse L2 regularisation strength; larger C fits the training data more
	// closely. It must be positive; 0 means 1, scikit-learn's default.
	C float64

	// ClassWeight multiplies the loss of every row of class k by ClassWeight[k]. It must have
	// one finite, non-negative entry per class. nil weighs every row 1. See BalancedWeights.
	ClassWeight []float64

	// MaxIter bounds the L-BFGS iterations (accepted steps). Reaching it is not an error:
	// Train returns the model and TrainInfo.Status "IterationLimit", as scikit-learn warns but
	// still fits. 0 means 300.
	MaxIter int

	// GradTol stops training once max_j |dF/dtheta_j| <= GradTol * C * sum_i s_i. That is
	// scikit-learn's tol (default 1e-4), which it applies as scipy's L-BFGS-B gtol to the same
	// objective divided by C * sum_i s_i (l2_reg_strength = 1/(C*sw_sum) in _logistic.py).
	// 0 means 1e-4.
	GradTol float64

	// Workers is the number of goroutines evaluating the objective; 0 means
	// runtime.GOMAXPROCS(0). The trained model does not depend on it, bit for bit.
	Workers int

	// IgnoreFrom and IgnoreTo, when IgnoreTo > IgnoreFrom, leave the features with an index in
	// [IgnoreFrom, IgnoreTo) out of training, as if x did not have them: their weights stay 0.
	// The same rows then serve a model that uses those features and one that does not, with no
	// copy of them (e.g. the article-conjoined copies of a classifier's features).
	IgnoreFrom, IgnoreTo uint32

	// Penalty, if not nil, scales the L2 penalty of each feature's weights: the objective's
	// 0.5 * ||W||^2 becomes 0.5 * sum_f Penalty(f) * ||W_f||^2, where W_f are feature f's
	// weights (one per class). Train calls it once per feature that fires; each value must be
	// positive and finite. Penalty 1/a^2 on a group of features fits the model that scaling
	// their values by a would, with the weights scaled by a: a way to make a group of features
	// count for more or less without changing x (see classifier.HeadConfig.WordWeight).
	Penalty func(feature uint32) float64

	// Progress, if not nil, is called after each L-BFGS iteration with the iterations done
	// (at most MaxIter), from the goroutine that trains. It does not change the model.
	Progress func(iteration int)
}

// iterationRecorder is the optimize.Recorder that calls TrainConfig.Progress.
type iterationRecorder struct {
	progress func(int)
	n        int
}

func (r *iterationRecorder) Init() error { return nil }

func (r *iterationRecorder) Record(_ *optimize.Location, op optimize.Operation, _ *optimize.Stats) error {
	if op == optimize.MajorIteration {
		r.n++
		r.progress(r.n)
	}
	return nil
}

// Defaults, as scikit-learn's LogisticRegression (C=1.0, max_iter=100, tol=1e-4) except
// MaxIter: 300 leaves room for the larger, worse-conditioned problems of a million hashed
// columns, and runs that converge stop earlier anyway.
const (
	defaultC       = 1
	defaultMaxIter = 300
	defaultGradTol = 1e-4
)

// L-BFGS settings copied from scipy's L-BFGS-B as scikit-learn calls it: a relative decrease
// test ftol = 64*eps (sklearn's _logistic.py), and the Moré–Thuente line search with sufficient
// decrease 1e-3 and curvature 0.9 (the ftol and gtol constants of lnsrlb in lbfgsb.f; Moré and
// Thuente, ACM TOMS 20(3), 1994). It keeps 5 correction pairs, R optim's default, where scipy
// keeps 10: the pairs are two float64 vectors of every parameter each, the most memory training
// holds where features are many, and 5 cut training's peak memory by about a third on the public
// tasks while moving their test figures by no more than the gradient tolerance does
// (docs/BENCHMARKS.md gives the run's figures).
const (
	lbfgsStore   = 5
	lbfgsFuncTol = 64 * 0x1p-52
	lsDecrease   = 1e-3
	lsCurvature  = 0.9
)

// TrainInfo describes how a Train run ended.
type TrainInfo struct {
	Iterations int     // L-BFGS iterations (accepted steps) taken
	Loss       float64 // objective F at the returned parameters, before rounding to float32
	// Status is how the optimiser stopped: "GradientThreshold" (the gradient met GradTol) or
	// "FunctionConvergence" (a step decreased F by less than 64*eps relative, scipy's ftol
	// test) mean converged; "IterationLimit" means MaxIter was reached; "Failure: ..." means
	// the line search could not progress, usually at the limit of float64 precision. The model
	// is returned in every case, as scikit-learn returns it with a ConvergenceWarning.
	Status    string
	Converged bool    // Status is GradientThreshold or FunctionConvergence
	GradNorm  float64 // max_j |dF/dtheta_j| at the returned parameters
	Features  int     // feature columns that fired (had a nonzero value) in the training rows
}

// BalancedWeights returns class weights n / (classes * count_k), where count_k is the number of
// labels equal to k, as scikit-learn's class_weight="balanced" (compute_class_weight:
// n_samples / (n_classes * np.bincount(y))). Every class present then carries the same total
// weight. A class with no rows gets weight 0, where scikit-learn raises an error: it has no rows
// to weigh, and 0 keeps the result finite. BalancedWeights panics if a label is outside
// [0, classes).
func BalancedWeights(y []int, classes int) []float64 {
	count := make([]int, classes)
	for i, l := range y {
		if l < 0 || l >= classes {
			panic(fmt.Sprintf("models: BalancedWeights: row %d: label %d outside [0,%d)", i, l, classes))
		}
		count[l]++
	}
	w := make([]float64, classes)
	for k, c := range count {
		if c > 0 {
			w[k] = float64(len(y)) / (float64(classes) * float64(c))
		}
	}
	return w
}

func (cfg TrainConfig) withDefaults(classes int) (TrainConfig, error) {
	switch {
	case cfg.C == 0:
		cfg.C = defaultC
	case !(cfg.C > 0) || math.IsInf(cfg.C, 1):
		return cfg, fmt.Errorf("models: TrainConfig.C = %v, want a finite value > 0 (0 means %v)", cfg.C, defaultC)
	}
	if cfg.ClassWeight != nil {
		if len(cfg.ClassWeight) != classes {
			return cfg, fmt.Errorf("models: TrainConfig.ClassWeight has %d entries, want one per class (%d)", len(cfg.ClassWeight), classes)
		}
		for k, w := range cfg.ClassWeight {
			if !(w >= 0) || math.IsInf(w, 1) {
				return cfg, fmt.Errorf("models: TrainConfig.ClassWeight[%d] = %v, want a finite value >= 0", k, w)
			}
		}
	}
	switch {
	case cfg.MaxIter == 0:
		cfg.MaxIter = defaultMaxIter
	case cfg.MaxIter < 0:
		return cfg, fmt.Errorf("models: TrainConfig.MaxIter = %d, want > 0 (0 means %d)", cfg.MaxIter, defaultMaxIter)
	}
	switch {
	case cfg.GradTol == 0:
		cfg.GradTol = defaultGradTol
	case !(cfg.GradTol > 0) || math.IsInf(cfg.GradTol, 1):
		return cfg, fmt.Errorf("models: TrainConfig.GradTol = %v, want a finite value > 0 (0 means %v)", cfg.GradTol, defaultGradTol)
	}
	switch {
	case cfg.Workers == 0:
		cfg.Workers = runtime.GOMAXPROCS(0)
	case cfg.Workers < 0:
		return cfg, fmt.Errorf("models: TrainConfig.Workers = %d, want > 0 (0 means GOMAXPROCS)", cfg.Workers)
	}
	return cfg, nil
}

// Train fits a Softmax with classes classes over a feature space of size dim to the rows x with
// labels y, minimising the objective described at TrainConfig with L-BFGS (gonum's optimize)
// from W = 0, b = 0.
//
// Only the feature columns that fire in x get parameters during training; every other weight is
// exactly 0 at the optimum, since only the L2 penalty acts on it. Rows need not be canonical
// (duplicate indices add up). The same x, y and cfg give the same model, bit for bit, whatever
// cfg.Workers is. That holds for one build on one platform: the compiler may fuse multiply-adds
// and math.Exp differs between architectures, so an arm64 build may differ in the last bits.
//
// Train reports invalid input by row: len(x) != len(y), a label outside [0, classes), a feature
// index >= dim, a NaN or infinite value. If fewer than two classes carry positive weight the
// error wraps ErrSingleClass. A class that has no rows is allowed; its bias then heads for
// -Inf and stops, by GradTol, at a probability of order GradTol.
func Train(x []sparse.Vector, y []int, classes, dim int, cfg TrainConfig) (*Softmax, TrainInfo, error) {
	return TrainShared(x, Shared{}, y, classes, dim, cfg)
}

// TrainShared is Train on the rows x[i] + sh.Vectors[sh.Of[i]] (see Shared). The model is the
// one Train fits on those sums up to rounding: the objective adds the same terms in another
// order. It is deterministic as Train is. Besides Train's errors it reports a shared vector
// with a bad index or value, and an Of of the wrong length or out of range.
func TrainShared(x []sparse.Vector, sh Shared, y []int, classes, dim int, cfg TrainConfig) (*Softmax, TrainInfo, error) {
	fr, err := fit(x, sh, y, classes, dim, cfg)
	if err != nil {
		return nil, TrainInfo{}, err
	}
	m := &Softmax{
		Classes: classes,
		Dim:     dim,
		W:       make([]float32, dim*classes),
		B:       make([]float32, classes),
	}
	for c, f := range fr.cols {
		for j := range classes {
			m.W[int(f)*classes+j] = toFloat32(fr.theta[c*classes+j])
		}
	}
	for j := range classes {
		m.B[j] = toFloat32(fr.theta[len(fr.cols)*classes+j])
	}
	return m, fr.info, nil
}

// fitResult is the float64 solution of Train over the compacted columns.
type fitResult struct {
	cols  []uint32  // column -> feature index
	theta []float64 // [W (len(cols)*classes, feature-major) | b (classes)]
	obj   *objective
	info  TrainInfo
}

func fit(x []sparse.Vector, sh Shared, y []int, classes, dim int, cfg TrainConfig) (*fitResult, error) {
	if classes < 2 || classes > MaxClasses {
		return nil, fmt.Errorf("models: %d classes, want 2..%d", classes, MaxClasses)
	}
	if dim < 0 || dim > maxDim || dim > MaxParams/classes {
		return nil, fmt.Errorf("models: dim %d with %d classes, want 0 <= dim and dim*classes <= %d", dim, classes, MaxParams)
	}
	if len(x) != len(y) {
		return nil, fmt.Errorf("models: %d feature rows but %d labels", len(x), len(y))
	}
	cfg, err := cfg.withDefaults(classes)
	if err != nil {
		return nil, err
	}
	s, swSum, err := sampleWeights(y, classes, cfg.ClassWeight)
	if err != nil {
		return nil, err
	}
	if err := sh.check(len(x), dim); err != nil {
		return nil, err
	}
	cols, rowPtr, rowCol, rowVal, shc, err := compactShared(x, sh, dim, cfg.IgnoreFrom, cfg.IgnoreTo)
	if err != nil {
		return nil, err
	}
	// The rows are compacted: if the caller holds no other reference to x, a collection now
	// frees it before newObjective transposes the compacted copy, and the transposed copy
	// reuses its memory, so the peak holds the matrix twice rather than three times.
	x = nil
	runtime.GC()
	obj := newObjective(classes, len(cols), cfg.C, y, s, rowPtr, rowCol, rowVal, cfg.Workers)
	if shc != nil {
		obj.setShared(shc)
	}
	if cfg.Penalty != nil {
		if err := obj.setPenalty(cols, cfg.Penalty); err != nil {
			return nil, err
		}
	}
	theta, info, err := minimize(obj, cfg, swSum)
	if err != nil {
		return nil, err
	}
	info.Features = len(cols)
	return &fitResult{cols: cols, theta: theta, obj: obj, info: info}, nil
}

// sampleWeights returns each row's weight (its class's, 1 without class weights) and their
// sum, refusing a label outside [0, classes) and rows of fewer than two classes of positive
// weight.
func sampleWeights(y []int, classes int, classWeight []float64) ([]float64, float64, error) {
	s := make([]float64, len(y))
	present := make([]bool, classes)
	var swSum float64
	npresent := 0
	for i, l := range y {
		if l < 0 || l >= classes {
			return nil, 0, fmt.Errorf("models: row %d: label %d outside [0,%d)", i, l, classes)
		}
		s[i] = 1
		if classWeight != nil {
			s[i] = classWeight[l]
		}
		swSum += s[i]
		if s[i] > 0 && !present[l] {
			present[l] = true
			npresent++
		}
	}
	if npresent < 2 {
		return nil, 0, fmt.Errorf("%w: %d rows, %d of them classes with positive weight", ErrSingleClass, len(y), npresent)
	}
	return s, swSum, nil
}

// setPenalty gives each compacted column its L2 penalty factor, penalty of the feature cols
// names.
func (o *objective) setPenalty(cols []uint32, penalty func(uint32) float64) error {
	o.pen = make([]float64, len(cols))
	for c, f := range cols {
		p := penalty(f)
		if !(p > 0) || math.IsInf(p, 0) {
			return fmt.Errorf("models: penalty %v for feature %d, want a positive finite number", p, f)
		}
		o.pen[c] = p
	}
	return nil
}

// minimize runs L-BFGS on obj from zero weights until the gradient's largest component is at
// most cfg.GradTol * C * swSum (swSum the sum of the sample weights; see TrainConfig.GradTol),
// the objective stops falling, or cfg.MaxIter iterations. It returns
// the weights and how training ended (all of TrainInfo but Features).
func minimize(obj *objective, cfg TrainConfig, swSum float64) ([]float64, TrainInfo, error) {
	np := obj.params()
	cache := &cachedObjective{o: obj, x: make([]float64, np), grad: make([]float64, np)}
	settings := &optimize.Settings{
		// The gradient test is the converger's (see gradConverge), not GradientThreshold's.
		// gonum counts the starting point as a major iteration.
		MajorIterations: cfg.MaxIter + 1,
		Converger: &gradConverge{threshold: cfg.GradTol * cfg.C * swSum,
			next: &optimize.FunctionConverge{Relative: lbfgsFuncTol, Iterations: 1}},
	}
	if cfg.Progress != nil {
		settings.Recorder = &iterationRecorder{progress: cfg.Progress}
	}
	method := &optimize.LBFGS{
		// NaN turns off the method's own test of the gradient against 1e-12, which can never
		// stop a fit before gradConverge's threshold does, and costs what gradConverge's does.
		GradStopThreshold: math.NaN(),
		Store:             lbfgsStore,
		Linesearcher:      &optimize.MoreThuente{DecreaseFactor: lsDecrease, CurvatureFactor: lsCurvature},
	}
	problem := optimize.Problem{Func: cache.Func, Grad: cache.Grad}
	res, err := optimize.Minimize(problem, make([]float64, np), settings, method)
	if res == nil {
		return nil, TrainInfo{}, fmt.Errorf("models: optimiser: %w", err)
	}
	if math.IsNaN(res.F) || math.IsInf(res.F, 0) || floats.HasNaN(res.X) {
		return nil, TrainInfo{}, fmt.Errorf("models: optimiser reached a non-finite objective %v (status %v): %v", res.F, res.Status, err)
	}
	info := TrainInfo{
		Iterations: max(res.MajorIterations-1, 0),
		Loss:       res.F,
		Status:     res.Status.String(),
	}
	if res.Gradient != nil {
		info.GradNorm = infNorm(res.Gradient)
	}
	switch res.Status {
	case optimize.GradientThreshold, optimize.FunctionConvergence:
		info.Converged = true
	}
	if err != nil {
		info.Status += ": " + err.Error()
	}
	return res.X, info, nil
}

// gradConverge is the optimize.Converger of minimize: it stops at the first major iteration
// whose gradient's largest component is under threshold, with status GradientThreshold, else
// asks next. That is the test optimize.Settings.GradientThreshold makes, at the same point and in
// the same order (before the converger), so the fit takes the same steps; but gonum measures the
// norm with floats.Norm(g, Inf), whose math.Max per element took about a quarter of the CPU
// time of tuning (pprof of Tune on Mawqif), and infNorm's comparisons take a fraction of it.
type gradConverge struct {
	threshold float64
	next      optimize.Converger
}

func (g *gradConverge) Init(dim int) { g.next.Init(dim) }

func (g *gradConverge) Converged(loc *optimize.Location) optimize.Status {
	if loc.Gradient != nil && g.threshold > 0 && infNorm(loc.Gradient) < g.threshold {
		return optimize.GradientThreshold
	}
	return g.next.Converged(loc)
}

// infNorm is max_i |s_i| as floats.Norm(s, math.Inf(1)) gives it: +Inf if any s_i is
// infinite, else NaN if any is NaN (math.Max's rules).
func infNorm(s []float64) float64 {
	var m float64
	nan := false
	for _, v := range s {
		if a := math.Abs(v); a > m {
			m = a
		} else if a != a {
			nan = true
		}
	}
	if nan && !math.IsInf(m, 1) {
		return math.NaN()
	}
	return m
}

// toFloat32 rounds v to float32 and turns -0 into +0, so that a model and its serialised copy,
// which stores no zero weights, compare equal.
func toFloat32(v float64) float32 {
	f := float32(v)
	if f == 0 {
		return 0
	}
	return f
}

// compact validates x and renumbers the feature indices that carry a nonzero value, outside
// [ignoreFrom, ignoreTo), as columns 0..len(cols)-1, most frequent first (ties by ascending
// index). It returns cols (column -> feature index) and the rows in compressed sparse row form
// over the columns.
//
// Ordering by frequency packs the weights of the features that fire in most rows into a few
// cache lines; hashing scatters them over the whole index space otherwise. The order is a
// function of x alone, so it keeps training deterministic.
func compact(x []sparse.Vector, dim int, ignoreFrom, ignoreTo uint32) (cols []uint32, rowPtr []int, rowCol []uint32, rowVal []float32, err error) {
	cols, rowPtr, rowCol, rowVal, _, err = compactShared(x, Shared{}, dim, ignoreFrom, ignoreTo)
	return cols, rowPtr, rowCol, rowVal, err
}

// compactShared is compact over the rows x and the shared vectors of sh (checked by
// Shared.check), which it returns over the same columns (nil when sh.Of is nil). A shared
// vector's features count once for every row that has it, as they would in the summed rows.
func compactShared(x []sparse.Vector, sh Shared, dim int, ignoreFrom, ignoreTo uint32) (cols []uint32, rowPtr []int, rowCol []uint32, rowVal []float32, shc *sharedCSR, err error) {
	keep := func(f uint32, val float32) bool { return val != 0 && (f < ignoreFrom || f >= ignoreTo) }
	// colOf[f] counts the rows where feature f fires, then becomes 1 + its column (0: none). It
	// costs 4 bytes per feature, half of the trained model's W for two classes, less for more.
	colOf := make([]uint32, dim)
	nnz := 0
	for i, v := range x {
		if err := checkVector(v, dim); err != nil {
			return nil, nil, nil, nil, nil, fmt.Errorf("models: row %d: %w", i, err)
		}
		for e, f := range v.Idx {
			if keep(f, v.Val[e]) {
				colOf[f]++
				nnz++
			}
		}
	}
	var refs []uint32 // rows per shared vector
	if sh.Of != nil {
		refs = make([]uint32, len(sh.Vectors))
		for _, s := range sh.Of {
			if s >= 0 {
				refs[s]++
			}
		}
		for s, v := range sh.Vectors {
			for e, f := range v.Idx {
				if refs[s] > 0 && keep(f, v.Val[e]) {
					colOf[f] += refs[s]
				}
			}
		}
	}
	for f, n := range colOf {
		if n != 0 {
			cols = append(cols, uint32(f))
		}
	}
	slices.SortFunc(cols, func(a, b uint32) int {
		if c := cmp.Compare(colOf[b], colOf[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	for c, f := range cols {
		colOf[f] = uint32(c) + 1
	}

	rowPtr = make([]int, len(x)+1)
	rowCol = make([]uint32, 0, nnz)
	rowVal = make([]float32, 0, nnz)
	for i, v := range x {
		for e, f := range v.Idx {
			if keep(f, v.Val[e]) {
				rowCol = append(rowCol, colOf[f]-1)
				rowVal = append(rowVal, v.Val[e])
			}
		}
		rowPtr[i+1] = len(rowCol)
	}
	if sh.Of == nil {
		return cols, rowPtr, rowCol, rowVal, nil, nil
	}
	shc = &sharedCSR{of: make([]int32, len(sh.Of)), ptr: make([]int, len(sh.Vectors)+1)}
	for i, s := range sh.Of {
		shc.of[i] = int32(max(s, -1))
	}
	for s, v := range sh.Vectors {
		if refs[s] > 0 { // a vector no row has would only cost time
			for e, f := range v.Idx {
				if keep(f, v.Val[e]) {
					shc.col = append(shc.col, colOf[f]-1)
					shc.val = append(shc.val, v.Val[e])
				}
			}
		}
		shc.ptr[s+1] = len(shc.col)
	}
	return cols, rowPtr, rowCol, rowVal, shc, nil
}
