package htmlreport

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/commentstance/stance/evaluation"
)

// handMade is an evaluation whose names and texts need escaping or are Arabic, and whose rows
// were scored by models with different class lists, as the fold models of cross-validation
// may be.
func handMade(t *testing.T) (*evaluation.Result, []evaluation.HeadReport) {
	t.Helper()
	head := "الموقف"
	ab := []string{"مؤيد", "معارض"}
	abc := []string{"<b>&x</b>", "مؤيد", "معارض"}
	res := &evaluation.Result{
		K:       3,
		GroupBy: evaluation.ByArticle,
		Heads:   []string{head},
		Gold:    map[string][]string{head: {"مؤيد", "معارض", "<b>&x</b>", "مؤيد", ""}},
		Pred:    map[string][]string{head: {"مؤيد", "مؤيد", "<b>&x</b>", "معارض", "مؤيد"}},
		Probs: map[string][]evaluation.ClassProbs{head: {
			{Classes: ab, P: []float64{0.95, 0.05}},        // right, 0.95
			{Classes: ab, P: []float64{0.65, 0.35}},        // wrong, 0.65
			{Classes: abc, P: []float64{0.55, 0.25, 0.20}}, // right, 0.55
			{Classes: abc, P: []float64{0.20, 0.38, 0.42}}, // wrong, 0.42
			{Classes: ab, P: []float64{0.5, 0.5}},          // no gold label: left out
		}},
		IDs:   []string{"a1", "a2", "a3", "a4", "a5"},
		HasID: true,
		Texts: []string{"نص أول", "bad \x01 control and \xff byte", "x", "y", "z"},
	}
	reports, err := evaluation.Reports(res, map[string]string{head: "f_avg(مؤيد,معارض)"})
	if err != nil {
		t.Fatal(err)
	}
	return res, reports
}

var title = `<script>alert("x")</script> & تقييم`

