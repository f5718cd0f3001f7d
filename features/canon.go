package features

import (
	"math"
	"math/bits"
	"slices"

	"github.com/commentstance/stance/sparse"
)

// Sorting is most of the cost of Extract once tokenizing is fast: sparse.Vector.Canon sorts
// through sort.Interface, one call per comparison and per swap. The vectors are sorted here
// instead, by bucket sort, to the same result.

// sorter sorts hashed indices; it holds the scratch memory of its sort method.
type sorter[T uint32 | uint64] struct {
	tmp   []T
	count []int32
}

// sort sorts a in ascending order. Its elements are hashed indices, uniformly spread, in the top
// bits from bit shift up; the bits below do not matter to the caller. Bucket sort (Knuth TAOCP
// vol. 3, 5.2.5; Cormen et al., "Introduction to Algorithms", 8.4) puts each element in one of
// about len(a) buckets by its top bits, in one pass, and sorts the buckets, which hold one or two
// elements each on average, by insertion. A bucket that holds many more, as a word repeated a
// hundred times makes, is sorted by slices.Sort, so that the worst case stays O(n log n).
func (s *sorter[T]) sort(a []T, shift uint) {
	n := len(a)
	if n < 64 {
		slices.Sort(a)
		return
	}
	lo, hi := a[0]>>shift, a[0]>>shift
	for _, x := range a {
		lo, hi = min(lo, x>>shift), max(hi, x>>shift)
	}
	// Buckets are (key-lo) >> sh, at most 2^(bits.Len(n)-1) of them.
	sh := uint(max(0, bits.Len64(uint64(hi-lo))-(bits.Len(uint(n))-1)))
	nb := int(uint64(hi-lo)>>sh) + 1
	if cap(s.count) < nb+1 {
		s.count = make([]int32, nb+1)
	}
	c := s.count[:nb+1]
	clear(c)
	for _, x := range a {
		c[(x>>shift-lo)>>sh+1]++
	}
	for b := 1; b <= nb; b++ {
		c[b] += c[b-1]
	}
	if cap(s.tmp) < n {
		s.tmp = make([]T, n)
	}
	t := s.tmp[:n]
	for _, x := range a {
		b := (x>>shift - lo) >> sh
		t[c[b]] = x
		c[b]++
	}
	// Now c[b] is the end of bucket b.
	start := 0
	for _, end := range c[:nb] {
		if bucket := t[start:end]; len(bucket) > 16 {
			slices.Sort(bucket)
		} else {
			for i := 1; i < len(bucket); i++ {
				x, j := bucket[i], i
				for ; j > 0 && bucket[j-1] > x; j-- {
					bucket[j] = bucket[j-1]
				}
				bucket[j] = x
			}
		}
		start = int(end)
	}
	copy(a, t)
}

// countSorted sets b to the distinct values of sorted keys, each with the number of times it
// occurs, counted as Canon sums the 1s of b.Add(k, 1) for each key.
func countSorted(b *sparse.Vector, keys []uint32) {
	b.Reset()
	for i := 0; i < len(keys); {
		k, c := keys[i], float32(0)
		for ; i < len(keys) && keys[i] == k; i++ {
			c++
		}
		b.Add(k, c)
	}
}

// canon does dst.Canon(): it sorts dst by index, sums the values of repeated indices and drops
// zeros, with the same float32 results. Canon sums a repeated index in the order in which
// sort.Sort, which is not stable, leaves its entries. Two entries sum to the same float32 in
// either order; three may not, so where an index occurs three or more times (rare: it takes
// two hash collisions; none of the vectors of the sample corpus has one) canon leaves dst
// untouched and calls Canon itself. TestCanonMatchesSparse compares the two.
//
// Extract's vectors are mostly sorted runs (the word block, the character block, the article's
// words), followed or interleaved by unsorted entries (the conjoined copies), so canon sorts
// only the entries outside long runs, and merges.
func (w *Worker) canon(dst *sparse.Vector) {
	n := len(dst.Idx)
	if n == 0 {
		return
	}
	p := w.pairs[:0]
	for i, idx := range dst.Idx {
		p = append(p, uint64(idx)<<32|uint64(math.Float32bits(dst.Val[i])))
	}
	w.pairs = p
	// Ascending runs of at least minRun entries are kept as they are (at most maxRuns of them);
	// all other entries go to rest, to be sorted.
	const minRun, maxRuns = 64, 8
	var runs [maxRuns + 1][]uint64
	k := 0
	rest := w.rest[:0]
	for start, i := 0, 1; i <= n; i++ {
		if i < n && p[i] >= p[i-1] {
			continue
		}
		if i-start >= minRun && k < maxRuns {
			runs[k] = p[start:i]
			k++
		} else {
			rest = append(rest, p[start:i]...)
		}
		start = i
	}
	w.rest = rest
	w.sort64.sort(rest, 32)
	runs[k] = rest
	k++
	sorted := runs[0]
	for i, r := range runs[1:k] {
		buf := &w.merged[i%2]
		*buf = mergeSorted((*buf)[:0], sorted, r)
		sorted = *buf
	}
	for i := 2; i < n; i++ {
		if sorted[i]>>32 == sorted[i-2]>>32 {
			dst.Canon()
			return
		}
	}
	out := 0
	for i := 0; i < n; i++ {
		idx, v := uint32(sorted[i]>>32), math.Float32frombits(uint32(sorted[i]))
		if i+1 < n && uint32(sorted[i+1]>>32) == idx {
			i++
			v += math.Float32frombits(uint32(sorted[i]))
		}
		if v != 0 {
			dst.Idx[out], dst.Val[out] = idx, v
			out++
		}
	}
	dst.Idx, dst.Val = dst.Idx[:out], dst.Val[:out]
}

// mergeSorted appends the merge of sorted a and b to dst.
func mergeSorted(dst, a, b []uint64) []uint64 {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if b[j] < a[i] {
			dst = append(dst, b[j])
			j++
		} else {
			dst = append(dst, a[i])
			i++
		}
	}
	dst = append(dst, a[i:]...)
	return append(dst, b[j:]...)
}
