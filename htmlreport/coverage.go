package htmlreport

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/commentstance/stance/evaluation"
)

// CoverageThresholds are the thresholds the coverage panel tabulates, for choosing one.
var CoverageThresholds = []float64{0.5, 0.6, 0.7, 0.8, 0.9}

// Coverage is a head's accuracy–coverage curve and, with thresholds given, its figures with
// the labels under them withheld.
type Coverage struct {
	Chart   CoverageChart
	Abstain *evaluation.Abstention // nil without a threshold
	// PerClass: some predicted classes have thresholds of their own, so the marked point need
	// not lie on the curve, which is that of one threshold for all.
	PerClass string
	At       []CoverageRow // the curve at CoverageThresholds
}

// CoverageRow is the curve at one threshold.
type CoverageRow struct {
	MinProb  float64
	Labelled int
	Review   int
	Coverage float64
	Accuracy float64
	None     bool // no comment labelled: no accuracy
}

// CoverageChart draws the accuracy of the labelled comments against their share (coverage), as
// the threshold on the top class's probability falls from the highest to the lowest
// (evaluation.AccuracyCoverage), with the point of the thresholds given marked.
type CoverageChart struct {
	W, H                   float64
	Grid                   []GridLine
	X0, Y0, X1, Y1         float64 // the plot's corners: (coverage 0, accuracy 0), (1, 1)
	PlotW, PlotH           float64
	MidX, MidY             float64
	Points                 string // the curve, as an SVG polyline's points
	N                      int    // points of the curve, before thinning
	Colour                 string
	Mark                   *CoverageMark
	LegendMarkX, LegendTxt float64
}

// CoverageMark is the point of the chosen thresholds.
type CoverageMark struct {
	X, Y                 float64
	Coverage, Accuracy   float64
	TextX, TextY         float64
	Anchor               string // of the text: start, or end near the right edge
	Label, Colour        string
	LegendX, LegendTextX float64
}

func newCoverage(curve []evaluation.CoveragePoint, a *evaluation.Abstention) *Coverage {
	c := &Coverage{Abstain: a, Chart: newCoverageChart(curve, a)}
	if a != nil && len(a.ClassMinProb) > 0 {
		var parts []string
		for _, cl := range slices.Sorted(maps.Keys(a.ClassMinProb)) {
			parts = append(parts, fmt.Sprintf("%s %g", clean(cl), a.ClassMinProb[cl]))
		}
		c.PerClass = strings.Join(parts, ", ")
	}
	n := 0
	if len(curve) > 0 {
		n = curve[len(curve)-1].Labelled
	}
	for _, t := range CoverageThresholds {
		p, ok := evaluation.CoverageAt(curve, t)
		c.At = append(c.At, CoverageRow{MinProb: t, Labelled: p.Labelled, Review: n - p.Labelled, Coverage: p.Coverage, Accuracy: p.Accuracy, None: !ok})
	}
	return c
}

func newCoverageChart(curve []evaluation.CoveragePoint, a *evaluation.Abstention) CoverageChart {
	const (
		left   = 56.0
		top    = 30.0
		plotW  = 400.0
		plotH  = 260.0
		right  = 20.0
		bottom = 48.0
	)
	c := CoverageChart{W: left + plotW + right, H: top + plotH + bottom, PlotW: plotW, PlotH: plotH, N: len(curve), Colour: colPrecision}
	x := func(v float64) float64 { return left + plotW*clamp01(v) }
	y := func(v float64) float64 { return top + plotH*(1-clamp01(v)) }
	c.X0, c.Y0, c.X1, c.Y1 = x(0), y(0), x(1), y(1)
	c.MidX, c.MidY = x(0.5), y(0.5)
	for _, v := range []float64{0, 0.2, 0.4, 0.6, 0.8, 1} {
		c.Grid = append(c.Grid, GridLine{Y: y(v), LabelY: y(v) + 4, LeftLabelX: x(0) - 6, X: x(v), TickY: y(0) + 16, Label: tick(v)})
	}
	// One point per half unit of width at most: a curve of 20,000 rows would otherwise be
	// 20,000 points that draw the same line. The first and last points are always kept.
	var b strings.Builder
	lastX := -1.0
	for i, p := range curve {
		px, py := x(p.Coverage), y(p.Accuracy)
		if i > 0 && i < len(curve)-1 && px-lastX < 0.5 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%.1f,%.1f", px, py)
		lastX = px
	}
	c.Points = b.String()
	c.LegendMarkX, c.LegendTxt = left, left+28
	if a != nil && a.OnLabelled != nil {
		m := &CoverageMark{X: x(a.Coverage), Y: y(a.OnLabelled.Accuracy), Coverage: a.Coverage, Accuracy: a.OnLabelled.Accuracy,
			Colour: colGap, Label: fmt.Sprintf("min_prob %g", a.MinProb)}
		if len(a.ClassMinProb) > 0 {
			m.Label += " (and per class)"
		}
		m.TextX, m.TextY, m.Anchor = m.X+9, m.Y+16, "start"
		if a.Coverage > 0.6 {
			m.TextX, m.Anchor = m.X-9, "end"
		}
		if m.TextY > c.Y0-4 {
			m.TextY = m.Y - 9
		}
		m.LegendX, m.LegendTextX = left+190, left+200
		c.Mark = m
	}
	return c
}
