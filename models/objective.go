package models

import (
	"math"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/floats"
)

// numBlocks is the fixed number of row blocks (and of column blocks) the objective is split into
// for parallel evaluation. Partial sums are kept per block and added in block order, so the
// objective and its gradient are bit-identical for any number of goroutines. 64 blocks keep a
// machine with up to a few dozen cores busy while the per-block partials stay negligible.
const numBlocks = 64

// objective is the training objective of Train over compacted columns:
//
//	F(W, b) = C * sum_i s_i * CE_i(W, b) + 0.5 * sum_c pen_c ||W[c]||^2,
//	CE_i    = logsumexp_k(z_ik) - z_{i,y_i},  z_ik = b_k + sum_c x_ic W[c][k],
//
// with parameters theta = [W (ncols*k, column-major by feature) | b (k)] and pen_c = 1 unless
// TrainConfig.Penalty says otherwise. Its gradient is
//
//	dF/dW[c][k] = sum_i x_ic r_ik + pen_c W[c][k],  dF/db_k = sum_i r_ik,
//	r_ik        = C * s_i * (p_ik - [k == y_i]).
//
// The data is held twice, by row (for the scores z) and by column (for X^T r), so each gradient
// entry is one sequential sum owned by one goroutine.
type objective struct {
	k     int       // classes
	ncols int       // compacted feature columns
	c     float64   // TrainConfig.C
	y     []int     // labels, len n
	s     []float64 // sample weights, len n
	pen   []float64 // per column, its L2 penalty's scale (TrainConfig.Penalty); nil: all 1

	rowPtr []int // len n+1
	rowCol []uint32
	rowVal []float32
	colPtr []int // len ncols+1
	colRow []uint32
	colVal []float32

	rowBounds []int // block boundaries over rows
	colBounds []int // block boundaries over columns

	workers int

	// Shared vectors (TrainShared); sh is nil without them.
	sh       *sharedCSR
	shRowPtr []int    // per shared vector, its rows: shRows[shRowPtr[s]:shRowPtr[s+1]]
	shRows   []uint32 // ascending within each vector
	scolPtr  []int    // the shared vectors by column, as colPtr/colRow/colVal
	scolVec  []uint32
	scolVal  []float32
	shBounds []int     // block boundaries over shared vectors
	shScores []float64 // per shared vector * k, its scores without bias
	shResid  []float64 // per shared vector * k, the sum of its rows' residuals
	zero     []float64 // k zeros: the bias of a shared vector's scores
	gshared  []float64 // per column block * k: scratch for a column's shared gradient

	// Scratch, overwritten by every evaluation.
	resid     []float64 // n*k residuals r_ik
	scores    []float64 // numBlocks*k, one score vector per row block
	blockLoss []float64 // per row block: sum_i s_i CE_i
	blockBias []float64 // per row block * k: sum_i r_ik
	blockSq   []float64 // per column block: sum of W^2
}

func newObjective(k, ncols int, c float64, y []int, s []float64, rowPtr []int, rowCol []uint32, rowVal []float32, workers int) *objective {
	o := &objective{
		k: k, ncols: ncols, c: c, y: y, s: s,
		rowPtr: rowPtr, rowCol: rowCol, rowVal: rowVal,
		workers: workers,
	}
	n := len(y)

	o.colPtr, o.colRow, o.colVal = transpose(rowPtr, rowCol, rowVal, ncols)

	o.rowBounds = blockBounds(rowPtr, numBlocks)
	o.colBounds = blockBounds(o.colPtr, numBlocks)
	o.resid = make([]float64, n*k)
	o.scores = make([]float64, numBlocks*k)
	o.blockLoss = make([]float64, numBlocks)
	o.blockBias = make([]float64, numBlocks*k)
	o.blockSq = make([]float64, numBlocks)
	return o
}

// transpose turns a compressed sparse row matrix (row i owns entries ptr[i]..ptr[i+1] of col
// and val) over ncols columns into compressed sparse columns: column c owns entries
// colPtr[c]..colPtr[c+1] of colRow (the row) and colVal. Filling rows in ascending order leaves
// each column's entries in ascending row order, which fixes the summation order of X^T r.
func transpose(ptr []int, col []uint32, val []float32, ncols int) (colPtr []int, colRow []uint32, colVal []float32) {
	colPtr = make([]int, ncols+1)
	for _, c := range col {
		colPtr[c+1]++
	}
	for c := range ncols {
		colPtr[c+1] += colPtr[c]
	}
	colRow = make([]uint32, len(col))
	colVal = make([]float32, len(col))
	next := append([]int(nil), colPtr[:ncols]...)
	for i := range len(ptr) - 1 {
		for e := ptr[i]; e < ptr[i+1]; e++ {
			c := col[e]
			colRow[next[c]] = uint32(i)
			colVal[next[c]] = val[e]
			next[c]++
		}
	}
	return colPtr, colRow, colVal
}

