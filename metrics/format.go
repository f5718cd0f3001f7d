package metrics

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format writes r as a table for people: per-class precision, recall, F1 and support, then n,
// accuracy, macro-F1 and the official metric, then the confusion matrix labelled with the class
// names. Figures are rounded to 4 decimals; use JSON for full precision. Lines carry no trailing
// blanks. The table is built in memory and written with one Write, whose error Format returns.
func (r Report) Format(w io.Writer) error {
	var b strings.Builder
	names := []string{"class", `gold\pred`}
	names = append(names, r.Classes...)
	nw := 0
	for _, n := range names {
		nw = max(nw, utf8.RuneCountInString(n))
	}
	support := "support"
	sw := len(support)
	for _, s := range r.PerClass {
		sw = max(sw, len(strconv.Itoa(s.Support)))
	}

	fmt.Fprintf(&b, "%s  precision  recall      f1  %*s\n", pad("class", nw), sw, support)
	for _, s := range r.PerClass {
		fmt.Fprintf(&b, "%s  %9.4f  %6.4f  %6.4f  %*d\n", pad(s.Class, nw), s.Precision, s.Recall, s.F1, sw, s.Support)
	}
	fmt.Fprintf(&b, "\nn         %d\n", r.N)
	fmt.Fprintf(&b, "accuracy  %.4f\n", r.Accuracy)
	fmt.Fprintf(&b, "macro_f1  %.4f\n", r.MacroF1)
	fmt.Fprintf(&b, "official  %.4f", r.Official)
	if r.Metric != "" {
		fmt.Fprintf(&b, "  %s", r.Metric)
	}
	b.WriteByte('\n')

	b.WriteString("\nconfusion (rows gold, columns predicted)\n")
	// Column j is as wide as its class name or its widest count; a hand-made Report whose rows
	// are longer than Classes still prints, with unnamed columns.
	ncol := len(r.Classes)
	for _, row := range r.Confusion {
		ncol = max(ncol, len(row))
	}
	cw := make([]int, ncol)
	for j, c := range r.Classes {
		cw[j] = utf8.RuneCountInString(c)
	}
	for _, row := range r.Confusion {
		for j, x := range row {
			cw[j] = max(cw[j], len(strconv.Itoa(x)))
		}
	}
	b.WriteString(pad(`gold\pred`, nw))
	for j, c := range r.Classes {
		b.WriteString("  ")
		b.WriteString(strings.Repeat(" ", cw[j]-utf8.RuneCountInString(c)))
		b.WriteString(c)
	}
	b.WriteByte('\n')
	for i, row := range r.Confusion {
		name := ""
		if i < len(r.Classes) {
			name = r.Classes[i]
		}
		b.WriteString(pad(name, nw))
		for j, x := range row {
			fmt.Fprintf(&b, "  %*d", cw[j], x)
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// pad left-aligns s in a column n runes wide.
func pad(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s)))
}
