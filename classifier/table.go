package classifier

import (
	"math"
	"math/bits"
	"slices"

	"github.com/commentstance/stance/features"
	"github.com/commentstance/stance/models"
)

// A table is what scoring reads for a comment's n-grams, packed so that it stays in cache.
//
// Score weighs each n-gram by its IDF and then reads every head's weights for it and, for the
// heads that use them, for its copy conjoined with the article. Read from the extractor's IDF
// array and the heads' dense weight matrices, that is three or four cache misses per n-gram in
// some 30 MB, which made them most of the time of scoring. The table holds the same numbers in
// one row per feature that any comment can have (nonzero IDF): the IDF, then each head's
// weights; and one row per conjoined index where a conjoined head has a weight. The rows are
// packed and found by rank in a bitmap (one 64-bit word and a running count per 64 indices), so
// for a model of SemEval's size a table is about 2 MB. A model with heads that have models
// for unseen articles has a second table, of those models (Model.scoringTable), sharing the
// first one's index: a comment reads one of the two. The heads' weights of the relation
// features are a small block of their own, so that scoring needs nothing else (Model.ScoreOnly);
// a Scorer adds rows of its own for the articles it meets most (Scorer.fuse).
type table struct {
	base  rankSet   // indices [0, 2^bits) with nonzero IDF
	rows  []float32 // per base row: IDF, then each head's Classes weights, then padding
	ncol  int       // the sum of the heads' classes: the weights of a row
	width int       // a row's length: 1 + ncol, padded to a power of two up to 16 (no row spans two cache lines)
	nrows int       // len(rows) / width
	conj  rankSet   // indices [2^bits, 2^(bits+1)), less 2^bits, where a conjoined head has a weight
	crows []float32 // per conj row: each conjoined head's Classes weights
	cols  []int     // for each column of a conj row, its column in a base row's weights
	cw    float64   // the conjoined copies' weight
	lo    uint32    // 2^bits, the conjoined range's start
	offs  []int     // per head, where its model's classes start in a row's weights (rows[1+offs[h]])
	feat  []uint32  // per base row, its feature index
	// rel holds the heads' weights of the relation features, ncol per feature from relBase.
	rel     []float32
	relBase uint32
}

// rankSet is a set of indices below a fixed bound that finds each member's rank (how many
// members are below it) in constant time.
type rankSet []rankBlock

type rankBlock struct {
	bits uint64 // bit i: index 64*block+i is a member
	rank uint32 // members in the blocks before
}

func newRankSet(n int, member func(i int) bool) (rankSet, int) {
	s := make(rankSet, (n+63)/64)
	count := 0
	for b := range s {
		s[b].rank = uint32(count)
		for i := range 64 {
			if j := 64*b + i; j < n && member(j) {
				s[b].bits |= 1 << i
				count++
			}
		}
	}
	return s, count
}

// row returns 1 + i's rank if i is a member, and 0 if not: the row of i in a table whose row 0
// is all zeros. It has no branch, so that the processor can go on to the next lookups while
// this one waits for memory.
func (s rankSet) row(i uint32) int {
	b := s[i>>6]
	sh := i & 63
	present := int(b.bits >> sh & 1)
	return (int(b.rank) + bits.OnesCount64(b.bits&(1<<sh-1)) + 1) * present
}

// newTable packs ex's IDF and the weights of one model per head (the head's, or its model
// for unseen articles); plain[h] says model h is scored without conjoined copies. stored, if not nil, holds each model's
// weights as its file stores them, for models without W.
func newTable(ex *features.Extractor, heads []*models.Softmax, plain []bool, stored []*models.Stored) *table {
	lo, hi := ex.ConjoinRange()
	t := &table{lo: lo, cw: float64(ex.Config().ConjoinWeight), offs: make([]int, len(heads))}
	w := tableWeights{heads: heads, plain: plain, stored: stored}
	t.layOut(heads)
	t.packBase(ex, w)
	t.packRelation(hi, w)
	t.packConjoined(hi, w)
	return t
}

// tableWeights are the models a table packs, one per head, and where their weights are read.
type tableWeights struct {
	heads  []*models.Softmax
	plain  []bool           // plain[i]: model i is scored without conjoined copies
	stored []*models.Stored // nil, or each model's weights as its file stores them, for models without W
}

// at is model i's weight of feature f for class k.
func (w tableWeights) at(i, f, k int) float32 {
	h := w.heads[i]
	switch {
	case f >= h.Dim:
		return 0
	case w.stored == nil:
		return h.W[f*h.Classes+k]
	}
	if ws := w.stored[i].At(uint32(f)); ws != nil {
		return ws[k]
	}
	return 0
}

// layOut places each head's classes in a row's weights and sets the row width.
func (t *table) layOut(heads []*models.Softmax) {
	cols := 0
	for i, h := range heads {
		t.offs[i] = cols
		cols += h.Classes
	}
	t.ncol, t.width = cols, 1+cols
	if t.width <= 16 {
		t.width = 1 << bits.Len(uint(t.width-1))
	}
}

