package classifier

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/commentstance/stance/features"
	"github.com/commentstance/stance/metrics"
	"github.com/commentstance/stance/models"
	"github.com/commentstance/stance/sparse"
)

// Grid is what Tune tries for each head.
type Grid struct {
	C       []float64 // inverse L2 strengths
	Conjoin []bool    // with and without the article-conjoined copies (tried only when Features.Conjoin)
	// WordWeight are the HeadConfig.WordWeight values tried; empty keeps each head's own.
	WordWeight []float64
}

// DefaultGrid is the grid tried when config.yaml gives none: C around scikit-learn's default,
// with and without the conjoined copies, each head's word weight as configured.
func DefaultGrid() Grid { return Grid{C: []float64{0.3, 1, 3}, Conjoin: []bool{true, false}} }

// Trial is one grid point's cross-validated figure for one head.
type Trial struct {
	Head       string
	C          float64
	Conjoin    bool
	WordWeight float64
	Metric     string
	Official   float64
}

func (t Trial) String() string {
	return fmt.Sprintf("%s: c=%g conjoin=%v word_weight=%g %s=%.4f", t.Head, t.C, t.Conjoin, t.WordWeight, t.Metric, t.Official)
}

// Tune chooses, for each head, the C, the use of conjoined features and the word weight that
// give the best cross-validated official metric (metricFor(head), resolved against the head's
// classes by metrics.Resolve) over the given folds, and returns cfg with those choices in Heads,
// with every trial. folds holds one assignment of the examples to folds per repeat (each as long
// as examples); a grid point's figure is the mean of its repeats' (repeated cross-validation, as
// scikit-learn's RepeatedStratifiedKFold), which keeps one lucky split from deciding. Ties go to
// the grid point tried first. Features are extracted once, with IDF learned on all examples (as
// scikit-learn's LogisticRegressionCV is given one vectorised matrix), so only the models are
// refit per fold. progress, if not nil, is called after each fold.
func Tune(examples []Example, heads []string, cfg Config, grid Grid, folds [][]int, metricFor func(head string) string, progress func(done, total int)) (Config, []Trial, error) {
	if err := cfg.Validate(); err != nil {
		return cfg, nil, err
	}
	if len(folds) == 0 {
		return cfg, nil, fmt.Errorf("tune: no fold assignment")
	}
	k := 0
	for _, f := range folds {
		if len(f) != len(examples) {
			return cfg, nil, fmt.Errorf("tune: %d fold assignments for %d examples", len(f), len(examples))
		}
		k = max(k, slices.Max(f)+1)
	}
	if len(grid.C) == 0 {
		return cfg, nil, fmt.Errorf("tune: the grid has no value of c")
	}
	for _, w := range grid.WordWeight {
		if !(w > 0) || math.IsInf(w, 0) {
			return cfg, nil, fmt.Errorf("tune: word weight %v in the grid: want a number above 0", w)
		}
	}
	conjoins := grid.Conjoin
	if !cfg.Features.Conjoin || len(conjoins) == 0 {
		conjoins = []bool{cfg.Features.Conjoin}
	}
	ex, x, err := fitFeatures(examples, cfg)
	if err != nil {
		return cfg, nil, err
	}
	weights := grid.WordWeight // the grid's, or else each head's own
	if len(weights) == 0 {
		for _, h := range heads {
			weights = append(weights, cfg.wordWeight(h))
		}
	}
	wb, err := wordBlockFor(ex, examples, weights)
	if err != nil {
		return cfg, nil, err
	}
	out := cfg
	out.Heads = map[string]HeadConfig{}
	for name, h := range cfg.Heads {
		out.Heads[name] = h
	}
	var trials []Trial
	for hi, name := range heads {
		t := &tuneHead{name: name, cfg: cfg, ex: ex, x: x, wb: wb}
		if t.classes, t.y, t.rows, err = headLabels(name, examples); err != nil {
			return cfg, nil, err
		}
		metric, _ := metrics.Resolve(metricFor(name), t.classes)
		wws := grid.WordWeight
		if len(wws) == 0 {
			wws = []float64{cfg.wordWeight(name)}
		}
		for _, ww := range wws {
			for _, cj := range conjoins {
				for _, c := range grid.C {
					t.points = append(t.points, tunePoint{c, cj, ww})
				}
			}
		}
		pred := make([][]int, len(t.points)) // per point, per row of the head
		for p := range pred {
			pred[p] = make([]int, len(t.rows))
		}
		sum := make([]float64, len(t.points)) // per point, its metric summed over the repeats
		for rep, assign := range folds {
			for f := range k {
				if err := t.fold(pred, assign, f); err != nil {
					return cfg, nil, err
				}
				if progress != nil {
					progress((hi*len(folds)+rep)*k+f+1, len(heads)*len(folds)*k)
				}
			}
			for p := range t.points {
				r, err := metrics.Evaluate(t.classes, t.y, pred[p], metric)
				if err != nil {
					return cfg, nil, fmt.Errorf("tune: head %q: %w", name, err)
				}
				sum[p] += r.Official
			}
		}
		best, bestScore := 0, 0.0
		for p, pt := range t.points {
			official := sum[p] / float64(len(folds))
			trials = append(trials, Trial{Head: name, C: pt.c, Conjoin: pt.conjoin, WordWeight: pt.ww, Metric: metric, Official: official})
			if p == 0 || official > bestScore {
				best, bestScore = p, official
			}
		}
		hc := out.Heads[name]
		hc.C = t.points[best].c
		cj := t.points[best].conjoin
		hc.Conjoin = &cj
		hc.WordWeight = t.points[best].ww
		out.Heads[name] = hc
	}
	return out, trials, nil
}

