package features

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/commentstance/stance/sparse"
)

// readableComments are the comments whose vectors testdata/sample_vectors_readable.golden
// spells out: an Arabic and an English one of the labelled sample, one holding a line break,
// and an unlabelled one.
var readableComments = []string{"c0001", "c0050", "c0150", "n0001"}

// TestGoldenVectorsReadable spells out, entry by entry, the vectors of a few sample comments
// under each golden config: index, value (as many digits as a float32 needs to round-trip) and
// name. TestGoldenVectors' digests prove every vector bit-identical but can only say that one
// changed; when they fail, this file's diff says what changed: which features appeared or went,
// and which weights moved. Regenerate with go test ./features -run TestGoldenVectors -update.
func TestGoldenVectorsReadable(t *testing.T) {
	train, unseen := samplePairs(t)
	pairs := make([]Pair, len(train))
	for i, p := range train {
		pairs[i] = p.Pair
	}
	var out bytes.Buffer
	out.WriteString("# features.Extract of a few comments of ../data/sample, entry by entry; regenerate with\n")
	out.WriteString("# go test ./features -run TestGoldenVectors -update. Columns: config, comment id, index,\n")
	out.WriteString("# value (float32, round-trip digits), feature name.\n")
	for _, gc := range goldenConfigs {
		e, err := New(gc.cfg)
		if err != nil {
			t.Fatal(err)
		}
		e.Fit(pairs)
		w, err := e.NewWorker()
		if err != nil {
			t.Fatal(err)
		}
		var v sparse.Vector
		for _, p := range slices.Concat(train, unseen) {
			if !slices.Contains(readableComments, p.id) {
				continue
			}
			names := w.Names(&v, p.Text, p.Article)
			for i, idx := range v.Idx {
				val := strconv.FormatFloat(float64(v.Val[i]), 'g', -1, 32)
				fmt.Fprintf(&out, "%s %s %d %s %q\n", gc.name, p.id, idx, val, names[idx])
			}
		}
	}
	compareGolden(t, out.Bytes(), filepath.Join("testdata", "sample_vectors_readable.golden"))
}