// packBase packs a row for each feature below t.lo with a nonzero IDF: the IDF, then every
// model's weights.
func (t *table) packBase(ex *features.Extractor, w tableWeights) {
	var n int
	t.base, n = newRankSet(int(t.lo), func(f int) bool { return ex.IDF(uint32(f)) != 0 })
	t.rows = make([]float32, t.width, (n+1)*t.width)
	t.feat = make([]uint32, 1, n+1)
	for f := range int(t.lo) {
		idf := ex.IDF(uint32(f))
		if idf == 0 {
			continue
		}
		t.rows = append(t.rows, idf)
		t.feat = append(t.feat, uint32(f))
		for i, h := range w.heads {
			for k := range h.Classes {
				t.rows = append(t.rows, w.at(i, f, k))
			}
		}
		for range t.width - 1 - t.ncol {
			t.rows = append(t.rows, 0)
		}
	}
	t.nrows = len(t.rows) / t.width
}

// packRelation packs the models' weights of the relation features, which start at hi.
func (t *table) packRelation(hi uint32, w tableWeights) {
	t.relBase = hi
	dim := 0
	for _, h := range w.heads {
		dim = max(dim, h.Dim)
	}
	for f := int(hi); f < dim; f++ {
		for i, h := range w.heads {
			for k := range h.Classes {
				t.rel = append(t.rel, w.at(i, f, k))
			}
		}
	}
}

// packConjoined packs a row for each conjoined index in [t.lo, hi) where a model that uses the
// conjoined copies has a weight; none when no model does.
func (t *table) packConjoined(hi uint32, w tableWeights) {
	lo := t.lo
	for i, h := range w.heads {
		if !w.plain[i] {
			for k := range h.Classes {
				t.cols = append(t.cols, t.offs[i]+k)
			}
		}
	}
	if len(t.cols) == 0 {
		return
	}
	has := func(g int) bool {
		for i, h := range w.heads {
			if w.plain[i] {
				continue
			}
			for k := range h.Classes {
				if w.at(i, int(lo)+g, k) != 0 {
					return true
				}
			}
		}
		return false
	}
	var n int
	t.conj, n = newRankSet(int(hi-lo), has)
	t.crows = make([]float32, len(t.cols), (n+1)*len(t.cols))
	for g := range int(hi - lo) {
		if t.conj.row(uint32(g)) == 0 {
			continue
		}
		for i, h := range w.heads {
			if !w.plain[i] {
				for k := range h.Classes {
					t.crows = append(t.crows, w.at(i, int(lo)+g, k))
				}
			}
		}
	}
}

// grams counts the distinct features of one block of a comment, in the order of their first
// occurrence. mark, one word per table row, says whether a row was met in this block and where
// its entry is: one load and a branch that is seldom taken, where a hash table probes. A mark
// holds the block's generation in its high 16 bits and the entry in its low 16, so the marks of
// a model of SemEval's size take 190 KB and share the cache with the rows; a block that could
// have more entries than that counts in a map instead (long).
type grams struct {
	mark []uint32 // per table row: gen<<16 | its entry in ents, if met in this block
	gen  uint32   // 1 to 2^16-1
	ents []gram
	long map[int32]int32 // row -> entry, for blocks of more than markLimit entries
	// limit, if not 0, stands for markLimit: a test sets it low to count short blocks in the map.
	limit int
}

// markLimit is the most entries a mark can name. A block's entries are its distinct rows, so
// only a model of more rows than this, on a long text, counts in the map.
const markLimit = 1 << 16

type gram struct {
	f     uint32 // feature index
	row   int32  // its row in the table
	crow  int32  // the row of its conjoined copy
	count uint32 // occurrences in the block
	idf   float32
}

// count returns the distinct rows of the features of raw, with their counts.
func (g *grams) count(t *table, raw []uint32) []gram {
	limit := markLimit
	if g.limit > 0 {
		limit = g.limit
	}
	if min(t.nrows, len(raw)) > limit {
		return g.countLong(t, raw)
	}
	if len(g.mark) < t.nrows {
		g.mark = make([]uint32, t.nrows)
	}
	g.gen++
	if g.gen == 1<<16 { // no mark may look current
		clear(g.mark)
		g.gen = 1
	}
	mark, gen, base := g.mark, g.gen, t.base
	ents := slices.Grow(g.ents[:0], len(raw))
	for _, f := range raw {
		r := base.row(f)
		if r == 0 {
			continue
		}
		if m := mark[r]; m>>16 == gen {
			ents[m&0xffff].count++
			continue
		}
		mark[r] = gen<<16 | uint32(len(ents))
		ents = append(ents, gram{f: f, row: int32(r), count: 1})
	}
	g.ents = ents
	return ents
}