// tunePoint is one point of Tune's grid.
type tunePoint struct {
	c       float64
	conjoin bool
	ww      float64
}

// tuneHead is what Tune needs to fit one head at its grid points.
type tuneHead struct {
	name    string
	cfg     Config
	ex      *features.Extractor
	x       *rows
	wb      *wordBlock
	classes []string
	y       []int // per labelled row, its class
	rows    []int // the labelled rows' example indices
	points  []tunePoint
}

// fold trains the head at every grid point on the labelled rows that assign does not put in
// fold f, and sets pred[point][row] for the rows it does.
func (t *tuneHead) fold(pred [][]int, assign []int, f int) error {
	var ty, idx, testRows []int
	for i, r := range t.rows {
		if assign[r] == f {
			testRows = append(testRows, i)
		} else {
			ty = append(ty, t.y[i])
			idx = append(idx, r)
		}
	}
	if len(testRows) == 0 {
		return nil
	}
	xs, sh := t.x.subset(idx)
	for p, pt := range t.points {
		tc, err := trainConfig(t.name, t.classes, ty, pt.c, t.cfg)
		if err != nil {
			return err
		}
		if !pt.conjoin {
			// Its weights there stay 0, so it ignores them when it scores too.
			tc.IgnoreFrom, tc.IgnoreTo = t.ex.ConjoinRange()
		}
		tc.Penalty = t.wb.penalty(pt.ww)
		sm, _, err := models.TrainShared(xs, sh, ty, len(t.classes), t.ex.Dim(), tc)
		if err != nil {
			return fmt.Errorf("tune: head %q, fold %d: %w", t.name, f+1, err)
		}
		var probs []float64
		var v sparse.Vector
		for _, i := range testRows {
			t.x.terms(&v, t.rows[i])
			probs = sm.Probs(probs, v)
			pred[p][i] = argmax(probs)
		}
	}
	return nil
}

func argmax(p []float64) int {
	best := 0
	for k, v := range p {
		if v > p[best] {
			best = k
		}
	}
	return best
}

// Describe says, in one line per head, what a tuned configuration chose.
func (c Config) Describe(heads []string) string {
	var b strings.Builder
	for _, h := range heads {
		cv, cj := c.head(h)
		fmt.Fprintf(&b, "%s: c=%g conjoin=%v word_weight=%g\n", h, cv, cj, c.wordWeight(h))
	}
	return b.String()
}
