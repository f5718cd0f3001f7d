package htmlreport

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/timestamp"
)

// trendColours are the lines' colours, a class each in the head's order: Okabe and Ito's
// palette again (the bars' colours first), then its reddish purple, sky blue and yellow, and a
// grey for any class past them.
var trendColours = []rgb{blue, vermillion, bluishGreen, {0xcc, 0x79, 0xa7}, {0x56, 0xb4, 0xe9}, orange, {0xf0, 0xe4, 0x42}}

var otherColour = rgb{0x59, 0x59, 0x59}

// maxTicks is how many period labels a chart's time axis holds at most: labels of "2 Nov"
// (or "2026-11") in 11.5px figures fit about seven to the plot's 420 units.
const maxTicks = 7

// TrendOptions are what the trends page says besides the tallies.
type TrendOptions struct {
	Model      string    // the model's path
	Data       string    // the comments file
	Articles   string    // the articles file joined to them, if any
	TimeColumn string    // the column of the comments' times
	Date       time.Time // when; the zero time means now
	Version    string    // the program's version
}

// TrendPage is the view model of stance summarize --by-time --report: per article (or group), a
// line chart per head of each class's share per period.
type TrendPage struct {
	Title      string
	Period     string // day, week or month
	PeriodNote string // what a period is, in words
	Model      string
	Data       string
	Articles   string
	TimeColumn string
	Date       string
	Version    string
	Comments   int
	Groups     []TrendGroup
}

// TrendGroup is one article's (or group's) section.
type TrendGroup struct {
	Anchor      int // the section is #group-Anchor
	Name        string
	N           int
	First, Last string // its first and last periods with comments
	Periods     int    // periods with comments
	Charts      []TrendChart
}

// TrendChart is one head's shares per period: a line per class over a 0..1 axis, the periods
// spread evenly in time (a period without comments is a gap in the lines), and under the plot
// the number of comments per period. Coordinates are in the SVG's user units.
type TrendChart struct {
	Head           string
	W, H           float64
	X0, Y0, X1, Y1 float64 // the plot's corners: bottom left (share 0), top right (share 1)
	PlotW, PlotH   float64
	MidY           float64
	Legend         []Swatch
	Grid           []GridLine
	Ticks          []Tick // the periods named on the time axis
	Lines          []TrendLine
	StripTop       float64
	StripBase      float64
	Counts         []CountBar
}

// TrendLine is a class's shares: polylines through runs of consecutive periods, and a dot at
// every period.
type TrendLine struct {
	Class  string
	Colour string
	Runs   []string // each a polyline's points, "x,y x,y ..."
	Dots   []TrendDot
}

// TrendDot is a class's share in one period.
type TrendDot struct {
	X, Y  float64
	Share float64
	Label string // the period
	N     int
}

// NewTrends builds the trends page of t.
func NewTrends(t *evaluation.Trend, o TrendOptions) *TrendPage {
	if o.Date.IsZero() {
		o.Date = time.Now()
	}
	p := &TrendPage{Period: string(t.Period), Model: clean(o.Model), Data: clean(o.Data), Articles: clean(o.Articles),
		TimeColumn: clean(o.TimeColumn), Date: o.Date.Format("2006-01-02 15:04 MST"), Version: clean(o.Version), Comments: t.All.N}
	p.Title = fmt.Sprintf("Class shares per %s: %d comments on %d %ss", t.Period, t.All.N, len(t.Keys), t.By)
	switch t.Period {
	case timestamp.Week:
		p.PeriodNote = "a week runs Monday to Sunday, UTC (ISO 8601), and is named by its Monday"
	case timestamp.Month:
		p.PeriodNote = "a calendar month, UTC"
	default:
		p.PeriodNote = "a day is a UTC date"
	}
	for i, k := range t.Keys {
		series := t.Series(k)
		g := TrendGroup{Anchor: i + 1, Name: clean(t.Name(k)), N: t.Groups[k].N, Periods: len(series)}
		if len(series) > 0 {
			g.First, g.Last = t.Label(series[0]), t.Label(series[len(series)-1])
		}
		for hi := range t.Model.Heads {
			g.Charts = append(g.Charts, newTrendChart(t, hi, series))
		}
		p.Groups = append(p.Groups, g)
	}
	return p
}