func handMadePage(t *testing.T) *Page {
	t.Helper()
	res, reports := handMade(t)
	p, err := New(res, reports, Options{Title: title, Data: []string{"تعليقات.csv"}, Date: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNew(t *testing.T) {
	p := handMadePage(t)
	if p.Title != title || !p.CV || p.Source != "3-fold CV grouped by article" || p.Date != "2026-01-02 03:04 UTC" || !p.IDs {
		t.Errorf("page title %q, cv %v, source %q, date %q, ids %v", p.Title, p.CV, p.Source, p.Date, p.IDs)
	}
	if len(p.Heads) != 1 {
		t.Fatalf("%d heads, want 1", len(p.Heads))
	}
	h := p.Heads[0]
	// Classes sorted: <b>&x</b>, مؤيد, معارض. Row a5 has no gold label.
	var counts [][]int
	for _, r := range h.Confusion.Rows {
		var row []int
		for _, c := range r.Cells {
			row = append(row, c.Count)
		}
		counts = append(counts, row)
	}
	if got := fmt.Sprint(counts); got != "[[1 0 0] [0 1 1] [0 1 0]]" || h.Confusion.N != 4 || fmt.Sprint(h.Confusion.ColTotals) != "[1 2 1]" {
		t.Errorf("confusion %s, column totals %v, n %d; want [[1 0 0] [0 1 1] [0 1 0]], [1 2 1], 4", got, h.Confusion.ColTotals, h.Confusion.N)
	}
	if c := h.Confusion.Rows[1].Cells[2]; c.Gold != "مؤيد" || c.Pred != "معارض" || c.Pct != 50 || c.Total != 2 {
		t.Errorf("cell (مؤيد, معارض) = %+v, want 1 of 2, 50%%", c)
	}
	// Bins: 0.95 right (bin 9), 0.65 wrong (bin 6), 0.55 right (bin 5), 0.42 wrong (bin 4).
	// ECE = (|1-0.95| + |0-0.65| + |1-0.55| + |0-0.42|) / 4 = (0.05+0.65+0.45+0.42)/4 = 0.3925
	// (Guo et al. 2017, equation 3).
	if h.Calib == nil || h.Calib.ECE != 0.3925 || h.Calib.MCE != 0.65 {
		t.Fatalf("calibration %+v, want ECE 0.3925, MCE 0.65", h.Calib)
	}
	if mean := (0.95 + 0.65 + 0.55 + 0.42) / 4; math.Abs(h.Calib.MeanConf-mean) > 1e-12 || h.Calib.Verdict != "over" {
		t.Errorf("mean confidence %v, verdict %q; want %v (accuracy 0.5), over", h.Calib.MeanConf, h.Calib.Verdict, mean)
	}
	want := []Mistake{
		{ID: "a2", Text: "bad \uFFFD control and \uFFFD byte", Gold: "معارض", Pred: "مؤيد", Conf: 0.65},
		{ID: "a4", Text: "y", Gold: "مؤيد", Pred: "معارض", Conf: 0.42},
	}
	if !reflect.DeepEqual(h.Mistakes, want) {
		t.Errorf("mistakes %+v\nwant %+v", h.Mistakes, want)
	}
	if h.Cards[0].Gloss == nil || len(h.Cards[0].Gloss.Names) != 2 || !h.Cards[0].Gloss.Mean {
		t.Errorf("official card %+v, want the gloss of f_avg over 2 classes", h.Cards[0])
	}
	if len(h.PRF.Classes) != 3 || h.PRF.Classes[0].Class != "<b>&x</b>" || len(h.PRF.Classes[0].Bars) != 3 {
		t.Errorf("per-class chart %+v", h.PRF.Classes)
	}
}

func TestNewWithoutProbabilities(t *testing.T) {
	res, reports := handMade(t)
	res.Probs = nil
	p, err := New(res, reports, Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := p.Heads[0]
	if h.Calib != nil || len(h.Mistakes) != 2 || !math.IsNaN(h.Mistakes[0].Conf) {
		t.Errorf("calibration %v, mistakes %+v; want none, and 2 mistakes without confidence", h.Calib, h.Mistakes)
	}
	if p.Title != res.Title() {
		t.Errorf("title %q, want the result's %q", p.Title, res.Title())
	}
}

func TestGloss(t *testing.T) {
	for _, tt := range []struct {
		spec, want string
	}{
		{"macro_f1", `<span class="spec">macro_f1</span>: mean F1 of all classes`},
		{"fnc_score", `<span class="spec">fnc_score</span>: FNC-1 weighted score`},
		{"f_avg(FAVOR)", `<span class="spec">f_avg(<bdi>FAVOR</bdi>)</span>: F1 of <bdi>FAVOR</bdi>`},
		{"f_avg(A,B,C)", `<span class="spec">f_avg(<bdi>A</bdi>,<bdi>B</bdi>,<bdi>C</bdi>)</span>: mean F1 of <bdi>A</bdi>, <bdi>B</bdi> and <bdi>C</bdi>`},
		{"f_avg(<i>,x)", `<span class="spec">f_avg(<bdi>&lt;i&gt;</bdi>,<bdi>x</bdi>)</span>: mean F1 of <bdi>&lt;i&gt;</bdi> and <bdi>x</bdi>`},
		{"odd&spec", `<span class="spec">odd&amp;spec</span>`},
	} {
		t.Run(tt.spec, func(t *testing.T) {
			var b strings.Builder
			if err := page.ExecuteTemplate(&b, "gloss", gloss(tt.spec)); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("gloss(%q) renders\n%s\nwant\n%s", tt.spec, b.String(), tt.want)
			}
		})
	}
}

func TestShade(t *testing.T) {
	for _, tt := range []struct {
		share    float64
		diagonal bool
		bg, fg   string
	}{
		{0, true, "#ffffff", "#1b1f24"},
		{1, true, "#0072b2", "#ffffff"},
		{1, false, "#d55e00", "#ffffff"},
		{0.5, false, "#e8a875", "#1b1f24"}, // t = 0.08 + 0.92·0.5 = 0.54 of the way from white to #d55e00
	} {
		if bg, fg := shade(tt.share, tt.diagonal); bg != tt.bg || fg != tt.fg {
			t.Errorf("shade(%v, %v) = %s, %s; want %s, %s", tt.share, tt.diagonal, bg, fg, tt.bg, tt.fg)
		}
	}
}

// TestRenderIsWellFormed renders the hand-made page and reads it back with encoding/xml in
// strict mode, which checks that it is well-formed (every element closed, every entity one of
// XML's), that every value was escaped as text, and that the page needs nothing outside itself.
func TestRenderIsWellFormed(t *testing.T) {
	var buf bytes.Buffer
	if err := handMadePage(t).Render(&buf); err != nil {
		t.Fatal(err)
	}
	page, ok := strings.CutPrefix(buf.String(), "<!DOCTYPE html>\n")
	if !ok {
		t.Fatalf("no doctype:\n%.100s", buf.String())
	}
	d := xml.NewDecoder(strings.NewReader(page))
	var stack []string
	var h1 strings.Builder
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
			if n := tok.Name.Local; n == "script" || n == "img" || n == "link" || n == "iframe" {
				t.Errorf("a <%s> element: the page should hold only its own markup", n)
			}
			for _, a := range tok.Attr {
				if (a.Name.Local == "href" || a.Name.Local == "src") && !strings.HasPrefix(a.Value, "#") {
					t.Errorf("%s=%q: the page should need nothing outside itself", a.Name.Local, a.Value)
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] == "h1" {
				h1.Write(tok)
			}
		}
	}
	if h1.String() != title {
		t.Errorf("the title reads %q, want it as text: %q", h1.String(), title)
	}
}
