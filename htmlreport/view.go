// Package htmlreport renders an evaluation as one self-contained HTML page (inline CSS and SVG,
// no script, no external asset) that shows each head's figures as pictures: headline numbers,
// the confusion matrix as a heat map, per-class precision, recall and F1 as bars, a reliability
// diagram, the accuracy-coverage curve (with the point of the thresholds under which labels are
// withheld, when given), and the comments the model got wrong most confidently. It also renders
// stance summarize --by-time's page: per article, a line chart per head of each class's share per
// period.
//
// Data enters as an evaluation.Result and its []evaluation.HeadReport; New builds the page's
// view model (Page: every figure, colour and chart coordinate the page shows), and Page.Render
// writes it with html/template, which escapes each value for its context; likewise an
// evaluation.Trend, NewTrends and TrendPage.Render. The markup of both is also well-formed XML
// (every element closed, no named entities beyond XML's, control characters replaced), so that
// tests can read it with encoding/xml.
package htmlreport

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/metrics"
)

const (
	// Bins is the number of equal-width confidence bins of the reliability diagram. ECE depends
	// on it, so ECEs compare only at equal bin counts.
	Bins = 10
	// Mistakes is how many confidently wrong comments the report lists per head.
	Mistakes = 8
	// mistakeRunes caps the length of a comment shown in the report.
	mistakeRunes = 280
)

// Options are what the page says besides the evaluation.
type Options struct {
	Title    string    // what was evaluated on how many comments; "" means Result.Title()
	Data     []string  // the data files
	Articles string    // the articles file joined to them, if any
	Date     time.Time // when; the zero time means now
	Version  string    // the program's version
}

// Page is the view model of the whole report.
type Page struct {
	Title    string
	CV       bool   // evaluated by cross-validation rather than a model file
	Source   string // the model's path, or "K-fold CV grouped by X"
	IDs      bool   // the comments have ids: the mistakes show them
	Data     []string
	Articles string
	Date     string
	// Right, Wrong and Gap name the colours of the confusion matrix's diagonal and other cells
	// and of the reliability diagram's gap, for the notes on reading the page.
	Right, Wrong, Gap string
	Version           string
	Heads             []Head
}

// Head is one head's section.
type Head struct {
	Anchor    int // the section is #head-Anchor
	Name      string
	Note      string
	Cards     []Card
	Rows      int  // rows with a gold label
	IDs       bool // the comments have ids: the mistakes show them
	Confusion Confusion
	PRF       PRFChart
	By        *By
	Repeats   *evaluation.RepeatStats
	Calib     *Calibration // nil when the evaluation holds no probabilities
	Coverage  *Coverage    // likewise
	Mistakes  []Mistake    // most confident first
}

// Card is a headline figure with a bar under it.
type Card struct {
	Class, Label string
	Value        float64
	Meter        float64 // the bar's width in percent
	Gloss        *Gloss  // the official metric in words, or else Sub
	Sub          string
}

// Gloss names an official metric in words. Class names are isolated (bdi) by the template, so
// that Arabic names keep their order among the Latin text around them.
type Gloss struct {
	Spec  string      // the metric's name, for all but f_avg
	Words string      // after the name: ": mean F1 of all classes"
	Names []GlossName // f_avg's classes
	Of    []GlossName // f_avg's classes again, as "F1 of A", "mean F1 of A, B and C"
	Mean  bool        // more than one class: "mean F1 of"
}

// GlossName is a class name and what comes before it in a list.
type GlossName struct{ Sep, Name string }

// Confusion is the confusion matrix, its cells shaded by their share of the row: blue on the
// diagonal, red off it.
type Confusion struct {
	Classes   []string
	Rows      []ConfusionRow
	ColTotals []int
	N         int
}

// ConfusionRow is a gold class's row.
type ConfusionRow struct {
	Name  string
	Cells []Cell
	Total int
}

// Cell is one count of the confusion matrix.
type Cell struct {
	Gold, Pred string
	Count      int
	Total      int     // of the row
	Pct        float64 // share of the row, in percent
	BG, FG     string  // background and text colour
}

// By is a head's figures per article (or group) and their unweighted mean.
type By struct {
	Name   string
	Groups []evaluation.GroupFigures
	Mean   evaluation.Figures
}