func newTrendChart(t *evaluation.Trend, hi int, series []evaluation.PeriodTally) TrendChart {
	const (
		left   = 46.0
		top    = 34.0
		plotW  = 420.0
		plotH  = 200.0
		stripH = 40.0
		right  = 16.0
	)
	h := t.Model.Heads[hi]
	c := TrendChart{Head: clean(h.Name), PlotW: plotW, PlotH: plotH}
	c.W = left + plotW + right
	c.X0, c.Y0, c.X1, c.Y1 = left, top+plotH, left+plotW, top
	c.MidY = top + plotH/2
	c.StripTop = c.Y0 + 36
	c.StripBase = c.StripTop + stripH
	c.H = c.StripBase + 22
	y := func(v float64) float64 { return top + plotH*(1-clamp01(v)) }
	for _, v := range []float64{0, 0.25, 0.5, 0.75, 1} {
		c.Grid = append(c.Grid, GridLine{Y: y(v), LabelY: y(v) + 4, LeftLabelX: left - 6, Label: fmt.Sprintf("%.0f%%", 100*v)})
	}
	lx := left
	for k, class := range h.Classes {
		name := clean(shorten(class, 16))
		c.Legend = append(c.Legend, Swatch{X: lx, TextX: lx + 17, Name: name, Colour: classColour(k)})
		lx += 17 + 7.5*float64(len([]rune(name))) + 18
	}
	if len(series) == 0 {
		return c
	}
	// The periods from the first to the last are slots of equal width; a period is drawn at its
	// slot's middle, so that one period alone sits in the middle of the plot.
	first := series[0].Start
	span := t.Period.Between(first, series[len(series)-1].Start) + 1
	slot := plotW / float64(span)
	x := func(i int) float64 { return left + slot*(float64(i)+0.5) }
	step := (span + maxTicks - 1) / maxTicks
	for i := 0; i < span; i += step {
		c.Ticks = append(c.Ticks, Tick{X: x(i), Y: c.Y0 + 16, Label: tickLabel(t.Period, t.Period.Add(first, i))})
	}
	most := 1
	for _, p := range series {
		most = max(most, p.N)
	}
	barW := min(slot*0.6, 36)
	idx := make([]int, len(series))
	for j, p := range series {
		idx[j] = t.Period.Between(first, p.Start)
		bh := stripH * float64(p.N) / float64(most)
		c.Counts = append(c.Counts, CountBar{X: x(idx[j]) - barW/2, Y: c.StripBase - bh, W: barW, H: bh, N: p.N,
			TextX: x(idx[j]), TextY: c.StripBase + 14, Class: "count"})
	}
	if slot < 22 {
		// Too narrow for a count under each bar: the bars' titles still give them.
		for j := range c.Counts {
			c.Counts[j].Class = "count hidden"
		}
	}
	for k, class := range h.Classes {
		l := TrendLine{Class: clean(class), Colour: classColour(k)}
		var run []string
		for j, p := range series {
			share := p.Share(hi, k)
			d := TrendDot{X: x(idx[j]), Y: y(share), Share: share, Label: t.Label(p), N: p.N}
			l.Dots = append(l.Dots, d)
			if j > 0 && idx[j] != idx[j-1]+1 {
				l.Runs, run = appendRun(l.Runs, run), nil // a period without comments: a gap
			}
			run = append(run, fmt.Sprintf("%.1f,%.1f", d.X, d.Y))
		}
		l.Runs = appendRun(l.Runs, run)
		c.Lines = append(c.Lines, l)
	}
	return c
}

// appendRun adds a run of points as a polyline, if it has a segment to draw: a period alone is
// drawn by its dot.
func appendRun(runs, run []string) []string {
	if len(run) < 2 {
		return runs
	}
	return append(runs, strings.Join(run, " "))
}

func classColour(k int) string {
	if k < len(trendColours) {
		return trendColours[k].String()
	}
	return otherColour.String()
}

// tickLabel is a period's short name on a time axis: "2 Nov" for a day or a week's Monday,
// "2026-11" for a month.
func tickLabel(p timestamp.Period, start time.Time) string {
	if p == timestamp.Month {
		return p.Label(start)
	}
	return start.Format("2 Jan")
}

// Render writes the page to w.
func (p *TrendPage) Render(w io.Writer) error {
	return trendPage.Execute(w, p)
}
