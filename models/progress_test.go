package models

import (
	"bytes"
	"testing"
)

// TestTrainProgress: Progress is told each iteration, 1, 2, ... up to the iterations TrainInfo
// reports, and the model is byte for byte the one trained without it.
func TestTrainProgress(t *testing.T) {
	s := makeSynth(synthSpec{rows: 800, dim: 1 << 12, nnz: 20, classes: 3, noise: 0.5, seed: 7})
	var seen []int
	m, info, err := Train(s.x, s.y, 3, 1<<12, TrainConfig{Workers: 2, Progress: func(it int) { seen = append(seen, it) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != info.Iterations {
		t.Fatalf("progress %v for %d iterations", seen, info.Iterations)
	}
	for i, it := range seen {
		if it != i+1 {
			t.Fatalf("progress %v: not 1, 2, ...", seen)
		}
	}
	plain, _, err := Train(s.x, s.y, 3, 1<<12, TrainConfig{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	m.WriteTo(&a)
	plain.WriteTo(&b)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the model trained with Progress differs")
	}
}
