package main

// evaluate --report: one self-contained HTML file (inline CSS and SVG, no script, no external
// asset) that shows each head's figures as pictures: headline numbers, the confusion matrix as a
// heat map, per-class precision, recall and F1 as bars, a reliability diagram, and the comments
// the model got wrong most confidently. The markup is also well-formed XML (every element closed,
// text escaped, no named entities beyond XML's), so that tests can read it with encoding/xml.

import (
	"cmp"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/commentstance/stance/evaluation"
	"github.com/commentstance/stance/metrics"
)

const (
	// reportBins is the number of equal-width confidence bins of the reliability diagram. ECE
	// depends on it, so ECEs compare only at equal bin counts.
	reportBins = 10
	// reportMistakes is how many confidently wrong comments the report lists per head.
	reportMistakes = 8
	// mistakeRunes caps the length of a comment shown in the report.
	mistakeRunes = 280
)

// htmlReport is what the report shows.
type htmlReport struct {
	title   string   // the evaluation's title: what was evaluated on how many comments
	source  string   // the model's path, or "K-fold CV grouped by X"
	cv      bool     // evaluated by cross-validation rather than a model file
	ids     bool     // the comments have ids
	data    []string // the --data files
	date    time.Time
	version string
	heads   []headView
}

// headView is one head's part of the report.
type headView struct {
	evaluation.HeadReport
	cal      *metrics.Calibration // nil when the evaluation holds no probabilities
	meanConf float64              // mean confidence of the predicted class over all rows
	mistakes []mistake            // most confident first
}

// mistake is a comment whose predicted class is not its gold class.
type mistake struct {
	id, text, gold, pred string
	conf                 float64
}

// writeHTMLReport writes the report of res, whose figures are reports, to w.
func writeHTMLReport(w io.Writer, title string, res *evaluation.Result, reports []evaluation.HeadReport, data []string, now time.Time) error {
	r, err := newHTMLReport(title, res, reports, data, now)
	if err != nil {
		return err
	}
	return r.render(w)
}

// newHTMLReport joins the figures of reports with ev's rows: the confidence of each predicted
// class (the probability the scoring model gave it, found by class name) and the mistakes.
// Rows without a gold label are left out, as reports leaves them out.
func newHTMLReport(title string, ev *evaluation.Result, reports []evaluation.HeadReport, data []string, now time.Time) (*htmlReport, error) {
	r := &htmlReport{title: title, source: ev.Model, cv: ev.CrossValidation(), data: data, date: now, version: versionString(), ids: ev.HasID}
	if r.cv {
		r.source = fmt.Sprintf("%d-fold CV grouped by %s", ev.K, ev.GroupBy)
	}
	for _, nr := range reports {
		h := headView{HeadReport: nr}
		gold, pred, probs := ev.Gold[nr.Head], ev.Pred[nr.Head], ev.Probs[nr.Head]
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
				m := mistake{gold: g, pred: pred[i], conf: c}
				if i < len(ev.IDs) {
					m.id = ev.IDs[i]
				}
				if i < len(ev.Texts) {
					m.text = ev.Texts[i]
				}
				h.mistakes = append(h.mistakes, m)
			}
		}
		if withProbs && len(conf) > 0 {
			cal, err := metrics.Reliability(conf, correct, reportBins)
			if err != nil {
				return nil, fmt.Errorf("head %s: %w", nr.Head, err)
			}
			h.cal = &cal
			for _, c := range conf {
				h.meanConf += c
			}
			h.meanConf /= float64(len(conf))
			// Most confident first; NaN (no probabilities) never happens here.
			slices.SortStableFunc(h.mistakes, func(a, b mistake) int { return cmp.Compare(b.conf, a.conf) })
		}
		h.mistakes = h.mistakes[:min(len(h.mistakes), reportMistakes)]
		r.heads = append(r.heads, h)
	}
	return r, nil
}

