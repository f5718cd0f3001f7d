package models_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/commentstance/stance/models"
	"github.com/commentstance/stance/sparse"
)

// Train a three-class model on six rows, store it, read it back and score a new row. Feature 0
// stands for "agree"-like words, 1 for "disagree"-like words, 2 for neutral ones.
func ExampleTrain() {
	row := func(idx ...uint32) sparse.Vector {
		var v sparse.Vector
		for _, i := range idx {
			v.Add(i, 1)
		}
		v.Canon()
		return v
	}
	x := []sparse.Vector{row(0), row(0, 2), row(1), row(1, 2), row(2), row(2, 3)}
	y := []int{0, 0, 1, 1, 2, 2}

	m, info, err := models.Train(x, y, 3, 4, models.TrainConfig{C: 10})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("converged:", info.Converged, "features:", info.Features)

	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		log.Fatal(err)
	}
	m, err = models.ReadSoftmax(&buf)
	if err != nil {
		log.Fatal(err)
	}

	p := m.Probs(nil, row(1, 3))
	fmt.Printf("P = [%.2f %.2f %.2f]\n", p[0], p[1], p[2])
	m.Contributions(row(1, 3), 1, func(idx uint32, value, weight float32) {
		fmt.Printf("feature %d pushes class 1 by %+.2f\n", idx, value*weight)
	})
	// Output:
	// converged: true features: 4
	// P = [0.04 0.84 0.12]
	// feature 1 pushes class 1 by +2.33
	// feature 3 pushes class 1 by -0.41
}
