package classifier

import (
	"math"
	"math/bits"

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
// for a model of SemEval's size the whole is about 5 MB.
type table struct {
	base   rankSet   // indices [0, 2^bits) with nonzero IDF
	rows   []float32 // per base row: IDF, then each head's Classes weights
	width  int       // 1 + the sum of the heads' classes
	stride int
	conj   rankSet   // indices [2^bits, 2^(bits+1)), less 2^bits, where a conjoined head has a weight
	crows  []float32 // per conj row: each conjoined head's Classes weights
	cols   []int     // for each column of a conj row, its column in a base row's weights
	cw     float64   // the conjoined copies' weight
	lo     uint32    // 2^bits, the conjoined range's start
	offs   []int     // per head, where its classes start in a row's weights (rows[1+offs[h]])
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
	t.width = 1 + cols
	t.stride = t.width
	var n int
	t.base, n = newRankSet(int(lo), func(f int) bool { return m.Extractor.IDF(uint32(f)) != 0 })
	t.rows = make([]float32, t.width, (n+1)*t.width)
	for f := range int(lo) {
		idf := m.Extractor.IDF(uint32(f))
		if idf == 0 {
			continue
		}
		t.rows = append(t.rows, idf)
		for _, h := range m.Heads {
			for k := range h.Model.Classes {
				t.rows = append(t.rows, weight(h, f, k))
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
		if !has(g) {
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
// occurrence: a small open-addressing hash table over the feature indices, which are already
// hashed.
type grams struct {
	slot []int32 // 1 + the entry of the feature hashed here; 0: empty
	ents []gram
}

type gram struct {
	f     uint32  // feature index
	row   int32   // its row in the table
	crow  int32   // the row of its conjoined copy
	count float32 // occurrences in the block
	slot  int32
}

func (g *grams) reset(n int) {
	for _, e := range g.ents {
		g.slot[e.slot] = 0
	}
	g.ents = g.ents[:0]
	if need := max(256, 1<<bits.Len(uint(2*n))); len(g.slot) < need {
		g.slot = make([]int32, need)
	}
}

func (g *grams) add(f uint32, row int) {
	mask := uint32(len(g.slot) - 1)
	for p := f & mask; ; p = (p + 1) & mask {
		e := g.slot[p]
		if e == 0 {
			g.ents = append(g.ents, gram{f: f, row: int32(row), count: 1, slot: int32(p)})
			g.slot[p] = int32(len(g.ents))
			return
		}
		if g.ents[e-1].f == f {
			g.ents[e-1].count++
			return
		}
	}
}

// block adds to sums (one column per head's class, as a table row's weights) what one block of
// the comment's n-grams contributes: their TF-IDF weights, L2-normalised over the block, times
// the heads' weights, and times the weights of their copies conjoined with the article of key
// when conj is set. It computes what Extract and Softmax.Probs do, in another order.
func (s *Scorer) block(sums []float64, raw []uint32, key uint64, conj bool) {
	t := s.t
	g := &s.grams
	g.reset(len(raw))
	for _, f := range raw {
		if r := t.base.row(f); r != 0 {
			g.add(f, r)
		}
	}
	part := s.part[:t.width-1]
	clear(part)
	cpart := s.cpart[:len(t.cols)]
	clear(cpart)
	if conj {
		// First every copy's row, then the sums: lookups that do not wait on each other.
		for i := range g.ents {
			e := &g.ents[i]
			e.crow = int32(t.conj.row(s.w.Conjoined(key, e.f) - t.lo))
		}
	}
	var norm float64
	for _, e := range g.ents {
		row := t.rows[int(e.row)*t.width : (int(e.row)+1)*t.width]
		v := float64(features.TF(e.count) * row[0])
		norm += v * v
		for j, w := range row[1:] {
			part[j] += v * float64(w)
		}
		if conj {
			r := int(e.crow)
			crow := t.crows[r*len(t.cols) : (r+1)*len(t.cols)]
			for j, w := range crow {
				cpart[j] += v * float64(w)
			}
		}
	}
	if norm == 0 {
		return
	}
	inv := 1 / math.Sqrt(norm)
	for j, p := range part {
		sums[j] += p * inv
	}
	for j, p := range cpart {
		sums[t.cols[j]] += p * inv * t.cw
	}
}