// render writes the whole page with one Write.
func (r *htmlReport) render(w io.Writer) error {
	var b page
	b.s(`<!DOCTYPE html>` + "\n")
	b.s(`<html xmlns="http://www.w3.org/1999/xhtml" lang="en">` + "\n<head>\n")
	b.s(`<meta charset="utf-8"/>` + "\n")
	b.s(`<meta name="viewport" content="width=device-width, initial-scale=1"/>` + "\n")
	b.f("<title>stance evaluation: %s</title>\n", esc(r.title))
	b.s("<style>" + reportCSS + "</style>\n</head>\n<body>\n<main>\n")

	b.s(`<header class="top">` + "\n")
	b.s(`<div class="kicker">stance evaluation report</div>` + "\n")
	b.f(`<h1 dir="auto">%s</h1>`+"\n", esc(r.title))
	b.s(`<dl class="meta">` + "\n")
	if r.cv {
		b.f(`<dt>evaluated by</dt><dd dir="auto">%s: every comment is scored by the model of the fold that did not see it</dd>`+"\n", esc(r.source))
	} else {
		b.f(`<dt>model</dt><dd><code dir="auto">%s</code></dd>`+"\n", esc(r.source))
	}
	if len(r.data) > 0 {
		b.s(`<dt>data</dt><dd>`)
		for i, d := range r.data {
			if i > 0 {
				b.s(", ")
			}
			b.f(`<code dir="auto">%s</code>`, esc(d))
		}
		b.s("</dd>\n")
	}
	b.f("<dt>date</dt><dd>%s</dd>\n", esc(r.date.Format("2006-01-02 15:04 MST")))
	b.s("<dt>heads</dt><dd>")
	for i, h := range r.heads {
		if i > 0 {
			b.s(" ")
		}
		b.f(`<a class="pill" href="#head-%d" dir="auto">%s</a>`, i+1, esc(h.Head))
	}
	b.s("</dd>\n</dl>\n</header>\n")

	for i, h := range r.heads {
		r.head(&b, i+1, h)
	}

	b.s(`<footer>` + "\n")
	b.s(`<h2>How to read this report</h2>` + "\n<ul>\n")
	b.s(`<li><b>Official metric</b>: the task's own figure (<code>metrics.HEAD</code> in the config): <code>f_avg(A,B)</code> is the mean F1 of the named classes (SemEval-2016 Task 6), <code>macro_f1</code> the mean F1 of all classes, <code>fnc_score</code> the FNC-1 weighted score as a share of the best possible.</li>` + "\n")
	b.s(`<li><b>Confusion matrix</b>: rows are the gold classes, columns the predicted ones; each cell holds a count and its share of the row. The diagonal (blue) is right, the rest (red) wrong; the darker, the larger the share of the row.</li>` + "\n")
	b.s(`<li><b>Reliability diagram</b>: each comment's confidence is the probability the model gave to the class it predicted. Comments are put in 10 bins of width 0.1 by confidence; a bar is the share of right predictions in its bin. A calibrated model's bars reach the diagonal; red shows the gap to the bin's mean confidence. The strip below counts comments per bin.</li>` + "\n")
	b.s(`<li><b>ECE</b> (expected calibration error) = Σ<sub>b</sub> (n<sub>b</sub>/N) |acc<sub>b</sub> − conf<sub>b</sub>|, the gap averaged over bins weighted by their size; <b>MCE</b> is the largest gap of a non-empty bin. Both after C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, “On Calibration of Modern Neural Networks”, ICML 2017 (arXiv:1706.04599). ECE depends on the number of bins: compare ECEs only at the same binning (these reports always use 10).</li>` + "\n")
	b.s("</ul>\n")
	b.f(`<p class="muted">made by stance %s</p>`+"\n", esc(r.version))
	b.s("</footer>\n</main>\n</body>\n</html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// head writes one head's section.
func (r *htmlReport) head(b *page, n int, h headView) {
	rep := h.Report
	b.f(`<section class="head" id="head-%d">`+"\n", n)
	b.f(`<h2><span class="muted">head</span> <span class="headname" dir="auto">%s</span></h2>`+"\n", esc(h.Head))
	if h.Note != "" {
		b.f(`<p class="note" dir="auto">%s</p>`+"\n", esc(h.Note))
	}

	b.s(`<div class="cards">` + "\n")
	card(b, "official", "official metric", rep.Official, metricGloss(rep.Metric))
	card(b, "accuracy", "accuracy", rep.Accuracy, "share of comments right")
	card(b, "macro-f1", "macro-F1", rep.MacroF1, fmt.Sprintf("mean F1 of the %d classes", len(rep.Classes)))
	b.f(`<div class="card n"><div class="label">comments</div><div class="value">%d</div><div class="sub">with a gold <bdi>%s</bdi> label</div></div>`+"\n", rep.N, esc(h.Head))
	if h.cal != nil {
		b.f(`<div class="card calib"><div class="label">ECE</div><div class="value">%.4f</div><div class="sub">expected calibration error, lower is better</div></div>`+"\n", h.cal.ECE)
	}
	b.s("</div>\n")

	b.s(`<div class="row">` + "\n")
	b.s(`<figure class="panel"><figcaption>Confusion matrix <span class="muted">rows gold, columns predicted</span></figcaption>` + "\n")
	confusionTable(b, rep)
	b.s("</figure>\n")
	b.s(`<figure class="panel"><figcaption>Per class <span class="muted">precision, recall and F1</span></figcaption>` + "\n")
	prfChart(b, rep)
	b.s("</figure>\n</div>\n")

	if h.By != nil {
		b.f(`<figure class="panel wide"><figcaption>By %s <span class="muted">each one's rows on their own, in order of first appearance</span></figcaption>`+"\n", esc(h.ByName))
		byTable(b, h.HeadReport)
		b.s("</figure>\n")
	}

	if rs := h.Repeats; rs != nil {
		b.f(`<figure class="panel wide"><figcaption>Over %d fold assignments <span class="muted">the cross-validation above is that of seed %d; each seed's figures, then their mean and standard deviation</span></figcaption>`+"\n", len(rs.Seeds), rs.Seeds[0])
		repeatsTable(b, rs)
		b.s("</figure>\n")
	}

	if h.cal != nil {
		b.s(`<div class="row">` + "\n")
		b.s(`<figure class="panel"><figcaption>Reliability diagram <span class="muted">confidence of the predicted class</span></figcaption>` + "\n")
		reliabilityChart(b, h.cal, fmt.Sprintf("hatch-%d", n))
		b.s("</figure>\n")
		b.s(`<div class="panel">` + "\n")
		calibrationSummary(b, h, rep.Accuracy)
		b.s("</div>\n</div>\n")
	}

	if len(h.mistakes) > 0 {
		b.s(`<figure class="panel wide"><figcaption>Most confident mistakes</figcaption>` + "\n")
		mistakesTable(b, h.mistakes, r.ids)
		b.s("</figure>\n")
	}
	b.s("</section>\n")
}

// card writes a headline figure with a bar under it; subHTML is markup.
func card(b *page, class, label string, v float64, subHTML string) {
	b.f(`<div class="card %s"><div class="label">%s</div><div class="value">%.4f</div>`, class, esc(label), v)
	b.f(`<div class="meter"><span style="width:%.1f%%"></span></div>`, 100*clamp01(v))
	b.f(`<div class="sub">%s</div></div>`+"\n", subHTML)
}

// metricGloss names an official metric spec in words, as markup. Class names are isolated
// (bdi), so that Arabic names keep their order among the Latin text around them, and the spec is
// not set in a monospace font, which would break the joining of Arabic letters.
func metricGloss(spec string) string {
	switch {
	case spec == "macro_f1":
		return `<span class="spec">macro_f1</span>: mean F1 of all classes`
	case spec == "accuracy":
		return `<span class="spec">accuracy</span>: share of comments right`
	case spec == "fnc_score":
		return `<span class="spec">fnc_score</span>: FNC-1 weighted score`
	case strings.HasPrefix(spec, "f_avg(") && strings.HasSuffix(spec, ")"):
		names := strings.Split(spec[len("f_avg("):len(spec)-1], ",")
		for i, n := range names {
			names[i] = "<bdi>" + esc(n) + "</bdi>"
		}
		gloss := `<span class="spec">f_avg(` + strings.Join(names, ",") + ")</span>: "
		if len(names) == 1 {
			return gloss + "F1 of " + names[0]
		}
		return gloss + "mean F1 of " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
	}
	return `<span class="spec">` + esc(spec) + "</span>"
}

// confusionTable writes the confusion matrix as a table whose cells are shaded by their share of
// the row: blue on the diagonal, red off it.
func confusionTable(b *page, rep metrics.Report) {
	nc := len(rep.Classes)
	colTotal := make([]int, nc)
	for _, row := range rep.Confusion {
		for j, x := range row {
			if j < nc {
				colTotal[j] += x
			}
		}
	}
	b.s(`<div class="scroll"><table class="cm">` + "\n<thead><tr>")
	b.s(`<th class="corner">gold ↓ predicted →</th>`)
	for _, c := range rep.Classes {
		b.f(`<th class="col" dir="auto">%s</th>`, esc(c))
	}
	b.s(`<th class="total">total</th></tr></thead>` + "\n<tbody>\n")
	for i, row := range rep.Confusion {
		total := 0
		for _, x := range row {
			total += x
		}
		name := ""
		if i < nc {
			name = rep.Classes[i]
		}
		b.f(`<tr><th class="rowname" dir="auto">%s</th>`, esc(name))
		for j, x := range row {
			share := 0.0
			if total > 0 {
				share = float64(x) / float64(total)
			}
			bg, fg := shade(share, i == j)
			pname := ""
			if j < nc {
				pname = rep.Classes[j]
			}
			b.f(`<td class="cell" style="background:%s;color:%s" title="gold %s, predicted %s: %d of %d (%.1f%%)">`,
				bg, fg, esc(name), esc(pname), x, total, 100*share)
			b.f(`<span class="count">%d</span><span class="share">%.0f%%</span></td>`, x, 100*share)
		}
		b.f(`<td class="total">%d</td></tr>`+"\n", total)
	}
	b.s(`</tbody>` + "\n" + `<tfoot><tr><th class="rowname">total</th>`)
	for _, t := range colTotal {
		b.f(`<td class="total">%d</td>`, t)
	}
	b.f(`<td class="total grand">%d</td></tr></tfoot>`+"\n", rep.N)
	b.s("</table></div>\n")
}

// shade is a cell's background and text colour for a share of its row: white at 0, the full
// colour (Okabe and Ito's colour-blind-safe blue, or vermillion for errors) at 1.
func shade(share float64, diagonal bool) (bg, fg string) {
	to := [3]float64{0x00, 0x72, 0xb2} // blue
	if !diagonal {
		to = [3]float64{0xd5, 0x5e, 0x00} // vermillion
	}
	t := 0.08 + 0.92*clamp01(share)
	if share == 0 {
		t = 0
	}
	var c [3]int
	for k := range c {
		c[k] = int(math.Round(255 + t*(to[k]-255)))
	}
	fg = "#1b1f24"
	if t > 0.55 {
		fg = "#ffffff"
	}
	return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]), fg
}

