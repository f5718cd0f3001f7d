// Package sparse holds the sparse vector that flows from the feature extractor to the model.
//
// A Vector is built by features (hashed n-grams and relation features) and read by models
// (training and scoring); neither package owns the other, so the type lives here.
package sparse

import "sort"

// Vector is a sparse vector of float32 values. After Canon, Idx is strictly ascending and every
// index appears once. The zero Vector is the empty vector.
type Vector struct {
	Idx []uint32
	Val []float32
}

// Reset empties v, keeping its storage for reuse.
func (v *Vector) Reset() {
	v.Idx = v.Idx[:0]
	v.Val = v.Val[:0]
}

// Add appends value x at index i. Duplicates are allowed until Canon merges them.
func (v *Vector) Add(i uint32, x float32) {
	v.Idx = append(v.Idx, i)
	v.Val = append(v.Val, x)
}

// Len is the number of stored entries.
func (v *Vector) Len() int { return len(v.Idx) }

// Canon sorts v by index and sums the values of repeated indices, dropping zeros.
func (v *Vector) Canon() {
	if !sort.IsSorted(byIdx{v}) {
		sort.Sort(byIdx{v})
	}
	out := 0
	for i := 0; i < len(v.Idx); i++ {
		if out > 0 && v.Idx[out-1] == v.Idx[i] {
			v.Val[out-1] += v.Val[i]
			continue
		}
		v.Idx[out], v.Val[out] = v.Idx[i], v.Val[i]
		out++
	}
	v.Idx, v.Val = v.Idx[:out], v.Val[:out]
	keep := 0
	for i := range v.Idx {
		if v.Val[i] != 0 {
			v.Idx[keep], v.Val[keep] = v.Idx[i], v.Val[i]
			keep++
		}
	}
	v.Idx, v.Val = v.Idx[:keep], v.Val[:keep]
}

// Clone returns a copy of v that shares no storage with it.
func (v Vector) Clone() Vector {
	return Vector{Idx: append([]uint32(nil), v.Idx...), Val: append([]float32(nil), v.Val...)}
}

type byIdx struct{ v *Vector }

func (b byIdx) Len() int           { return len(b.v.Idx) }
func (b byIdx) Less(i, j int) bool { return b.v.Idx[i] < b.v.Idx[j] }
func (b byIdx) Swap(i, j int) {
	b.v.Idx[i], b.v.Idx[j] = b.v.Idx[j], b.v.Idx[i]
	b.v.Val[i], b.v.Val[j] = b.v.Val[j], b.v.Val[i]
}
