package metrics

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"sort"
)

// Folds assigns each row to one of k cross-validation folds and returns the fold, in [0,k), of
// every row. y holds each row's class (any ints; only equality matters).
//
// Without groups (groups == nil) rows are folded one by one, stratified by y, as scikit-learn's
// StratifiedKFold(shuffle=True) does (sklearn 1.2.1 model_selection/_split.py, _make_test_folds):
// the rows, sorted by class, are dealt round robin to decide how many of each class each fold
// gets, and then each class's fold labels are shuffled among its rows. Every fold gets
// ⌊n/k⌋ or ⌈n/k⌉ rows and each class is spread as evenly as it can be.
//
// With groups (one per row), rows of one group always share a fold, as in scikit-learn's
// StratifiedGroupKFold(shuffle=True) (same file, _iter_test_indices and _find_best_fold, with
// the shuffle fixed as in scikit-learn PR #32540 so that each group keeps its own class counts):
// the distinct groups are shuffled, stably sorted by the standard deviation of their class counts,
// largest first, and each is put in the fold that then leaves the class shares across folds least
// uneven (the mean over classes of the standard deviation over folds of the fold's share of that
// class), ties going to the fold with fewer rows. Unlike scikit-learn, Folds never leaves a fold
// empty: once only as many groups remain as there are empty folds, each goes to an empty fold.
//
// The result depends only on y, groups, k and seed. The shuffles are Fisher–Yates driven by
// math/rand/v2's PCG (a fixed algorithm) seeded with (seed, 0), with bounded integers drawn by
// Lemire's multiply-and-reject method (D. Lemire, "Fast Random Integer Generation in an Interval",
// ACM TOMACS 29(1), 2019), so the folds do not change with the Go release. They are not the folds
// scikit-learn would draw with the same seed.
//
// It fails if k < 2, if groups is not nil and not as long as y, or if there are fewer rows
// (without groups) or distinct groups than k, wrapping ErrLength or ErrTooFewGroups.
func Folds(y []int, groups []string, k int, seed int64) ([]int, error) {
	if k < 2 {
		return nil, fmt.Errorf("metrics: %d folds; cross-validation needs at least 2", k)
	}
	s := newShuffler(seed)
	if groups == nil {
		if len(y) < k {
			return nil, fmt.Errorf("metrics: %d rows for %d folds: %w", len(y), k, ErrTooFewGroups)
		}
		return stratifiedFolds(y, k, s.shuffle), nil
	}
	if len(groups) != len(y) {
		return nil, fmt.Errorf("metrics: %d groups for %d rows: %w", len(groups), len(y), ErrLength)
	}
	return stratifiedGroupFolds(y, groups, k, s.shuffle)
}

