package htmlreport

import (
	"fmt"

	"github.com/commentstance/stance/metrics"
)

// Colours of the bars: Okabe and Ito's palette for colour-blind readers (Okabe & Ito 2008,
// "Color Universal Design", https://jfly.uni-koeln.de/color/).
var (
	blue        = rgb{0x00, 0x72, 0xb2}
	orange      = rgb{0xe6, 0x9f, 0x00}
	bluishGreen = rgb{0x00, 0x9e, 0x73}
	vermillion  = rgb{0xd5, 0x5e, 0x00}

	colPrecision = blue.String()
	colRecall    = orange.String()
	colF1        = bluishGreen.String()
	colGap       = vermillion.String()
)

// rgb is a colour; String gives it as CSS and SVG write it, #rrggbb.
type rgb [3]uint8

func (c rgb) String() string { return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]) }

// colourName is each colour the page draws in words, as the notes on reading it name them
// (Okabe and Ito's names; vermillion is an orange-red).
var colourName = map[string]string{
	colPrecision: "blue",
	colRecall:    "orange",
	colF1:        "bluish green",
	colGap:       "orange-red",
}

// valW is the width a bar's value label takes ("0.583" in the 12px tabular figures of svg .val,
// about 6.6 units a character).
const valW = 34.0

// PRFChart is per-class precision, recall and F1 as grouped horizontal bars on a 0..1 axis, with
// the macro-F1 as a dashed line. Coordinates are in the SVG's user units.
type PRFChart struct {
	W, H    float64
	Legend  []Swatch
	Ticks   []Tick
	TickTop float64 // the grid lines run from TickTop to Bottom
	Bottom  float64
	MacroX  float64
	MacroF1 float64
	Classes []PRFClass
	Colour  string // of the macro-F1 line
}

// Swatch is a legend entry.
type Swatch struct {
	X, TextX float64
	Name     string
	Colour   string
}

// Tick is an axis value and where it is drawn.
type Tick struct {
	X, Y  float64
	Label string
}

// PRFClass is one class's group of three bars.
type PRFClass struct {
	Class, Short       string // the class, and the class cut to fit the labels' column
	Precision, Recall  float64
	F1                 float64
	Support            int
	LabelX, LabelY, NY float64 // the class's label and its support under it
	Bars               []Bar
}

// Bar is one bar with its value after it.
type Bar struct {
	X, Y, W, H float64
	Colour     string
	Value      float64
	ValX, ValY float64
}

func newPRFChart(rep metrics.Report) PRFChart {
	const (
		labelW = 150.0
		plotW  = 300.0
		rightW = 56.0
		top    = 34.0
		barH   = 13.0
		barGap = 3.0
		groupG = 18.0
		axisH  = 44.0
	)
	groupH := 3*barH + 2*barGap
	nc := len(rep.PerClass)
	c := PRFChart{W: labelW + plotW + rightW, Colour: colF1, MacroF1: rep.MacroF1}
	c.H = top + float64(nc)*groupH + float64(max(nc-1, 0))*groupG + axisH + 8
	x := func(v float64) float64 { return labelW + plotW*clamp01(v) }
	lx := labelW
	for _, l := range []struct{ name, col string }{{"precision", colPrecision}, {"recall", colRecall}, {"F1", colF1}} {
		c.Legend = append(c.Legend, Swatch{X: lx, TextX: lx + 17, Name: l.name, Colour: l.col})
		lx += 92
	}
	c.Bottom = c.H - axisH
	c.TickTop = top - 6
	for _, v := range []float64{0, 0.25, 0.5, 0.75, 1} {
		c.Ticks = append(c.Ticks, Tick{X: x(v), Y: c.Bottom + 16, Label: tick(v)})
	}
	c.MacroX = x(rep.MacroF1)
	for i, s := range rep.PerClass {
		y0 := top + float64(i)*(groupH+groupG)
		pc := PRFClass{Class: clean(s.Class), Short: clean(shorten(s.Class, 18)), Precision: s.Precision, Recall: s.Recall, F1: s.F1,
			Support: s.Support, LabelX: labelW - 10, LabelY: y0 + groupH/2 - 1, NY: y0 + groupH/2 + 16}
		for k, v := range []float64{s.Precision, s.Recall, s.F1} {
			y := y0 + float64(k)*(barH+barGap)
			valX := x(v) + 5
			if c.MacroX >= valX-1 && c.MacroX <= valX+valW {
				valX = c.MacroX + 4 // past the macro-F1 line, which would cross the label
			}
			pc.Bars = append(pc.Bars, Bar{X: x(0), Y: y, W: max(x(v)-x(0), 0.5), H: barH,
				Colour: []string{colPrecision, colRecall, colF1}[k], Value: v, ValX: valX, ValY: y + barH - 2.5})
		}
		c.Classes = append(c.Classes, pc)
	}
	return c
}