// blockBounds splits the len(ptr)-1 items of a compressed sparse index (item i owns entries
// ptr[i]..ptr[i+1]) into at most nb contiguous blocks of about equal cost, counting one unit per
// entry and one per item. It depends only on the data, never on the number of workers.
func blockBounds(ptr []int, nb int) []int {
	n := len(ptr) - 1
	bounds := []int{0}
	if n == 0 {
		return bounds
	}
	total := ptr[n] + n
	i := 0
	for b := 1; b < nb; b++ {
		target := total / nb * b
		target += total % nb * b / nb
		for i < n && ptr[i]+i < target {
			i++
		}
		if i > bounds[len(bounds)-1] && i < n {
			bounds = append(bounds, i)
		}
	}
	return append(bounds, n)
}

// params is the number of parameters: one weight per (column, class) and one bias per class.
func (o *objective) params() int { return (o.ncols + 1) * o.k }

// eval returns F(theta) and writes its gradient into grad.
func (o *objective) eval(grad, theta []float64) float64 {
	k := o.k
	nrb := len(o.rowBounds) - 1
	if o.sh != nil {
		o.parallel(len(o.shBounds)-1, func(b int) { o.sharedScores(b, theta) })
	}
	o.parallel(nrb, func(b int) { o.rowBlock(b, theta) })
	if o.sh != nil {
		o.parallel(len(o.shBounds)-1, o.sharedResid)
	}
	ncb := len(o.colBounds) - 1
	o.parallel(ncb, func(b int) { o.colBlock(b, theta, grad) })

	var loss, sq float64
	for b := range nrb {
		loss += o.blockLoss[b]
	}
	for b := range ncb {
		sq += o.blockSq[b]
	}
	gb := grad[o.ncols*k:]
	clear(gb)
	for b := range nrb {
		floats.Add(gb, o.blockBias[b*k:(b+1)*k])
	}
	return o.c*loss + 0.5*sq
}