// Calibration is the reliability diagram and the calibration figures in words.
type Calibration struct {
	ECE, MCE float64
	Bins     []metrics.Bin
	MeanConf float64 // mean confidence of the predicted class
	Accuracy float64
	// Verdict is "over", "under" or "as": whether the mean confidence is above the accuracy
	// by more than 0.02, below it, or within.
	Verdict string
	Chart   ReliabilityChart
}

// Mistake is a comment whose predicted class is not its gold class.
type Mistake struct {
	ID, Text, Gold, Pred string
	Conf                 float64 // NaN without probabilities
}

// New builds the page of res, whose figures are reports: it joins them with res's rows (the
// confidence of each predicted class, the probability the scoring model gave it, found by
// class name; the mistakes). Rows without a gold label are left out, as Reports leaves them.
func New(res *evaluation.Result, reports []evaluation.HeadReport, o Options) (*Page, error) {
	if o.Title == "" {
		o.Title = res.Title()
	}
	if o.Date.IsZero() {
		o.Date = time.Now()
	}
	p := &Page{Title: clean(o.Title), CV: res.CrossValidation(), Source: clean(res.Model), IDs: res.HasID,
		Articles: clean(o.Articles), Date: o.Date.Format("2006-01-02 15:04 MST"), Version: clean(o.Version),
		Right: colourName[cellColour(true).String()], Wrong: colourName[cellColour(false).String()], Gap: colourName[colGap]}
	if p.CV {
		p.Source = fmt.Sprintf("%d-fold CV grouped by %s", res.K, res.GroupBy)
	}
	for _, d := range o.Data {
		p.Data = append(p.Data, clean(d))
	}
	for i, hr := range reports {
		h, err := newHead(i+1, res, hr)
		if err != nil {
			return nil, err
		}
		p.Heads = append(p.Heads, h)
	}
	return p, nil
}

func newHead(anchor int, res *evaluation.Result, hr evaluation.HeadReport) (Head, error) {
	rep := hr.Report
	h := Head{Anchor: anchor, Name: clean(hr.Head), Note: clean(hr.Note), Rows: rep.N, Repeats: hr.Repeats,
		IDs: res.HasID, Confusion: newConfusion(rep), PRF: newPRFChart(rep)}
	h.Cards = []Card{
		{Class: "official", Label: "official metric", Value: rep.Official, Gloss: gloss(rep.Metric)},
		{Class: "accuracy", Label: "accuracy", Value: rep.Accuracy, Sub: "share of comments right"},
		{Class: "macro-f1", Label: "macro-F1", Value: rep.MacroF1, Sub: fmt.Sprintf("mean F1 of the %d classes", len(rep.Classes))},
	}
	for i := range h.Cards {
		h.Cards[i].Meter = 100 * clamp01(h.Cards[i].Value)
	}
	if hr.By != nil {
		h.By = &By{Name: clean(hr.ByName), Mean: *hr.ByMean}
		for _, g := range hr.By {
			g.Key = clean(g.Key)
			h.By.Groups = append(h.By.Groups, g)
		}
	}
	gold, pred, probs := res.Gold[hr.Head], res.Pred[hr.Head], res.Probs[hr.Head]
	withProbs := len(probs) == len(gold)
	var conf []float64
	var correct []bool
	for i, g := range gold {
		if g == "" {
			continue
		}
		c := math.NaN()
		if withProbs {
			c = probs[i].Of(pred[i])
			conf = append(conf, c)
			correct = append(correct, g == pred[i])
		}
		if g != pred[i] {
			m := Mistake{Gold: clean(g), Pred: clean(pred[i]), Conf: c}
			if i < len(res.IDs) {
				m.ID = clean(res.IDs[i])
			}
			if i < len(res.Texts) {
				m.Text = clean(shorten(res.Texts[i], mistakeRunes))
			}
			h.Mistakes = append(h.Mistakes, m)
		}
	}
	if withProbs && len(conf) > 0 {
		cal, err := metrics.Reliability(conf, correct, Bins)
		if err != nil {
			return h, fmt.Errorf("head %s: %w", hr.Head, err)
		}
		h.Calib = newCalibration(cal, conf, rep.Accuracy, anchor)
		h.Coverage = newCoverage(evaluation.AccuracyCoverage(conf, correct), hr.Abstain)
		// Most confident first; NaN (no probabilities) never happens here.
		slices.SortStableFunc(h.Mistakes, func(a, b Mistake) int { return cmp.Compare(b.Conf, a.Conf) })
	}
	h.Mistakes = h.Mistakes[:min(len(h.Mistakes), Mistakes)]
	return h, nil
}