// Colours of the bars: Okabe and Ito's palette for colour-blind readers (Okabe & Ito 2008,
// "Color Universal Design", https://jfly.uni-koeln.de/color/).
const (
	colPrecision = "#0072b2" // blue
	colRecall    = "#e69f00" // orange
	colF1        = "#009e73" // bluish green
	colGap       = "#d55e00" // vermillion
)

// prfChart writes per-class precision, recall and F1 as grouped horizontal bars on a 0..1 axis,
// with the macro-F1 as a dashed line.
func prfChart(b *page, rep metrics.Report) {
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
	width := labelW + plotW + rightW
	height := top + float64(nc)*groupH + float64(max(nc-1, 0))*groupG + axisH + 8
	x := func(v float64) float64 { return labelW + plotW*clamp01(v) }
	svgOpen(b, width, height, "precision, recall and F1 per class")

	// Legend.
	lx := labelW
	for _, l := range []struct{ name, col string }{{"precision", colPrecision}, {"recall", colRecall}, {"F1", colF1}} {
		b.f(`<rect x="%.1f" y="8" width="12" height="12" rx="2" fill="%s"/>`, lx, l.col)
		b.f(`<text x="%.1f" y="18" class="legend">%s</text>`, lx+17, l.name)
		lx += 92
	}
	b.s("\n")

	bottom := height - axisH
	// Grid and axis.
	for _, v := range []float64{0, 0.25, 0.5, 0.75, 1} {
		b.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="grid"/>`, x(v), top-6, x(v), bottom)
		b.f(`<text x="%.1f" y="%.1f" class="tick" text-anchor="middle">%s</text>`, x(v), bottom+16, tick(v))
	}
	b.s("\n")

	// Macro-F1 as a dashed line across the groups, under the bars and their labels.
	mx := x(rep.MacroF1)
	b.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3"/>`, mx, top-6, mx, bottom, colF1)
	b.f(`<text x="%.1f" y="%.1f" class="tick" text-anchor="middle" fill="%s">macro-F1 %.3f</text>`+"\n", mx, bottom+34, colF1, rep.MacroF1)
	for i, s := range rep.PerClass {
		y0 := top + float64(i)*(groupH+groupG)
		b.f(`<g><title>%s: precision %.4f, recall %.4f, F1 %.4f, support %d</title>`, esc(s.Class), s.Precision, s.Recall, s.F1, s.Support)
		b.f(`<text x="%.1f" y="%.1f" class="cls" text-anchor="end">%s</text>`, labelW-10, y0+groupH/2-1, esc(shorten(s.Class, 18)))
		b.f(`<text x="%.1f" y="%.1f" class="tick" text-anchor="end">n = %d</text>`, labelW-10, y0+groupH/2+16, s.Support)
		for k, v := range []float64{s.Precision, s.Recall, s.F1} {
			col := []string{colPrecision, colRecall, colF1}[k]
			y := y0 + float64(k)*(barH+barGap)
			w := x(v) - x(0)
			b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="2" fill="%s"/>`, x(0), y, max(w, 0.5), barH, col)
			b.f(`<text x="%.1f" y="%.1f" class="val">%.3f</text>`, x(v)+5, y+barH-2.5, v)
		}
		b.s("</g>\n")
	}
	b.s("</svg>\n")
}

// reliabilityChart draws the reliability diagram of Guo et al. 2017 (their Figure 1): accuracy
// per confidence bin against the diagonal of perfect calibration, the gap to each bin's mean
// confidence, and under it the number of comments per bin.
func reliabilityChart(b *page, cal *metrics.Calibration, hatch string) {
	const (
		left   = 56.0
		top    = 30.0
		plotW  = 400.0
		plotH  = 260.0
		stripH = 46.0
		right  = 20.0
	)
	width := left + plotW + right
	stripTop := top + plotH + 44
	height := stripTop + stripH + 36
	x := func(v float64) float64 { return left + plotW*v }
	y := func(v float64) float64 { return top + plotH*(1-v) }
	svgOpen(b, width, height, "reliability diagram: accuracy per confidence bin")
	// The gap is hatched rather than filled, so that it stays visible where it lies over the bar
	// (an under-confident bin).
	b.f(`<defs><pattern id="%s" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">`, hatch)
	b.f(`<rect width="6" height="6" fill="%s" fill-opacity="0.25"/><line x1="1.5" y1="0" x2="1.5" y2="6" stroke="%s" stroke-width="2"/></pattern></defs>`+"\n", colGap, colGap)

	// Legend.
	b.f(`<rect x="%.1f" y="6" width="12" height="12" rx="2" fill="%s"/><text x="%.1f" y="16" class="legend">accuracy</text>`, left, colPrecision, left+17)
	b.f(`<rect x="%.1f" y="6" width="12" height="12" fill="url(#%s)" stroke="%s"/><text x="%.1f" y="16" class="legend">gap to mean confidence</text>`, left+96, hatch, colGap, left+113)
	b.f(`<line x1="%.1f" y1="12" x2="%.1f" y2="12" class="diag"/><text x="%.1f" y="16" class="legend">calibrated</text>`+"\n", left+290, left+314, left+320)

	for _, v := range []float64{0, 0.2, 0.4, 0.6, 0.8, 1} {
		b.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="grid"/>`, x(0), y(v), x(1), y(v))
		b.f(`<text x="%.1f" y="%.1f" class="tick" text-anchor="end">%s</text>`, x(0)-6, y(v)+4, tick(v))
		b.f(`<text x="%.1f" y="%.1f" class="tick" text-anchor="middle">%s</text>`, x(v), y(0)+16, tick(v))
	}
	b.s("\n")
	for _, bin := range cal.Bins {
		x0, x1 := x(bin.Lo)+1.5, x(bin.Hi)-1.5
		if bin.N == 0 {
			continue
		}
		b.f(`<g><title>confidence (%.1f, %.1f]: %d comments, %d right: accuracy %.3f, mean confidence %.3f</title>`,
			bin.Lo, bin.Hi, bin.N, bin.Correct, bin.Accuracy, bin.Confidence)
		b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.9"/>`,
			x0, y(bin.Accuracy), x1-x0, y(0)-y(bin.Accuracy), colPrecision)
		lo, hi := min(bin.Accuracy, bin.Confidence), max(bin.Accuracy, bin.Confidence)
		if hi-lo > 0 {
			b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="url(#%s)" stroke="%s" stroke-width="1.5"/>`,
				x0, y(hi), x1-x0, y(lo)-y(hi), hatch, colGap)
		}
		b.s("</g>\n")
	}
	b.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="diag"/>`, x(0), y(0), x(1), y(1))
	b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="frame"/>`+"\n", x(0), y(1), plotW, plotH)
	b.f(`<text x="%.1f" y="%.1f" class="axis" text-anchor="middle">confidence</text>`, x(0.5), y(0)+34)
	b.f(`<text x="14" y="%.1f" class="axis" text-anchor="middle" transform="rotate(-90 14 %.1f)">accuracy</text>`+"\n", y(0.5), y(0.5))

	// Counts per bin.
	most := 1
	for _, bin := range cal.Bins {
		most = max(most, bin.N)
	}
	b.f(`<text x="%.1f" y="%.1f" class="tick" text-anchor="end">n</text>`, x(0)-6, stripTop+stripH-2)
	for _, bin := range cal.Bins {
		x0, x1 := x(bin.Lo)+1.5, x(bin.Hi)-1.5
		h := stripH * float64(bin.N) / float64(most)
		b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#8c96a3"/>`, x0, stripTop+stripH-h, x1-x0, h)
		cls := "count"
		if bin.N == 0 {
			cls = "count zero"
		}
		b.f(`<text x="%.1f" y="%.1f" class="%s" text-anchor="middle">%d</text>`, (x0+x1)/2, stripTop+stripH+14, cls, bin.N)
	}
	b.f(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="axisline"/>`+"\n", x(0), stripTop+stripH, x(1), stripTop+stripH)
	b.f(`<text x="%.1f" y="%.1f" class="axis" text-anchor="middle">comments per bin</text>`+"\n", x(0.5), stripTop+stripH+32)
	b.s("</svg>\n")
}

// calibrationSummary writes the calibration figures in words and the table of bins.
func calibrationSummary(b *page, h headView, accuracy float64) {
	cal := h.cal
	b.s(`<div class="bigfig"><span class="label">ECE</span> <span class="ece">` + fmt.Sprintf("%.4f", cal.ECE) + `</span></div>` + "\n")
	b.f(`<p>Expected calibration error over %d equal-width bins (Guo et al. 2017); the largest gap of a bin (MCE) is %.4f.</p>`+"\n", len(cal.Bins), cal.MCE)
	diff := h.meanConf - accuracy
	var verdict string
	switch {
	case diff > 0.02:
		verdict = fmt.Sprintf("On average the model is <b>over-confident</b>: its mean confidence is %.1f%%, but it is right on %.1f%% of the comments.", 100*h.meanConf, 100*accuracy)
	case diff < -0.02:
		verdict = fmt.Sprintf("On average the model is <b>under-confident</b>: its mean confidence is %.1f%%, but it is right on %.1f%% of the comments.", 100*h.meanConf, 100*accuracy)
	default:
		verdict = fmt.Sprintf("On average the model is <b>as confident as it is right</b>: mean confidence %.1f%%, accuracy %.1f%%.", 100*h.meanConf, 100*accuracy)
	}
	b.s("<p>" + verdict + "</p>\n")
	b.s(`<table class="bins"><thead><tr><th>confidence</th><th>n</th><th>accuracy</th><th>mean conf.</th><th>gap</th></tr></thead>` + "\n<tbody>\n")
	for _, bin := range cal.Bins {
		if bin.N == 0 {
			b.f(`<tr class="empty"><td>%.1f–%.1f</td><td>0</td><td>–</td><td>–</td><td>–</td></tr>`+"\n", bin.Lo, bin.Hi)
			continue
		}
		b.f(`<tr><td>%.1f–%.1f</td><td>%d</td><td>%.3f</td><td>%.3f</td><td>%+.3f</td></tr>`+"\n",
			bin.Lo, bin.Hi, bin.N, bin.Accuracy, bin.Confidence, bin.Accuracy-bin.Confidence)
	}
	b.s("</tbody></table>\n")
}

// byTable lists a head's figures per article (or group) and their unweighted mean.
func byTable(b *page, nr evaluation.HeadReport) {
	b.f(`<div class="scroll"><table class="by"><thead><tr><th>%s</th><th>comments</th><th>official</th><th>accuracy</th><th>macro-F1</th></tr></thead>`+"\n<tbody>\n", esc(nr.ByName))
	for _, g := range nr.By {
		b.f(`<tr><td dir="auto">%s</td><td class="num">%d</td><td class="num">%.4f</td><td class="num">%.4f</td><td class="num">%.4f</td></tr>`+"\n", esc(g.Key), g.N, g.Official, g.Accuracy, g.MacroF1)
	}
	b.f(`<tr class="mean"><td>unweighted mean of %d</td><td></td><td class="num">%.4f</td><td class="num">%.4f</td><td class="num">%.4f</td></tr>`+"\n", len(nr.By), nr.ByMean.Official, nr.ByMean.Accuracy, nr.ByMean.MacroF1)
	b.s("</tbody></table></div>\n")
}

// repeatsTable lists a head's figures under each fold seed, and their mean and sd.
func repeatsTable(b *page, rs *evaluation.RepeatStats) {
	b.s(`<div class="scroll"><table class="by"><thead><tr><th>fold seed</th><th>official</th><th>accuracy</th><th>macro-F1</th></tr></thead>` + "\n<tbody>\n")
	for i, seed := range rs.Seeds {
		b.f(`<tr><td>%d</td><td class="num">%.4f</td><td class="num">%.4f</td><td class="num">%.4f</td></tr>`+"\n", seed, rs.Official[i], rs.Accuracy[i], rs.MacroF1[i])
	}
	b.f(`<tr class="mean"><td>mean of %d</td><td class="num">%.4f</td><td class="num">%.4f</td><td class="num">%.4f</td></tr>`+"\n", len(rs.Seeds), rs.Mean.Official, rs.Mean.Accuracy, rs.Mean.MacroF1)
	b.f(`<tr class="mean"><td>standard deviation</td><td class="num">%.4f</td><td class="num">%.4f</td><td class="num">%.4f</td></tr>`+"\n", rs.SD.Official, rs.SD.Accuracy, rs.SD.MacroF1)
	b.s("</tbody></table></div>\n")
}

// mistakesTable lists comments the model got wrong, most confident first.
func mistakesTable(b *page, ms []mistake, ids bool) {
	b.s(`<div class="scroll"><table class="mistakes"><thead><tr>`)
	if ids {
		b.s("<th>id</th>")
	}
	b.s(`<th>comment</th><th>gold</th><th>predicted</th><th>confidence</th></tr></thead>` + "\n<tbody>\n")
	for _, m := range ms {
		conf := "–"
		if !math.IsNaN(m.conf) {
			conf = fmt.Sprintf("%.3f", m.conf)
		}
		b.s("<tr>")
		if ids {
			b.f(`<td class="id" dir="auto">%s</td>`, esc(m.id))
		}
		b.f(`<td class="text" dir="auto">%s</td><td dir="auto"><span class="tag gold">%s</span></td><td dir="auto"><span class="tag pred">%s</span></td><td class="num">%s</td></tr>`+"\n",
			esc(shorten(m.text, mistakeRunes)), esc(m.gold), esc(m.pred), conf)
	}
	b.s("</tbody></table></div>\n")
}

func svgOpen(b *page, w, h float64, label string) {
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s">`+"\n",
		w, h, w, h, esc(label))
}

