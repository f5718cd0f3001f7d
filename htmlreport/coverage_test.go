package htmlreport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/evaluation"
)

// TestCoverageView checks the accuracy-coverage panel of handMade's head: its rows with gold
// labels are right at 0.95, wrong at 0.65, right at 0.55 and wrong at 0.42.
func TestCoverageView(t *testing.T) {
	// The chart maps coverage c to x = 56 + 400c and accuracy a to y = 30 + 260(1 − a). The
	// curve by hand: (0.25, 1), (0.5, 1/2), (0.75, 2/3), (1, 1/2).
	const curve = "156.0,30.0 256.0,160.0 356.0,116.7 456.0,160.0"
	// The table: at 0.5 the three rows from 0.55 up, at 0.6 and 0.7 the two from 0.65 (0.7: one),
	// 0.8 and 0.9 the one at 0.95.
	const table = "[{0.5 3 1 0.75 0.6667 false} {0.6 2 2 0.5 0.5 false} {0.7 1 3 0.25 1 false} {0.8 1 3 0.25 1 false} {0.9 1 3 0.25 1 false}]"
	for _, tt := range []struct {
		name     string
		t        abstain.Thresholds
		mark     string // fmt of the mark's X, Y, Anchor, Label, or "<nil>"
		perClass string
		text     []string // in the rendered page
	}{
		{name: "without thresholds", mark: "<nil>",
			text: []string{"Every comment is labelled (no <code>--min-prob</code>)"}},
		// 0.6: the rows at 0.95 and 0.65 are labelled, one right: coverage 0.5, accuracy 0.5.
		{name: "min_prob 0.6", t: abstain.Thresholds{MinProb: 0.6}, mark: "256.0 160.0 265.0 176.0 start min_prob 0.6",
			text: []string{"With labels under p 0.6 withheld for review, 2 of 4 comments are labelled and <b>2 go to review</b>",
				"accuracy 0.5000, macro-F1 0.2222, official metric 0.3333", `<circle cx="256.0" cy="160.0" r="5"`}},
		// The class <b>&x</b> from 0.5 adds the row at 0.55 (right): coverage 0.75, accuracy 2/3,
		// to the left of its point (coverage above 0.6).
		{name: "and one class from 0.5", t: abstain.Thresholds{MinProb: 0.6, Heads: map[string]abstain.Head{"الموقف": {Classes: map[string]float64{"<b>&x</b>": 0.5}}}},
			mark: "356.0 116.7 347.0 132.7 end min_prob 0.6 (and per class)", perClass: "<b>&x</b> 0.5",
			text: []string{"(predicted &lt;b&gt;&amp;x&lt;/b&gt; 0.5) withheld for review, 3 of 4 comments", "need not lie on the curve"}},
		{name: "none labelled", t: abstain.Thresholds{MinProb: 0.99}, mark: "<nil>",
			text: []string{"0 of 4 comments are labelled and <b>4 go to review</b>", "No comment is labelled."}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, reports := handMade(t)
			if err := evaluation.Abstain(res, reports, tt.t); err != nil {
				t.Fatal(err)
			}
			p, err := New(res, reports, Options{Title: "t", Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			c := p.Heads[0].Coverage
			if c == nil {
				t.Fatal("no coverage panel")
			}
			if c.Chart.Points != curve || c.Chart.N != 4 {
				t.Errorf("curve %q (%d points), want %q", c.Chart.Points, c.Chart.N, curve)
			}
			var rows []string
			for _, r := range c.At {
				rows = append(rows, fmt.Sprintf("{%g %d %d %g %.4g %v}", r.MinProb, r.Labelled, r.Review, r.Coverage, r.Accuracy, r.None))
			}
			if got := "[" + strings.Join(rows, " ") + "]"; got != table {
				t.Errorf("table %s,\nwant  %s", got, table)
			}
			mark := "<nil>"
			if m := c.Chart.Mark; m != nil {
				mark = fmt.Sprintf("%.1f %.1f %.1f %.1f %s %s", m.X, m.Y, m.TextX, m.TextY, m.Anchor, m.Label)
			}
			if mark != tt.mark || c.PerClass != tt.perClass {
				t.Errorf("mark %q, per class %q; want %q, %q", mark, c.PerClass, tt.mark, tt.perClass)
			}
			var buf bytes.Buffer
			if err := p.Render(&buf); err != nil {
				t.Fatal(err)
			}
			for _, want := range append(tt.text, `<polyline points="`+curve+`"`) {
				if !strings.Contains(buf.String(), want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			d := xml.NewDecoder(strings.NewReader(strings.TrimPrefix(buf.String(), "<!DOCTYPE html>\n")))
			for {
				if _, err := d.Token(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
			}
		})
	}
}

// TestCoverageChartThins checks that a curve of many points is drawn with at most one per half
// unit of width, keeping its ends.
func TestCoverageChartThins(t *testing.T) {
	n := 20000
	conf := make([]float64, n)
	correct := make([]bool, n)
	for i := range conf {
		conf[i] = 1 - float64(i)/float64(n)
		correct[i] = i%3 != 1 // the first right
	}
	curve := evaluation.AccuracyCoverage(conf, correct)
	c := newCoverageChart(curve, nil)
	pts := strings.Fields(c.Points)
	if c.N != n || len(pts) > 801+2 || len(pts) < 700 {
		t.Errorf("%d points drawn of %d; want about 800 (400 units of width)", len(pts), c.N)
	}
	if pts[0] != "56.0,30.0" || pts[len(pts)-1] != fmt.Sprintf("456.0,%.1f", 30+260*(1-curve[n-1].Accuracy)) {
		t.Errorf("ends %s and %s, want the curve's first and last points", pts[0], pts[len(pts)-1])
	}
}
