package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

// The report: a table and an SVG plot of the curves, spliced into a markdown file between
// the markers below, so that the prose around them is kept.
const (
	beginMark = "<!-- labelsim:begin -->"
	endMark   = "<!-- labelsim:end -->"
)

// reach is the first point's labels at which a curve reaches target, or 0 if none does.
func reach(labels []int, vals []float64, target float64) int {
	for i, v := range vals {
		if v >= target {
			return labels[i]
		}
	}
	return 0
}

// auc is the area under a curve over its labels axis, divided by the axis' span: the curve's
// mean height, by the trapezoid rule.
func auc(labels []int, vals []float64) float64 {
	if len(vals) < 2 {
		return vals[0]
	}
	a := 0.0
	for i := 1; i < len(vals); i++ {
		a += float64(labels[i]-labels[i-1]) * (vals[i] + vals[i-1]) / 2
	}
	return a / float64(labels[len(labels)-1]-labels[0])
}

// meanCurve averages a strategy's runs point by point (all runs share the labels axis).
func meanCurve(r TaskResult, strategy string) ([]int, []float64) {
	var labels []int
	var sum []float64
	n := 0
	for _, run := range r.Runs {
		if run.Strategy != strategy {
			continue
		}
		if labels == nil {
			labels, sum = run.Labels, make([]float64, len(run.Official))
		}
		for i, v := range run.Official {
			sum[i] += v
		}
		n++
	}
	for i := range sum {
		sum[i] /= float64(n)
	}
	return labels, sum
}

func runOf(r TaskResult, strategy string, seed int) Run {
	for _, run := range r.Runs {
		if run.Strategy == strategy && run.Seed == seed {
			return run
		}
	}
	return Run{}
}

func seedsOf(r TaskResult) int {
	n := 0
	for _, run := range r.Runs {
		n = max(n, run.Seed+1)
	}
	return n
}

func labelsText(n, max int) string {
	if n == 0 {
		return fmt.Sprintf("> %d", max)
	}
	return fmt.Sprint(n)
}

// verdict says whether a task meets the goal: the mean margin curve reaches 95% of the full
// pool's figure with at most 60% of the labels the mean random curve needs, and margin's AUC is
// above random's on every seed.
func verdict(r TaskResult) (ratio string, met bool, why string) {
	target := 0.95 * r.Full
	lm, vm := meanCurve(r, "margin")
	lr, vr := meanCurve(r, "random")
	last := lm[len(lm)-1]
	nm, nr := reach(lm, vm, target), reach(lr, vr, target)
	aucOK := true
	for s := 0; s < seedsOf(r); s++ {
		m, rd := runOf(r, "margin", s), runOf(r, "random", s)
		if auc(m.Labels, m.Official) <= auc(rd.Labels, rd.Official) {
			aucOK = false
		}
	}
	var ratioOK bool
	switch {
	case nm == 0:
		ratio, why = "margin never reaches it", "margin does not reach 95%"
	case nr == 0:
		ratio = fmt.Sprintf("< %.2f", float64(nm)/float64(last))
		ratioOK = float64(nm) <= 0.6*float64(last)
		if !ratioOK {
			why = fmt.Sprintf("random does not reach 95%% within %d labels, so the ratio is only known to be under %.2f", last, float64(nm)/float64(last))
		}
	default:
		ratio = fmt.Sprintf("%.2f", float64(nm)/float64(nr))
		ratioOK = float64(nm) <= 0.6*float64(nr)
		if !ratioOK {
			why = "ratio above 0.6"
		}
	}
	if !aucOK {
		if why != "" {
			why += "; "
		}
		why += "AUC not above random's on every seed"
	}
	return ratio, ratioOK && aucOK, why
}

func report(results []TaskResult, command, svgRef string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Made by `%s` (one run; figures to 4 decimals).\n\n", command)
	b.WriteString("| task | metric | pool | full pool | 95% target | labels to 95%, margin | random | ratio (goal ≤ 0.60) | AUC margin | AUC random | AUC above random on every seed | goal met |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, r := range results {
		target := 0.95 * r.Full
		lm, vm := meanCurve(r, "margin")
		lr, vr := meanCurve(r, "random")
		ratio, met, why := verdict(r)
		every := "yes"
		for s := 0; s < seedsOf(r); s++ {
			m, rd := runOf(r, "margin", s), runOf(r, "random", s)
			if auc(m.Labels, m.Official) <= auc(rd.Labels, rd.Official) {
				every = "no"
			}
		}
		goal := "**yes**"
		if !met {
			goal = "no: " + why
		}
		fmt.Fprintf(&b, "| %s | %s | %d of %d | %.4f | %.4f | %s | %s | %s | %.4f | %.4f | %s | %s |\n", r.Task, r.Metric, r.Pool, r.PoolFrom, r.Full, target,
			labelsText(reach(lm, vm, target), lm[len(lm)-1]), labelsText(reach(lr, vr, target), lr[len(lr)-1]), ratio, auc(lm, vm), auc(lr, vr), every, goal)
	}
	b.WriteString("\nPer seed (labels to 95% of the full-pool figure, and AUC: the curve's mean height over its labels axis):\n\n")
	b.WriteString("| task | seed | labels to 95%, margin | random | AUC margin | AUC random | figure at the last point, margin | random |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		target := 0.95 * r.Full
		for s := 0; s < seedsOf(r); s++ {
			m, rd := runOf(r, "margin", s), runOf(r, "random", s)
			last := m.Labels[len(m.Labels)-1]
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %.4f | %.4f | %.4f | %.4f |\n", r.Task, s, labelsText(reach(m.Labels, m.Official, target), last),
				labelsText(reach(rd.Labels, rd.Official, target), last), auc(m.Labels, m.Official), auc(rd.Labels, rd.Official), m.Official[len(m.Official)-1], rd.Official[len(rd.Official)-1])
		}
	}
	fmt.Fprintf(&b, "\n![learning curves](%s)\n\n", svgRef)
	b.WriteString("Simulation time per task (seconds, all seeds and both strategies, on the shared 2-core machine): ")
	for i, r := range results {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %.0f", r.Task, r.Seconds)
	}
	b.WriteString(".\n")
	return b.String()
}

