package htmlreport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/commentstance/stance/classifier"
	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/timestamp"
)

var trendName = `<i>&"مقال"`

// handMadeTrend tallies by day: article trendName on 2, 3 and 5 November (4 November has no
// comment), article "b" on one day.
func handMadeTrend(t *testing.T) *evaluation.Trend {
	t.Helper()
	m := &classifier.Model{Heads: []classifier.Head{{Name: "stance", Classes: []string{"AGAINST", "FAVOR", "<NONE>"}}}}
	tr := evaluation.NewTrend(m, evaluation.ByArticle, timestamp.Day)
	for _, r := range []struct {
		key, at string
		probs   []float64
	}{
		{trendName, "2026-11-02T08:00:00Z", []float64{0.2, 0.8, 0}},
		{trendName, "2026-11-02T09:00:00Z", []float64{0.4, 0.6, 0}},
		{trendName, "2026-11-03T01:00:00+03:00", []float64{0.5, 0.5, 0}}, // 2 November in UTC
		{trendName, "2026-11-03T12:00:00Z", []float64{1, 0, 0}},
		{trendName, "2026-11-05T12:00:00Z", []float64{0, 0, 1}},
		{"b", "2026-11-04T12:00:00Z", []float64{0, 1, 0}},
	} {
		at, err := timestamp.Parse(r.at)
		if err != nil {
			t.Fatal(err)
		}
		tr.Add(r.key, at, &classifier.Scores{Best: []int{0}, Probs: [][]float64{r.probs}})
	}
	return tr
}

func TestNewTrends(t *testing.T) {
	p := NewTrends(handMadeTrend(t), TrendOptions{Model: "m.stance", Data: "c.csv", TimeColumn: "created_at",
		Date: time.Date(2026, 11, 6, 9, 0, 0, 0, time.UTC), Version: "test"})
	if p.Title != "Class shares per day: 6 comments on 2 articles" || p.Date != "2026-11-06 09:00 UTC" || p.Comments != 6 {
		t.Errorf("title %q, date %q, comments %d", p.Title, p.Date, p.Comments)
	}
	if len(p.Groups) != 2 {
		t.Fatalf("%d groups, want 2", len(p.Groups))
	}
	g := p.Groups[0]
	if g.Name != trendName || g.N != 5 || g.Periods != 3 || g.First != "2026-11-02" || g.Last != "2026-11-05" || len(g.Charts) != 1 {
		t.Fatalf("group %+v", g)
	}
	c := g.Charts[0]
	// Four days from 2 to 5 November: slots of 420/4 = 105 units from x = 46, each period at its
	// slot's middle; the plot's y runs from 234 (share 0) up to 34 (share 1).
	wantX := []float64{98.5, 203.5, 413.5}
	var labels []string
	for _, tk := range c.Ticks {
		labels = append(labels, tk.Label)
	}
	if !slices.Equal(labels, []string{"2 Nov", "3 Nov", "4 Nov", "5 Nov"}) {
		t.Errorf("ticks %q, want every day from 2 to 5 Nov", labels)
	}
	favor := c.Lines[1]
	if favor.Class != "FAVOR" || favor.Colour != vermillion.String() || len(favor.Dots) != 3 {
		t.Fatalf("FAVOR's line %+v", favor)
	}
	// FAVOR: 2 Nov (0.8 + 0.6 + 0.5) / 3 = 0.6333, 3 Nov 0, 5 Nov 0.
	for i, d := range favor.Dots {
		if d.X != wantX[i] {
			t.Errorf("dot %d at x %v, want %v", i, d.X, wantX[i])
		}
	}
	if d := favor.Dots[0]; d.N != 3 || d.Label != "2026-11-02" || d.Y != 34+200*(1-d.Share) || d.Share < 0.6333 || d.Share > 0.6334 {
		t.Errorf("first dot %+v, want 3 comments with a share of 0.6333 at y = 34 + 200(1 - share)", d)
	}
	// 4 November has no comment: the line breaks there, and 5 November is a lone dot.
	if want := []string{"98.5,107.3 203.5,234.0"}; !slices.Equal(favor.Runs, want) {
		t.Errorf("runs %q, want %q", favor.Runs, want)
	}
	var ns []int
	for _, cb := range c.Counts {
		ns = append(ns, cb.N)
	}
	if !slices.Equal(ns, []int{3, 1, 1}) || c.Counts[0].H != 40 || c.Counts[1].TextX != 203.5 {
		t.Errorf("counts %+v, want 3, 1, 1, the first the full strip's 40 units high", c.Counts)
	}
	// One period alone sits in the middle of the plot.
	b := p.Groups[1].Charts[0]
	if len(b.Ticks) != 1 || b.Ticks[0].X != 46+210 || b.Lines[1].Dots[0].Y != 34 || len(b.Lines[1].Runs) != 0 {
		t.Errorf("b's chart: ticks %+v, FAVOR %+v", b.Ticks, b.Lines[1])
	}
}

