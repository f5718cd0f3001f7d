package sparse

import (
	"slices"
	"testing"
)

func TestCanon(t *testing.T) {
	var v Vector
	for _, e := range []struct {
		i uint32
		x float32
	}{{5, 1}, {2, 1}, {5, 2}, {9, 0}, {2, -1}, {0, 4}} {
		v.Add(e.i, e.x)
	}
	v.Canon()
	// 5: 1+2; 2: 1-1 = 0 is dropped; 9: 0 is dropped.
	if !slices.Equal(v.Idx, []uint32{0, 5}) || !slices.Equal(v.Val, []float32{4, 3}) {
		t.Fatalf("Canon gave %v %v", v.Idx, v.Val)
	}
	c := v.Clone()
	v.Reset()
	if v.Len() != 0 || c.Len() != 2 {
		t.Fatal("Clone shares storage with the original")
	}
}