// stratifiedFolds is Folds without groups; shuffle nil leaves each class's fold labels in fold
// order, as StratifiedKFold(shuffle=False) does.
func stratifiedFolds(y []int, k int, shuffle func(n int, swap func(i, j int))) []int {
	// Classes are numbered in order of first appearance, as StratifiedKFold numbers them, so that
	// without shuffling the folds are scikit-learn's.
	code := make(map[int]int)
	enc := make([]int, len(y))
	var count []int
	for i, v := range y {
		c, ok := code[v]
		if !ok {
			c = len(count)
			code[v] = c
			count = append(count, 0)
		}
		enc[i] = c
		count[c]++
	}
	// alloc[c][f] is how many rows of class c fold f gets: position p of the class-sorted rows
	// goes to fold p mod k.
	alloc := make([][]int, len(count))
	p := 0
	for c, n := range count {
		alloc[c] = make([]int, k)
		for range n {
			alloc[c][p%k]++
			p++
		}
	}
	folds := make([]int, len(y))
	rows := make([][]int, len(count))
	for i, c := range enc {
		rows[c] = append(rows[c], i)
	}
	for c, rs := range rows {
		labels := make([]int, 0, len(rs))
		for f, n := range alloc[c] {
			for range n {
				labels = append(labels, f)
			}
		}
		if shuffle != nil {
			shuffle(len(labels), func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
		}
		for i, r := range rs {
			folds[r] = labels[i]
		}
	}
	return folds
}

// stratifiedGroupFolds is Folds with groups; shuffle nil keeps the groups in sorted order, as
// StratifiedGroupKFold(shuffle=False) does.
func stratifiedGroupFolds(y []int, groups []string, k int, shuffle func(n int, swap func(i, j int))) ([]int, error) {
	// Classes and groups are numbered in sorted order, as np.unique numbers them.
	cls := slices.Compact(slices.Sorted(slices.Values(y)))
	names := slices.Compact(slices.Sorted(slices.Values(groups)))
	if len(names) < k {
		return nil, fmt.Errorf("metrics: %d distinct groups for %d folds: %w", len(names), k, ErrTooFewGroups)
	}
	gc := countGroups(y, groups, cls, names)
	foldOf := gc.assign(gc.order(shuffle), k)
	folds := make([]int, len(y))
	for i, g := range gc.of {
		folds[i] = foldOf[g]
	}
	return folds, nil
}

// groupCounts are the rows of each group in each class (StratifiedGroupKFold's
// y_counts_per_group and y_cnt).
type groupCounts struct {
	of     []int       // of[i]: row i's group
	counts [][]float64 // counts[g][c]: rows of group g in class c
	class  []float64   // class[c]: rows of class c
}

// countGroups counts the rows of y by group and class, numbering them by their place in the
// sorted cls and names.
func countGroups(y []int, groups []string, cls []int, names []string) groupCounts {
	nc, ng := len(cls), len(names)
	gc := groupCounts{of: make([]int, len(y)), counts: make([][]float64, ng), class: make([]float64, nc)}
	for g := range gc.counts {
		gc.counts[g] = make([]float64, nc)
	}
	for i, v := range y {
		c, _ := slices.BinarySearch(cls, v)
		g, _ := slices.BinarySearch(names, groups[i])
		gc.of[i] = g
		gc.counts[g][c]++
		gc.class[c]++
	}
	return gc
}

// order is the order groups are placed in: by the std of their class counts, largest first,
// ties in shuffled order (or sorted order when shuffle is nil).
func (gc groupCounts) order(shuffle func(n int, swap func(i, j int))) []int {
	ng := len(gc.counts)
	order := make([]int, ng)
	for g := range order {
		order[g] = g
	}
	if shuffle != nil {
		shuffle(ng, func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	spread := make([]float64, ng)
	for g, cs := range gc.counts {
		spread[g] = std(cs)
	}
	sort.SliceStable(order, func(a, b int) bool { return spread[order[a]] > spread[order[b]] })
	return order
}

// assign places each group, in order, in the fold that keeps the classes' shares of the folds
// most even (_find_best_fold), the smaller fold on a tie, and with as many groups left as
// empty folds, only in an empty fold. It returns each group's fold.
func (gc groupCounts) assign(order []int, k int) []int {
	nc, ng := len(gc.class), len(gc.counts)
	fc := make([][]float64, k) // fc[f][c]: rows of class c in fold f so far
	for f := range fc {
		fc[f] = make([]float64, nc)
	}
	size := make([]float64, k)
	empty := k
	foldOf := make([]int, ng)
	col := make([]float64, k)
	for placed, g := range order {
		onlyEmpty := ng-placed == empty
		best, minEval, minSize := -1, math.Inf(1), math.Inf(1)
		for i := range k {
			if onlyEmpty && size[i] > 0 {
				continue
			}
			eval := gc.foldEval(col, fc, g, i)
			if eval < minEval || isClose(eval, minEval) && size[i] < minSize {
				best, minEval, minSize = i, eval, size[i]
			}
		}
		if size[best] == 0 {
			empty--
		}
		for c, x := range gc.counts[g] {
			fc[best][c] += x
			size[best] += x
		}
		foldOf[g] = best
	}
	return foldOf
}

// foldEval is the mean over classes of the std over folds of each fold's share of the class,
// with group g in fold i (_find_best_fold's fold_eval); fc holds the folds so far, and col is
// scratch of one value per fold.
func (gc groupCounts) foldEval(col []float64, fc [][]float64, g, i int) float64 {
	nc := len(gc.class)
	var eval float64
	for c := range nc {
		for f := range fc {
			x := fc[f][c]
			if f == i {
				x += gc.counts[g][c]
			}
			col[f] = x / gc.class[c]
		}
		eval += std(col)
	}
	return eval / float64(nc)
}

// std is the population standard deviation of xs (numpy.std's default, ddof 0). MeanStd sums
// in order, divides, then does the same for the squared deviations, as numpy.std does along an
// axis shorter than 8, so that ties between folds break as they do in scikit-learn.
func std(xs []float64) float64 {
	_, sd := MeanStd(xs, 0)
	return sd
}

// isClose is numpy.isclose(a, b) with its defaults rtol=1e-05, atol=1e-08, under which an
// infinity is close only to itself.
func isClose(a, b float64) bool {
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= 1e-08+1e-05*math.Abs(b)
}

// shuffler draws the shuffles of Folds from a PCG stream; see Folds for why not rand.Shuffle.
type shuffler struct{ src *rand.PCG }

func newShuffler(seed int64) shuffler { return shuffler{rand.NewPCG(uint64(seed), 0)} }

// shuffle is a Fisher–Yates shuffle (Knuth, TAOCP vol. 2, Algorithm 3.4.2P).
func (s shuffler) shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, int(s.below(uint64(i)+1)))
	}
}

// below returns a uniform integer in [0,n), n > 0, by Lemire's method (see Folds).
func (s shuffler) below(n uint64) uint64 {
	hi, lo := bits.Mul64(s.src.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(s.src.Uint64(), n)
		}
	}
	return hi
}