// plot draws each task's curves in a panel of its own: thin lines per seed, thick for the mean,
// margin in blue and random in orange (dashed), the 95% target dashed grey.
func plot(results []TaskResult) []byte {
	const pw, ph, ml, mr, mt, mb = 460.0, 300.0, 52.0, 14.0, 28.0, 40.0
	cols := 2
	rows := (len(results) + cols - 1) / cols
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", pw*float64(cols), ph*float64(rows)+24)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	colour := map[string]string{"margin": "#2b6cb0", "random": "#dd6b20"}
	for k, r := range results {
		ox, oy := pw*float64(k%cols), ph*float64(k/cols)
		lo, hi := math.Inf(1), math.Inf(-1)
		maxN := 0
		for _, run := range r.Runs {
			for i, v := range run.Official {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
				maxN = max(maxN, run.Labels[i])
			}
		}
		hi = math.Max(hi, r.Full)
		lo, hi = math.Floor(lo*20)/20, math.Ceil(hi*20)/20
		x := func(n int) float64 { return ox + ml + (pw-ml-mr)*float64(n)/float64(maxN) }
		y := func(v float64) float64 { return oy + mt + (ph-mt-mb)*(hi-v)/(hi-lo) }
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="13" font-weight="bold">%s (%s)</text>`+"\n", ox+ml, oy+18, r.Task, r.Metric)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#999"/>`+"\n", ox+ml, oy+mt, pw-ml-mr, ph-mt-mb)
		for v := lo; v <= hi+1e-9; v += 0.05 {
			fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#eee"/><text x="%.1f" y="%.1f" text-anchor="end">%.2f</text>`+"\n", ox+ml, ox+pw-mr, y(v), y(v), ox+ml-4, y(v)+4, v)
		}
		for n := 0; n <= maxN; n += 500 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", x(n), oy+ph-mb+14, n)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">labels</text>`+"\n", ox+ml+(pw-ml-mr)/2, oy+ph-mb+28)
		t := 0.95 * r.Full
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#666" stroke-dasharray="4 3"/><text x="%.1f" y="%.1f" fill="#666">95%% of the full pool: %.3f</text>`+"\n", ox+ml, ox+pw-mr, y(t), y(t), ox+ml+60, y(t)+13, t)
		for _, strategy := range []string{"random", "margin"} {
			dash := ""
			if strategy == "random" {
				dash = ` stroke-dasharray="6 3"`
			}
			line := func(labels []int, vals []float64, width float64, opacity float64) {
				var pts []string
				for i, v := range vals {
					pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(labels[i]), y(v)))
				}
				fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="%.1f" stroke-opacity="%.2f"%s points="%s"/>`+"\n", colour[strategy], width, opacity, dash, strings.Join(pts, " "))
			}
			for _, run := range r.Runs {
				if run.Strategy == strategy {
					line(run.Labels, run.Official, 0.8, 0.35)
				}
			}
			l, v := meanCurve(r, strategy)
			line(l, v, 2.2, 1)
		}
	}
	ly := ph*float64(rows) + 14
	fmt.Fprintf(&b, `<line x1="60" x2="90" y1="%.0f" y2="%.0f" stroke="#2b6cb0" stroke-width="2.2"/><text x="96" y="%.0f">margin with diversity (mean of the seeds; thin: each seed)</text>`+"\n", ly, ly, ly+4)
	fmt.Fprintf(&b, `<line x1="480" x2="510" y1="%.0f" y2="%.0f" stroke="#dd6b20" stroke-width="2.2" stroke-dasharray="6 3"/><text x="516" y="%.0f">random</text>`+"\n", ly, ly, ly+4)
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// writeReport reads the curves of in and splices the report into doc between the markers,
// writing the plot to svgPath (referred to from doc as svgRef).
func writeReport(in, doc, svgPath, svgRef, command, note string) error {
	var results []TaskResult
	for _, f := range strings.Split(in, ",") {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var rs []TaskResult
		if err := json.Unmarshal(b, &rs); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		results = append(results, rs...)
	}
	if err := os.WriteFile(svgPath, plot(results), 0o644); err != nil {
		return err
	}
	text, err := os.ReadFile(doc)
	if err != nil {
		return err
	}
	s := string(text)
	i, j := strings.Index(s, beginMark), strings.Index(s, endMark)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %s ... %s markers to put the report between", doc, beginMark, endMark)
	}
	rep := report(results, command, svgRef)
	if note != "" {
		rep += "\n" + note + "\n"
	}
	s = s[:i+len(beginMark)] + "\n" + rep + s[j:]
	return os.WriteFile(doc, []byte(s), 0o644)
}
