package classifier

import (
	"math"
	"math/bits"
	"slices"

	"github.com/commentstance/stance/features"
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
// for a model of SemEval's size the whole is about 3 MB. The heads' weights of the relation
// features are a small block of their own, so that scoring needs nothing else (Model.ScoreOnly);
// a Scorer adds rows of its own for the articles it meets most (Scorer.fuse).
type table struct {
	base  rankSet   // indices [0, 2^bits) with nonzero IDF
	rows  []float32 // per base row: IDF, then each head's Classes weights, then padding
	ncol  int       // the sum of the heads' classes: the weights of a row
	width int       // a row's length: 1 + ncol, padded to a power of two up to 16 (no row spans two cache lines)
	conj  rankSet   // indices [2^bits, 2^(bits+1)), less 2^bits, where a conjoined head has a weight
	crows []float32 // per conj row: each conjoined head's Classes weights
	cols  []int     // for each column of a conj row, its column in a base row's weights
	cw    float64   // the conjoined copies' weight
	lo    uint32    // 2^bits, the conjoined range's start
	offs  []int     // per head, where its classes start in a row's weights (rows[1+offs[h]])
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

// newTable packs m's IDF and weights; plain[h] says head h is scored without conjoined copies.
func newTable(m *Model, plain []bool) *table {
	lo, hi := m.Extractor.ConjoinRange()
	t := &table{lo: lo, cw: float64(m.Extractor.Config().ConjoinWeight), offs: make([]int, len(m.Heads))}
	weight := func(h Head, f, k int) float32 {
		if f >= h.Model.Dim {
			return 0
		}
		return h.Model.W[f*h.Model.Classes+k]
	}
	cols := 0
	for i, h := range m.Heads {
		t.offs[i] = cols
		cols += h.Model.Classes
	}
	t.ncol, t.width = cols, 1+cols
	if t.width <= 16 {
		t.width = 1 << bits.Len(uint(t.width-1))
	}
	var n int
	t.base, n = newRankSet(int(lo), func(f int) bool { return m.Extractor.IDF(uint32(f)) != 0 })
	t.rows = make([]float32, t.width, (n+1)*t.width)
	t.feat = make([]uint32, 1, n+1)
	for f := range int(lo) {
		idf := m.Extractor.IDF(uint32(f))
		if idf == 0 {
			continue
		}
		t.rows = append(t.rows, idf)
		t.feat = append(t.feat, uint32(f))
		for _, h := range m.Heads {
			for k := range h.Model.Classes {
				t.rows = append(t.rows, weight(h, f, k))
			}
		}
		for range t.width - 1 - t.ncol {
			t.rows = append(t.rows, 0)
		}
	}
	t.relBase = hi
	dim := 0
	for _, h := range m.Heads {
		dim = max(dim, h.Model.Dim)
	}
	for f := int(hi); f < dim; f++ {
		for _, h := range m.Heads {
			for k := range h.Model.Classes {
				t.rel = append(t.rel, weight(h, f, k))
			}
		}
	}
	for i, h := range m.Heads {
		if !plain[i] {
			for k := range h.Model.Classes {
				t.cols = append(t.cols, t.offs[i]+k)
			}
		}
	}
	if len(t.cols) == 0 {
		return t
	}
	has := func(g int) bool {
		for i, h := range m.Heads {
			if plain[i] {
				continue
			}
			for k := range h.Model.Classes {
				if weight(h, int(lo)+g, k) != 0 {
					return true
				}
			}
		}
		return false
	}
	t.conj, n = newRankSet(int(hi-lo), has)
	t.crows = make([]float32, len(t.cols), (n+1)*len(t.cols))
	for g := range int(hi - lo) {
		if t.conj.row(uint32(g)) == 0 {
			continue
		}
		for i, h := range m.Heads {
			if !plain[i] {
				for k := range h.Model.Classes {
					t.crows = append(t.crows, weight(h, int(lo)+g, k))
				}
			}
		}
	}
	return t
}

// grams counts the distinct features of one block of a comment, in the order of their first
// occurrence. mark, one word per table row, says whether a row was met in this block and where
// its entry is: one load and a branch that is seldom taken, where a hash table probes.
type grams struct {
	mark []uint64 // per table row: gen<<32 | its entry in ents, if met in this block
	gen  uint32
	ents []gram
}

type gram struct {
	f     uint32  // feature index
	row   int32   // its row in the table
	crow  int32   // the row of its conjoined copy
	count float32 // occurrences in the block
	idf   float32
}

func (g *grams) reset(rows int) {
	g.ents = g.ents[:0]
	if len(g.mark) < rows {
		g.mark = make([]uint64, rows)
	}
	g.gen++
	if g.gen == 0 { // after 2^32 blocks: no mark may look current
		clear(g.mark)
		g.gen = 1
	}
}

func (g *grams) add(f uint32, row int) {
	m := g.mark[row]
	if uint32(m>>32) == g.gen {
		g.ents[uint32(m)].count++
		return
	}
	g.mark[row] = uint64(g.gen)<<32 | uint64(len(g.ents))
	g.ents = append(g.ents, gram{f: f, row: int32(row), count: 1})
}

// block adds to sums (one column per head's class, as a table row's weights) what one block of
// the comment's n-grams contributes: their TF-IDF weights, L2-normalised over the block, times
// the heads' weights plus, when conj is set, ConjoinWeight times the weights of their copies
// conjoined with the article of key. It computes what Extract and Softmax.Probs do, in another
// order. fused, if not nil, is the table's rows with those weights already added for this
// article (Scorer.fuse): the same numbers, to the bit, without looking up the copies.
func (s *Scorer) block(sums []float64, raw []uint32, key uint64, conj bool, fused []float32) {
	t := s.t
	g := &s.grams
	g.reset(len(t.rows) / t.width)
	for _, f := range raw {
		if r := t.base.row(f); r != 0 {
			g.add(f, r)
		}
	}
	part := s.part[:t.ncol]
	clear(part)
	rows := t.rows
	if fused != nil {
		rows, conj = fused, false
	}
	if conj {
		// First every copy's row, then the sums: lookups that do not wait on each other.
		for i := range g.ents {
			e := &g.ents[i]
			e.crow = int32(t.conj.row(s.w.Conjoined(key, e.f) - t.lo))
		}
	}
	// A first pass reads each row's IDF and nothing else: little work per row, so the
	// processor has many rows' cache misses in flight at once, and the second pass finds the
	// rows in cache.
	for i := range g.ents {
		e := &g.ents[i]
		e.idf = rows[int(e.row)*t.width]
	}
	w := s.weights[:t.ncol]
	var norm float64
	for _, e := range g.ents {
		row := rows[int(e.row)*t.width : (int(e.row)+1)*t.width]
		v := float64(features.TF(e.count) * e.idf)
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
	if norm == 0 {
		return
	}
	inv := 1 / math.Sqrt(norm)
	for j, p := range part {
		sums[j] += p * inv
	}
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
func (s *Scorer) fuse(key uint64) []float32 {
	t := s.t
	out := slices.Clone(t.rows)
	for r := 1; r < len(t.feat); r++ {
		cr := t.conj.row(s.w.Conjoined(key, t.feat[r]) - t.lo)
		t.addConjoined(out[r*t.width+1:r*t.width+1+t.ncol], cr)
	}
	return out
}