// tick formats an axis value: 0, 0.25, 1.
func tick(v float64) string { return fmt.Sprintf("%g", v) }

func clamp01(v float64) float64 { return min(max(v, 0), 1) }

// shorten cuts s to n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// esc escapes s for HTML text and attribute values. Beyond html.EscapeString, it replaces what
// XML 1.0 forbids (section 2.2: control characters other than tab, newline and carriage return,
// and invalid UTF-8), which a comment's text may hold, so that the page stays well-formed XML.
func esc(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return r
		}
		if r < 0x20 || r == 0xFFFE || r == 0xFFFF {
			return '\uFFFD'
		}
		return r
	}, s)
	return html.EscapeString(s)
}

// page is the report being built.
type page struct{ strings.Builder }

func (p *page) s(s string)                { p.WriteString(s) }
func (p *page) f(format string, a ...any) { fmt.Fprintf(p, format, a...) }

// reportCSS styles the page. It holds no '<' or '&', so it is also valid XML text.
const reportCSS = `
:root { --fg: #1b1f24; --muted: #5b6573; --line: #d8dee4; --soft: #f4f6f8; --blue: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #ffffff;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans Arabic", "DejaVu Sans", sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 28px 28px 48px; }
code { font: 13px ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", monospace; background: var(--soft); padding: 1px 5px; border-radius: 4px; }
.muted { color: var(--muted); font-weight: normal; }
header.top { border-bottom: 1px solid var(--line); padding-bottom: 18px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px; color: var(--muted); font-weight: 600; }
h1 { font-size: 26px; margin: 4px 0 14px; }
h2 { font-size: 22px; margin: 0 0 14px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
a.pill { display: inline-block; padding: 1px 10px; border-radius: 999px; background: #e6f0f8; color: var(--blue); text-decoration: none; font-weight: 600; }
section.head { margin-top: 36px; padding-top: 22px; border-top: 4px solid var(--fg); }
.headname { font-weight: 700; }
.note { background: #fff6e0; border-left: 4px solid #e69f00; padding: 8px 12px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px; margin-bottom: 22px; }
.card { background: var(--soft); border-radius: 10px; padding: 12px 16px 14px; }
.card .label { font-size: 13px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 30px; font-weight: 700; font-variant-numeric: tabular-nums; line-height: 1.25; }
.card .sub { font-size: 12.5px; color: var(--muted); margin-top: 4px; }
.card.official { background: #e6f0f8; }
.card .spec { font-weight: 700; color: var(--fg); }
.card.official .value { color: var(--blue); }
.meter { height: 6px; background: #dde3e9; border-radius: 3px; margin-top: 6px; overflow: hidden; }
.meter span { display: block; height: 100%; background: var(--blue); border-radius: 3px; }
.row { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 20px; margin-bottom: 20px; align-items: start; }
.panel { margin: 0; border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; min-width: 0; }
.panel.wide { margin-bottom: 20px; }
figcaption { font-weight: 700; margin-bottom: 10px; }
.scroll { overflow-x: auto; }
svg { max-width: 100%; height: auto; display: block; }
svg text { font-family: inherit; fill: var(--fg); }
svg .legend { font-size: 12.5px; }
svg .tick { font-size: 11.5px; fill: var(--muted); }
svg .axis { font-size: 12.5px; fill: var(--muted); }
svg .cls { font-size: 14px; font-weight: 600; }
svg .val { font-size: 12px; font-variant-numeric: tabular-nums; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; }
svg .count { font-size: 11.5px; fill: var(--fg); }
svg .count.zero { fill: #b0b8c1; }
svg .grid { stroke: #e3e8ee; stroke-width: 1; }
svg .frame { fill: none; stroke: #aab3bd; stroke-width: 1; }
svg .axisline { stroke: #aab3bd; stroke-width: 1; }
svg .diag { stroke: #3b434c; stroke-width: 1.5; stroke-dasharray: 6 4; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.cm { border-collapse: separate; border-spacing: 3px; }
table.cm th { font-size: 13px; font-weight: 600; padding: 4px 6px; }
table.cm th.corner { font-weight: normal; color: var(--muted); font-size: 12px; text-align: left; }
table.cm th.rowname { text-align: right; }
table.cm td.cell { min-width: 78px; height: 62px; text-align: center; border-radius: 6px; padding: 4px 8px; }
table.cm .count { display: block; font-size: 20px; font-weight: 700; }
table.cm .share { display: block; font-size: 12px; opacity: .85; }
table.cm td.total { text-align: center; color: var(--muted); font-weight: 600; padding: 4px 8px; }
table.cm td.grand { color: var(--fg); }
.bigfig { font-size: 15px; color: var(--muted); font-weight: 600; }
.bigfig .ece { font-size: 34px; color: #d55e00; font-weight: 700; font-variant-numeric: tabular-nums; }
table.bins { width: 100%; font-size: 13px; }
table.bins th, table.bins td { padding: 3px 8px; text-align: right; border-bottom: 1px solid #edf0f3; }
table.bins th { color: var(--muted); font-weight: 600; }
table.bins tr.empty td { color: #b0b8c1; }
table.mistakes { width: 100%; font-size: 14px; }
table.mistakes th { text-align: start; color: var(--muted); font-weight: 600; padding: 4px 8px; border-bottom: 1px solid var(--line); }
table.mistakes td { padding: 6px 8px; border-bottom: 1px solid #edf0f3; vertical-align: top; }
table.mistakes td.text { max-width: 560px; }
table.mistakes td.id { color: var(--muted); font-size: 12.5px; white-space: nowrap; }
table.mistakes td.num { text-align: right; }
table.by { font-size: 14px; }
table.by th { text-align: start; color: var(--muted); font-weight: 600; padding: 4px 10px; border-bottom: 1px solid var(--line); }
table.by td { padding: 4px 10px; border-bottom: 1px solid #edf0f3; }
table.by td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.by tr.mean td { font-weight: 600; border-bottom: none; }
.tag { display: inline-block; padding: 0 7px; border-radius: 4px; font-size: 12.5px; font-weight: 600; white-space: nowrap; }
.tag.gold { background: #e6f0f8; color: #005b8f; }
.tag.pred { background: #fbe7dc; color: #a84800; }
footer { margin-top: 40px; border-top: 1px solid var(--line); padding-top: 16px; font-size: 14px; }
footer h2 { font-size: 17px; }
footer li { margin-bottom: 6px; }
@media print { main { max-width: none; padding: 0; } section.head { break-before: page; } .panel { break-inside: avoid; } }
`
