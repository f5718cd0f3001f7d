package htmlreport

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/commentstance/stance/metrics"
)

// TestNotesNameTheColoursDrawn: the how-to-read notes name the colours the page draws: the
// confusion matrix's right and wrong cells and the reliability diagram's gap, and no colour
// the page does not draw ("red": the errors are drawn in vermillion, an orange-red).
func TestNotesNameTheColoursDrawn(t *testing.T) {
	p := handMadePage(t)
	var buf bytes.Buffer
	if err := p.Render(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	_, notes, ok := strings.Cut(page, "How to read this report")
	if !ok {
		t.Fatal("no notes")
	}
	right, _ := shade(1, true)
	wrong, _ := shade(1, false)
	for _, tt := range []struct{ what, colour, drawn string }{
		{"the right cells", right, "background:" + right},
		{"the wrong cells", wrong, "background:" + wrong},
		{"the gap", colGap, `stroke="` + colGap + `"`},
	} {
		name := colourName[tt.colour]
		if name == "" {
			t.Errorf("%s: colour %s has no name", tt.what, tt.colour)
			continue
		}
		if !strings.Contains(notes, "("+name+")") && !strings.Contains(notes, name+" shows") {
			t.Errorf("the notes do not name %s's colour %q:\n%s", tt.what, name, notes)
		}
		if tt.what != "the wrong cells" && !strings.Contains(page, tt.drawn) {
			t.Errorf("the page does not draw %s in %s", tt.what, tt.colour)
		}
	}
	if regexp.MustCompile(`[^-]\bred\b`).MatchString(notes) {
		t.Errorf("the notes say red, which the page does not draw:\n%s", notes)
	}
}

// TestBarLabelsClearTheMacroF1Line: a bar's value label never lies across the dashed macro-F1
// line, and stays after its bar.
func TestBarLabelsClearTheMacroF1Line(t *testing.T) {
	for _, rep := range []metrics.Report{
		{MacroF1: 0.5, PerClass: []metrics.ClassStats{{Class: "A", Precision: 0.45, Recall: 0.48, F1: 0.5}, {Class: "B", Precision: 0.55, Recall: 0.2, F1: 0.5}}},
		{MacroF1: 0.9, PerClass: []metrics.ClassStats{{Class: "A", Precision: 0.87, Recall: 0.95, F1: 0.9}, {Class: "B", Precision: 1, Recall: 0.85, F1: 0.9}}},
		{MacroF1: 0.05, PerClass: []metrics.ClassStats{{Class: "A", Precision: 0, Recall: 0.01, F1: 0.05}, {Class: "B", Precision: 0.1, Recall: 0.09, F1: 0.05}}},
	} {
		c := newPRFChart(rep)
		for _, cl := range c.Classes {
			for _, b := range cl.Bars {
				if c.MacroX >= b.ValX-1 && c.MacroX <= b.ValX+valW {
					t.Errorf("macro-F1 %v at x=%.1f crosses the label of %s's bar %v at [%.1f, %.1f]", rep.MacroF1, c.MacroX, cl.Class, b.Value, b.ValX, b.ValX+valW)
				}
				if b.ValX < b.X+b.W+3 || b.ValX+valW > c.W {
					t.Errorf("label of %s's bar %v at %.1f: bar ends at %.1f, chart %.1f wide", cl.Class, b.Value, b.ValX, b.X+b.W, c.W)
				}
			}
		}
	}
}

// TestDataLineNamesTheArticles: the page's data line names the articles file beside the data.
func TestDataLineNamesTheArticles(t *testing.T) {
	res, reports := handMade(t)
	p, err := New(res, reports, Options{Data: []string{"comments.csv"}, Articles: "مقالات.csv", Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Render(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<dt>articles</dt><dd><code dir="auto">مقالات.csv</code></dd>`) {
		t.Errorf("no articles line:\n%.1500s", buf.String())
	}
}
