package models

import (
	"fmt"
	"math"

	"github.com/commentstance/stance/sparse"
)

// Shared holds feature vectors that many rows have in common, such as the words of an article
// that many comments answer: with Of set, row i of the training data stands for
// x[i] + Vectors[Of[i]], or x[i] alone where Of[i] < 0. TrainShared fits the model that Train
// fits on those sums, while it scores each shared vector, and gathers its gradient, once per
// evaluation of the objective instead of once per row, and keeps it in memory once.
type Shared struct {
	Vectors []sparse.Vector
	Of      []int // one per row; nil when no row has a shared part
}

// sharedCSR is Shared over compacted columns, in compressed sparse row form.
type sharedCSR struct {
	of  []int32 // per training row: its shared vector, or -1
	ptr []int   // len(vectors)+1
	col []uint32
	val []float32
}

// check validates sh against the rows x and a feature space of size dim, naming the shared
// vector or row at fault.
func (sh Shared) check(rows, dim int) error {
	if sh.Of == nil {
		return nil
	}
	if len(sh.Of) != rows {
		return fmt.Errorf("models: Shared.Of has %d entries for %d rows", len(sh.Of), rows)
	}
	for i, s := range sh.Of {
		if s >= len(sh.Vectors) || s > math.MaxInt32 {
			return fmt.Errorf("models: row %d: shared vector %d of %d", i, s, len(sh.Vectors))
		}
	}
	for s, v := range sh.Vectors {
		if err := checkVector(v, dim); err != nil {
			return fmt.Errorf("models: shared vector %d: %w", s, err)
		}
	}
	return nil
}

// checkVector validates one feature vector over a feature space of size dim.
func checkVector(v sparse.Vector, dim int) error {
	if len(v.Idx) != len(v.Val) {
		return fmt.Errorf("%d indices but %d values", len(v.Idx), len(v.Val))
	}
	for e, f := range v.Idx {
		if uint64(f) >= uint64(dim) {
			return fmt.Errorf("feature index %d >= dim %d", f, dim)
		}
		if val := v.Val[e]; math.IsNaN(float64(val)) || math.IsInf(float64(val), 0) {
			return fmt.Errorf("feature %d has value %v, want a finite number", f, val)
		}
	}
	return nil
}

// setShared adds the shared vectors to the objective: per evaluation, each one's scores (no
// bias) are computed once and added to its rows' scores, and its rows' residuals are summed
// once (in ascending row order) and gathered through its columns.
func (o *objective) setShared(sh *sharedCSR) {
	k, nsh := o.k, len(sh.ptr)-1
	o.sh = sh
	// Per shared vector, its rows in ascending order; and the shared vectors by column, each
	// column in ascending vector order.
	o.shRowPtr = make([]int, nsh+1)
	for _, s := range sh.of {
		if s >= 0 {
			o.shRowPtr[s+1]++
		}
	}
	for s := range nsh {
		o.shRowPtr[s+1] += o.shRowPtr[s]
	}
	o.shRows = make([]uint32, o.shRowPtr[nsh])
	next := append([]int(nil), o.shRowPtr[:nsh]...)
	for i, s := range sh.of {
		if s >= 0 {
			o.shRows[next[s]] = uint32(i)
			next[s]++
		}
	}
	o.scolPtr, o.scolVec, o.scolVal = transpose(sh.ptr, sh.col, sh.val, o.ncols)
	// Column blocks of about equal cost over both parts.
	both := make([]int, o.ncols+1)
	for c := range both {
		both[c] = o.colPtr[c] + o.scolPtr[c]
	}
	o.colBounds = blockBounds(both, numBlocks)
	o.shBounds = blockBounds(sh.ptr, numBlocks)
	o.shScores = make([]float64, nsh*k)
	o.shResid = make([]float64, nsh*k)
	o.zero = make([]float64, k)
	o.gshared = make([]float64, numBlocks*k)
}

// sharedScores sets the scores (without bias) of the shared vectors in block b.
func (o *objective) sharedScores(b int, theta []float64) {
	k, sh := o.k, o.sh
	w := theta[:o.ncols*k]
	for s := o.shBounds[b]; s < o.shBounds[b+1]; s++ {
		scoreRow(o.shScores[s*k:(s+1)*k], o.zero, w, sh.col[sh.ptr[s]:sh.ptr[s+1]], sh.val[sh.ptr[s]:sh.ptr[s+1]])
	}
}

// sharedResid sums, for each shared vector in block b, the residuals of its rows.
func (o *objective) sharedResid(b int) {
	k := o.k
	for s := o.shBounds[b]; s < o.shBounds[b+1]; s++ {
		r := o.shResid[s*k : (s+1)*k]
		clear(r)
		for _, i := range o.shRows[o.shRowPtr[s]:o.shRowPtr[s+1]] {
			for j, v := range o.resid[int(i)*k : int(i)*k+k] {
				r[j] += v
			}
		}
	}
}