// TestTrendTicksThin: a long span names at most maxTicks periods on its axis.
func TestTrendTicksThin(t *testing.T) {
	m := &classifier.Model{Heads: []classifier.Head{{Name: "stance", Classes: []string{"A", "B"}}}}
	tr := evaluation.NewTrend(m, evaluation.ByArticle, timestamp.Week)
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for w := 0; w < 30; w += 3 {
		tr.Add("a", start.AddDate(0, 0, 7*w), &classifier.Scores{Best: []int{0}, Probs: [][]float64{{0.5, 0.5}}})
	}
	c := NewTrends(tr, TrendOptions{}).Groups[0].Charts[0]
	if n := len(c.Ticks); n > maxTicks || n < 4 || c.Ticks[0].Label != "5 Jan" {
		t.Errorf("%d ticks %+v, want from 4 to %d, the first 5 Jan", n, c.Ticks, maxTicks)
	}
	if len(c.Lines[0].Runs) != 0 || len(c.Lines[0].Dots) != 10 {
		t.Errorf("every third week: 10 lone dots, no runs; got %+v", c.Lines[0])
	}
	if c.Counts[0].Class != "count hidden" {
		t.Errorf("28 slots of 15 units: the counts under the bars are hidden, got %q", c.Counts[0].Class)
	}
}

// TestTrendsRenderIsWellFormed renders the hand-made trends page and reads it back with
// encoding/xml in strict mode, as TestRenderIsWellFormed reads the evaluation's page.
func TestTrendsRenderIsWellFormed(t *testing.T) {
	var buf bytes.Buffer
	p := NewTrends(handMadeTrend(t), TrendOptions{Model: "m.stance", Data: "<c>.csv", TimeColumn: "created_at"})
	if err := p.Render(&buf); err != nil {
		t.Fatal(err)
	}
	page, ok := strings.CutPrefix(buf.String(), "<!DOCTYPE html>\n")
	if !ok {
		t.Fatalf("no doctype:\n%.100s", buf.String())
	}
	d := xml.NewDecoder(strings.NewReader(page))
	var stack []string
	var h2 []string
	polylines, circles := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			switch n := tok.Name.Local; n {
			case "script", "img", "link", "iframe":
				t.Errorf("a <%s> element: the page should hold only its own markup", n)
			case "polyline":
				polylines++
			case "circle":
				circles++
			}
			for _, a := range tok.Attr {
				if (a.Name.Local == "href" || a.Name.Local == "src") && !strings.HasPrefix(a.Value, "#") {
					t.Errorf("%s=%q: the page should need nothing outside itself", a.Name.Local, a.Value)
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 1 && stack[len(stack)-2] == "h2" {
				h2 = append(h2, string(tok))
			}
		}
	}
	if len(h2) < 1 || h2[0] != trendName {
		t.Errorf("the first section's heading reads %q, want it as text: %q", h2, trendName)
	}
	// A run per class in the article with three days (one without a segment: 5 Nov), a dot per
	// class and period: 3 classes × (3 + 1) periods.
	if polylines != 3 || circles != 12 {
		t.Errorf("%d polylines and %d dots, want 3 and 12", polylines, circles)
	}
}