// ReliabilityChart is the reliability diagram of Guo et al. 2017 (their Figure 1): accuracy per
// confidence bin against the diagonal of perfect calibration, the gap to each bin's mean
// confidence (hatched rather than filled, so that it stays visible where it lies over the bar of
// an under-confident bin), and under it the number of comments per bin.
type ReliabilityChart struct {
	W, H       float64
	Hatch      string // the id of the hatch pattern, unique in the page
	Left       float64
	Grid       []GridLine
	Bins       []ReliabilityBin
	X0, Y0     float64 // the plot's origin (confidence 0, accuracy 0)
	X1, Y1     float64 // its far corner (1, 1)
	PlotW      float64
	PlotH      float64
	MidX, MidY float64 // the axes' middles, for their titles
	StripTop   float64
	StripBase  float64 // the bottom of the count bars
	Counts     []CountBar
}

// GridLine is a horizontal grid line at a value, with the value's ticks on both axes.
type GridLine struct {
	Y          float64
	LabelY     float64 // of the tick on the accuracy axis
	X          float64 // of the tick on the confidence axis
	TickY      float64
	Label      string
	LeftLabelX float64
}

// ReliabilityBin is a non-empty bin's bar and gap.
type ReliabilityBin struct {
	metrics.Bin
	X, W       float64
	AccY, AccH float64
	Gap        bool
	GapY, GapH float64
}

// CountBar is a bin's count in the strip under the diagram.
type CountBar struct {
	X, Y, W, H   float64
	N            int
	TextX, TextY float64
	Class        string
}

func newReliabilityChart(cal metrics.Calibration, hatch string) ReliabilityChart {
	const (
		left   = 56.0
		top    = 30.0
		plotW  = 400.0
		plotH  = 260.0
		stripH = 46.0
		right  = 20.0
	)
	c := ReliabilityChart{Hatch: hatch, Left: left, PlotW: plotW, PlotH: plotH}
	c.W = left + plotW + right
	c.StripTop = top + plotH + 44
	c.H = c.StripTop + stripH + 36
	x := func(v float64) float64 { return left + plotW*v }
	y := func(v float64) float64 { return top + plotH*(1-v) }
	c.X0, c.Y0, c.X1, c.Y1 = x(0), y(0), x(1), y(1)
	c.MidX, c.MidY = x(0.5), y(0.5)
	for _, v := range []float64{0, 0.2, 0.4, 0.6, 0.8, 1} {
		c.Grid = append(c.Grid, GridLine{Y: y(v), LabelY: y(v) + 4, LeftLabelX: x(0) - 6, X: x(v), TickY: y(0) + 16, Label: tick(v)})
	}
	for _, bin := range cal.Bins {
		if bin.N == 0 {
			continue
		}
		x0, x1 := x(bin.Lo)+1.5, x(bin.Hi)-1.5
		b := ReliabilityBin{Bin: bin, X: x0, W: x1 - x0, AccY: y(bin.Accuracy), AccH: y(0) - y(bin.Accuracy)}
		lo, hi := min(bin.Accuracy, bin.Confidence), max(bin.Accuracy, bin.Confidence)
		if hi-lo > 0 {
			b.Gap, b.GapY, b.GapH = true, y(hi), y(lo)-y(hi)
		}
		c.Bins = append(c.Bins, b)
	}
	most := 1
	for _, bin := range cal.Bins {
		most = max(most, bin.N)
	}
	c.StripBase = c.StripTop + stripH
	for _, bin := range cal.Bins {
		x0, x1 := x(bin.Lo)+1.5, x(bin.Hi)-1.5
		h := stripH * float64(bin.N) / float64(most)
		cb := CountBar{X: x0, Y: c.StripBase - h, W: x1 - x0, H: h, N: bin.N, TextX: (x0 + x1) / 2, TextY: c.StripBase + 14, Class: "count"}
		if bin.N == 0 {
			cb.Class = "count zero"
		}
		c.Counts = append(c.Counts, cb)
	}
	return c
}

// tick formats an axis value: 0, 0.25, 1.
func tick(v float64) string { return fmt.Sprintf("%g", v) }