// parallel runs fn(0..nb-1) on up to o.workers goroutines. Each block writes only its own
// outputs, so the assignment of blocks to goroutines does not affect the result.
func (o *objective) parallel(nb int, fn func(b int)) {
	w := min(o.workers, nb)
	if w <= 1 {
		for b := range nb {
			fn(b)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Go(func() {
			for {
				b := int(next.Add(1) - 1)
				if b >= nb {
					return
				}
				fn(b)
			}
		})
	}
	wg.Wait()
}

// rowBlock computes the residuals r_ik, the weighted cross-entropy and the bias gradient of the
// rows in block b.
func (o *objective) rowBlock(b int, theta []float64) {
	k := o.k
	w := theta[:o.ncols*k]
	bias := theta[o.ncols*k:]
	z := o.scores[b*k : (b+1)*k]
	bb := o.blockBias[b*k : (b+1)*k]
	clear(bb)
	var loss float64
	for i := o.rowBounds[b]; i < o.rowBounds[b+1]; i++ {
		r := o.resid[i*k : (i+1)*k]
		si := o.s[i]
		if si == 0 {
			clear(r)
			continue
		}
		scoreRow(z, bias, w, o.rowCol[o.rowPtr[i]:o.rowPtr[i+1]], o.rowVal[o.rowPtr[i]:o.rowPtr[i+1]])
		if o.sh != nil {
			if sv := o.sh.of[i]; sv >= 0 {
				for j, v := range o.shScores[int(sv)*k : int(sv)*k+k] {
					z[j] += v
				}
			}
		}

		// Stable log-sum-exp: shift by the largest score. The residual of the true class and
		// its cross-entropy are computed from the other classes' mass rather than as p_y - 1
		// and log(sum) - z_y, which lose all precision when p_y is close to 1.
		yi := o.y[i]
		m := math.Inf(-1)
		for _, v := range z {
			m = max(m, v)
		}
		var sum, others float64
		for j, v := range z {
			e := math.Exp(v - m)
			r[j] = e
			sum += e
			if j != yi {
				others += e
			}
		}
		var ce float64
		if z[yi] == m {
			ce = math.Log1p(others) // r[yi] == 1
		} else {
			ce = m - z[yi] + math.Log(sum)
		}
		loss += si * ce
		cs := o.c * si
		for j := range r {
			r[j] = cs * (r[j] / sum)
		}
		r[yi] = -cs * (others / sum)
		for j := range bb {
			bb[j] += r[j]
		}
	}
	o.blockLoss[b] = loss
}

// colBlock writes the weight gradient of the columns in block b and their sum of squares.
func (o *objective) colBlock(b int, theta, grad []float64) {
	k := o.k
	var sq float64
	for c := o.colBounds[b]; c < o.colBounds[b+1]; c++ {
		g := grad[c*k : (c+1)*k]
		gatherColumn(g, o.resid, o.colRow[o.colPtr[c]:o.colPtr[c+1]], o.colVal[o.colPtr[c]:o.colPtr[c+1]])
		if o.sh != nil && o.scolPtr[c] < o.scolPtr[c+1] {
			gs := o.gshared[b*k : (b+1)*k]
			gatherColumn(gs, o.shResid, o.scolVec[o.scolPtr[c]:o.scolPtr[c+1]], o.scolVal[o.scolPtr[c]:o.scolPtr[c+1]])
			for j, v := range gs {
				g[j] += v
			}
		}
		w := theta[c*k : (c+1)*k]
		if o.pen != nil {
			p := o.pen[c]
			for j, wj := range w {
				g[j] += p * wj
				sq += p * wj * wj
			}
			continue
		}
		for j, wj := range w {
			g[j] += wj
			sq += wj * wj
		}
	}
	o.blockSq[b] = sq
}

// scoreRow sets z = bias + sum_e val[e] * w[col[e]][.], the class scores of one row. The
// common class counts have their own loops with the accumulators in registers; the general loop
// would store and reload z[j] for every feature. Each z[j] is summed in the same order either way.
func scoreRow(z, bias, w []float64, col []uint32, val []float32) {
	switch len(z) {
	case 2:
		z0, z1 := bias[0], bias[1]
		for e, c := range col {
			v, wc := float64(val[e]), w[2*int(c):2*int(c)+2]
			z0 += v * wc[0]
			z1 += v * wc[1]
		}
		z[0], z[1] = z0, z1
	case 3:
		z0, z1, z2 := bias[0], bias[1], bias[2]
		for e, c := range col {
			v, wc := float64(val[e]), w[3*int(c):3*int(c)+3]
			z0 += v * wc[0]
			z1 += v * wc[1]
			z2 += v * wc[2]
		}
		z[0], z[1], z[2] = z0, z1, z2
	case 4:
		z0, z1, z2, z3 := bias[0], bias[1], bias[2], bias[3]
		for e, c := range col {
			v, wc := float64(val[e]), w[4*int(c):4*int(c)+4]
			z0 += v * wc[0]
			z1 += v * wc[1]
			z2 += v * wc[2]
			z3 += v * wc[3]
		}
		z[0], z[1], z[2], z[3] = z0, z1, z2, z3
	default:
		k := len(z)
		copy(z, bias)
		for e, c := range col {
			v, wc := float64(val[e]), w[k*int(c):k*int(c)+k]
			for j := range z {
				z[j] += v * wc[j]
			}
		}
	}
}

// gatherColumn sets g = sum_e val[e] * resid[row[e]][.], the data part of one column's
// gradient, specialised like scoreRow.
func gatherColumn(g, resid []float64, row []uint32, val []float32) {
	switch len(g) {
	case 2:
		var g0, g1 float64
		for e, i := range row {
			v, r := float64(val[e]), resid[2*int(i):2*int(i)+2]
			g0 += v * r[0]
			g1 += v * r[1]
		}
		g[0], g[1] = g0, g1
	case 3:
		var g0, g1, g2 float64
		for e, i := range row {
			v, r := float64(val[e]), resid[3*int(i):3*int(i)+3]
			g0 += v * r[0]
			g1 += v * r[1]
			g2 += v * r[2]
		}
		g[0], g[1], g[2] = g0, g1, g2
	case 4:
		var g0, g1, g2, g3 float64
		for e, i := range row {
			v, r := float64(val[e]), resid[4*int(i):4*int(i)+4]
			g0 += v * r[0]
			g1 += v * r[1]
			g2 += v * r[2]
			g3 += v * r[3]
		}
		g[0], g[1], g[2], g[3] = g0, g1, g2, g3
	default:
		k := len(g)
		clear(g)
		for e, i := range row {
			v, r := float64(val[e]), resid[k*int(i):k*int(i)+k]
			for j := range g {
				g[j] += v * r[j]
			}
		}
	}
}

// cachedObjective remembers the last point evaluated. gonum's optimize asks for the function
// value and the gradient at the same point in two calls (Problem.Func, then Problem.Grad), while
// one pass over the data yields both.
type cachedObjective struct {
	o     *objective
	x     []float64
	grad  []float64
	f     float64
	valid bool
}

func (c *cachedObjective) at(x []float64) {
	if c.valid && floats.Equal(c.x, x) {
		return
	}
	copy(c.x, x)
	c.f = c.o.eval(c.grad, x)
	c.valid = true
}

func (c *cachedObjective) Func(x []float64) float64 {
	c.at(x)
	return c.f
}

func (c *cachedObjective) Grad(grad, x []float64) {
	c.at(x)
	copy(grad, c.grad)
}
