package scorecsv

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/commentstance/stance/classifier"
)

// TestXLSXRoundTrip writes the same rows with Writer and XLSXWriter and reads the workbook back
// as Excel shows it: every cell must read as the CSV's field (a -0.0000 of the CSV reads
// 0.0000), the probabilities must be numbers, and the header frozen.
func TestXLSXRoundTrip(t *testing.T) {
	heads := []Head{
		{Name: "stance", Classes: []string{"AGAINST", "FAVOR", "NONE"}},
		{Name: "topic", Classes: []string{"a,b", `say "x"`}},
	}
	lead := []string{"id", "article_id", "text"}
	rng := rand.New(rand.NewPCG(1, 2))
	var leads [][]string
	var scores []classifier.Scores
	for i := range 200 {
		a, f := rng.Float64(), rng.Float64()
		if i == 0 {
			a, f = 0.50004, 0.5 // a signed score of -0.0000
		}
		n := max(0, 1-a-f)
		sum := a + f + n
		x := rng.Float64()
		leads = append(leads, []string{[]string{"0001", "c2", ""}[i%3], "art", []string{"تعليق", " 1,2", "=1+1"}[i%3]})
		scores = append(scores, classifier.Scores{Best: []int{i % 3, i % 2}, Probs: [][]float64{{a / sum, f / sum, n / sum}, {x, 1 - x}}})
	}

	var csvBuf, xlsxBuf bytes.Buffer
	cw := NewWriter(&csvBuf, heads)
	xw, err := NewXLSXWriter(&xlsxBuf, heads)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []interface {
		WriteHeader(...string) error
		Write([]string, *classifier.Scores) error
		Flush() error
	}{cw, xw} {
		if err := w.WriteHeader(lead...); err != nil {
			t.Fatal(err)
		}
		for i := range leads {
			if err := w.Write(leads[i], &scores[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	want, err := csv.NewReader(&csvBuf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}

	f, err := excelize.OpenReader(&xlsxBuf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"scores"}) {
		t.Errorf("sheets %q", got)
	}
	rows, err := f.Rows("scores")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		got, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		w := want[n]
		if n == 1 { // the -0.0000: Excel has no negative zero
			w = slices.Clone(w)
			for i, v := range w {
				if v == "-0.0000" {
					w[i] = "0.0000"
				}
			}
		}
		for len(got) < len(w) { // Columns drops trailing empty cells
			got = append(got, "")
		}
		if !slices.Equal(got, w) {
			t.Errorf("row %d: %q,\nthe CSV's %q", n+1, got, w)
		}
		n++
	}
	if n != len(want) {
		t.Errorf("%d rows, the CSV has %d", n, len(want))
	}
	// E2 a probability, H2 a signed score (A-C lead, D the label); a number whose value is the
	// CSV's, not only shown like it.
	for _, cell := range []string{"E3", "H3"} {
		if typ, _ := f.GetCellType("scores", cell); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s is of type %v, want a number", cell, typ)
		}
		raw, _ := f.GetCellValue("scores", cell, excelize.Options{RawCellValue: true})
		col, _, _ := excelize.SplitCellName(cell)
		i, _ := excelize.ColumnNameToNumber(col)
		if x, err := strconv.ParseFloat(raw, 64); err != nil || strconv.FormatFloat(x, 'f', 4, 64) != want[2][i-1] {
			t.Errorf("%s holds %q, the CSV %q", cell, raw, want[2][i-1])
		}
	}
	panes, err := f.GetPanes("scores")
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("panes %+v, %v: want the header row frozen", panes, err)
	}
}