func newCalibration(cal metrics.Calibration, conf []float64, accuracy float64, anchor int) *Calibration {
	c := &Calibration{ECE: cal.ECE, MCE: cal.MCE, Bins: cal.Bins, Accuracy: accuracy}
	for _, v := range conf {
		c.MeanConf += v
	}
	c.MeanConf /= float64(len(conf))
	switch diff := c.MeanConf - accuracy; {
	case diff > 0.02:
		c.Verdict = "over"
	case diff < -0.02:
		c.Verdict = "under"
	default:
		c.Verdict = "as"
	}
	c.Chart = newReliabilityChart(cal, fmt.Sprintf("hatch-%d", anchor))
	return c
}

// gloss names an official metric spec in words.
func gloss(spec string) *Gloss {
	switch {
	case spec == "macro_f1":
		return &Gloss{Spec: spec, Words: ": mean F1 of all classes"}
	case spec == "accuracy":
		return &Gloss{Spec: spec, Words: ": share of comments right"}
	case spec == "fnc_score":
		return &Gloss{Spec: spec, Words: ": FNC-1 weighted score"}
	case strings.HasPrefix(spec, "f_avg(") && strings.HasSuffix(spec, ")"):
		names := strings.Split(spec[len("f_avg("):len(spec)-1], ",")
		g := &Gloss{Mean: len(names) > 1}
		for i, n := range names {
			n = clean(n)
			sep := ","
			if i == 0 {
				sep = ""
			}
			g.Names = append(g.Names, GlossName{sep, n})
			switch {
			case i == 0:
				sep = ""
			case i == len(names)-1:
				sep = " and "
			default:
				sep = ", "
			}
			g.Of = append(g.Of, GlossName{sep, n})
		}
		return g
	}
	return &Gloss{Spec: clean(spec)}
}

func newConfusion(rep metrics.Report) Confusion {
	nc := len(rep.Classes)
	cm := Confusion{ColTotals: make([]int, nc), N: rep.N}
	for _, c := range rep.Classes {
		cm.Classes = append(cm.Classes, clean(c))
	}
	for _, row := range rep.Confusion {
		for j, x := range row {
			if j < nc {
				cm.ColTotals[j] += x
			}
		}
	}
	for i, row := range rep.Confusion {
		total := 0
		for _, x := range row {
			total += x
		}
		r := ConfusionRow{Total: total}
		if i < nc {
			r.Name = cm.Classes[i]
		}
		for j, x := range row {
			share := 0.0
			if total > 0 {
				share = float64(x) / float64(total)
			}
			c := Cell{Gold: r.Name, Count: x, Total: total, Pct: 100 * share}
			c.BG, c.FG = shade(share, i == j)
			if j < nc {
				c.Pred = cm.Classes[j]
			}
			r.Cells = append(r.Cells, c)
		}
		cm.Rows = append(cm.Rows, r)
	}
	return cm
}

// cellColour is the full colour of a confusion matrix cell: Okabe and Ito's colour-blind-safe
// blue on the diagonal, vermillion for errors.
func cellColour(diagonal bool) rgb {
	if diagonal {
		return blue
	}
	return vermillion
}

// shade is a cell's background and text colour for a share of its row: white at 0, the full
// colour (cellColour) at 1.
func shade(share float64, diagonal bool) (bg, fg string) {
	to := cellColour(diagonal)
	t := 0.08 + 0.92*clamp01(share)
	if share == 0 {
		t = 0
	}
	var c [3]int
	for k := range c {
		c[k] = int(math.Round(255 + t*(float64(to[k])-255)))
	}
	fg = "#1b1f24"
	if t > 0.55 {
		fg = "#ffffff"
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]), fg
}

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

// shorten cuts s to n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// clean replaces what XML 1.0 forbids (section 2.2: control characters other than tab, newline
// and carriage return, and invalid UTF-8), which a comment's text may hold, so that the page
// stays well-formed XML; html/template escapes the rest.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return r
		}
		if r < 0x20 || r == 0xFFFE || r == 0xFFFF {
			return '\uFFFD'
		}
		return r
	}, s)
}
