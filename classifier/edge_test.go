package classifier

import (
	"fmt"
	"slices"
	"testing"
)

// TestAtTheEdge checks Choice.AtTheEdge against the trials: a model's chosen c is named exactly
// when it is the largest or the smallest c tried at the chosen switches, so that a wider grid
// might do better. The grid far below the configured c (1) starts the search off the grid:
// there c=1 was once named "as far as tuning goes" though c=3 had been tried and was worse.
func TestAtTheEdge(t *testing.T) {
	ex := sample(t)
	for _, grid := range [][]float64{{1e-4, 3e-4}, {0.5, 2}} {
		t.Run(fmt.Sprint(grid), func(t *testing.T) {
			g := smallGrid()
			g.C = grid
			_, trials, choices, err := Tune(ex, []string{"stance", "sentiment"}, smallConfig(),
				TuneOptions{Folds: 3, Grouped: true, Grid: g, Metric: tuneMetric})
			if err != nil {
				t.Fatal(err)
			}
			for _, ch := range choices {
				check := func(unseen bool, chosen HeadSettings) {
					var cs []float64
					for _, tr := range trials {
						s := tr.Settings
						s.C = chosen.C
						if tr.Head == ch.Head && tr.Unseen == unseen && s == chosen {
							cs = append(cs, tr.Settings.C)
						}
					}
					role := Trial{Unseen: unseen}.Role()
					edge := len(cs) >= 2 && (chosen.C == slices.Max(cs) || chosen.C == slices.Min(cs))
					named := slices.ContainsFunc(ch.AtTheEdge, func(s string) bool { return s == fmt.Sprintf("%s c=%g", role, chosen.C) })
					if edge != named {
						t.Errorf("%s, %s: c=%g of the c tried %v; at the edge %v, named %v (%q)", ch.Head, role, chosen.C, cs, edge, named, ch.AtTheEdge)
					}
				}
				check(false, ch.Known)
				if ch.Unseen != nil {
					check(true, *ch.Unseen)
				}
			}
		})
	}
}