func (g *grams) countLong(t *table, raw []uint32) []gram {
	g.ents = g.ents[:0]
	if g.long == nil {
		g.long = map[int32]int32{}
	}
	clear(g.long)
	for _, f := range raw {
		r := int32(t.base.row(f))
		if r == 0 {
			continue
		}
		if i, ok := g.long[r]; ok {
			g.ents[i].count++
			continue
		}
		g.long[r] = int32(len(g.ents))
		g.ents = append(g.ents, gram{f: f, row: r, count: 1})
	}
	return g.ents
}

// block adds to sums (one column per head's class, as a table row's weights) what one block of
// the comment's n-grams contributes: their TF-IDF weights, L2-normalised over the block, times
// the heads' weights plus, when conj is set, ConjoinWeight times the weights of their copies
// conjoined with the article of key. It computes what Extract and Softmax.Probs do, in another
// order. fused, if not nil, is the table's rows with those weights already added for this
// article (Scorer.fuse): the same numbers, to the bit, without looking up the copies.
func (s *Scorer) block(t *table, sums []float64, raw []uint32, key uint64, conj bool, fused []float32) {
	ents := s.grams.count(t, raw)
	part := s.part[:t.ncol]
	clear(part)
	rows := t.rows
	if fused != nil {
		rows, conj = fused, false
	}
	if conj {
		// First every copy's row, then the sums: lookups that do not wait on each other.
		for i := range ents {
			e := &ents[i]
			e.crow = int32(t.conj.row(s.w.Conjoined(key, e.f) - t.lo))
		}
	}
	// A first pass reads each row's IDF and nothing else: little work per row, so the
	// processor has many rows' cache misses in flight at once, and the second pass finds the
	// rows in cache.
	for i := range ents {
		e := &ents[i]
		e.idf = rows[int(e.row)*t.width]
	}
	var norm float64
	if t.width == 8 {
		norm = s.dot8(t, part, rows, ents, conj)
	} else {
		norm = s.dot(t, part, rows, ents, conj)
	}
	if norm == 0 {
		return
	}
	inv := 1 / math.Sqrt(norm)
	for j, p := range part {
		sums[j] += p * inv
	}
}

// dot adds to part the weights of each entry's row (rows, and the conjoined copy's if conj),
// times its TF-IDF weight, and returns the sum of those weights' squares.
func (s *Scorer) dot(t *table, part []float64, rows []float32, ents []gram, conj bool) (norm float64) {
	w := s.weights[:t.ncol]
	for _, e := range ents {
		row := rows[int(e.row)*t.width : (int(e.row)+1)*t.width]
		v := float64(features.TFOfCount(e.count) * e.idf)
		norm += v * v
		ws := row[1 : 1+t.ncol]
		if conj {
			copy(w, ws)
			t.addConjoined(w, int(e.crow))
			ws = w
		}
		for j, x := range ws {
			part[j] += v * float64(x)
		}
	}
	return norm
}

// dot8 is dot for rows of width 8 (such as two heads of three classes), with the sums in
// registers: in part, each row's additions waited on the previous row's stores. The columns
// past ncol are zero in every row and add nothing.
func (s *Scorer) dot8(t *table, part []float64, rows []float32, ents []gram, conj bool) (norm float64) {
	var p0, p1, p2, p3, p4, p5, p6 float64
	var w [8]float32
	for _, e := range ents {
		row := (*[8]float32)(rows[int(e.row)*8:])
		v := float64(features.TFOfCount(e.count) * e.idf)
		norm += v * v
		if conj {
			w = *row
			t.addConjoined(w[1:1+t.ncol], int(e.crow))
			row = &w
		}
		p0 += v * float64(row[1])
		p1 += v * float64(row[2])
		p2 += v * float64(row[3])
		p3 += v * float64(row[4])
		p4 += v * float64(row[5])
		p5 += v * float64(row[6])
		p6 += v * float64(row[7])
	}
	sum := [7]float64{p0, p1, p2, p3, p4, p5, p6}
	copy(part, sum[:])
	return norm
}

// addConjoined adds ConjoinWeight times the weights of conj row r to a base row's weights w, in
// float32 as fuse stores them.
func (t *table) addConjoined(w []float32, r int) {
	crow := t.crows[r*len(t.cols) : (r+1)*len(t.cols)]
	for k, c := range t.cols {
		w[c] = float32(float64(w[c]) + t.cw*float64(crow[k]))
	}
}

// fuse returns the table's rows for comments on the article of key: each row's weights plus
// ConjoinWeight times those of its copy conjoined with the article, as block adds them.
func (s *Scorer) fuse(t *table, key uint64) []float32 {
	out := slices.Clone(t.rows)
	for r := 1; r < len(t.feat); r++ {
		cr := t.conj.row(s.w.Conjoined(key, t.feat[r]) - t.lo)
		t.addConjoined(out[r*t.width+1:r*t.width+1+t.ncol], cr)
	}
	return out
}
