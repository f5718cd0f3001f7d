package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// csvToXLSX writes the CSV file at src as a workbook at dst: every field a text cell.
func csvToXLSX(t *testing.T, src, dst string) {
	t.Helper()
	recs := readCSV(t, string(readFile(t, src)))
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range recs {
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(dst); err != nil {
		t.Fatal(err)
	}
}

// xlsxRows reads the first sheet of the workbook at path as Excel shows its cells.
func xlsxRows(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		r, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// TestXLSX trains on the sample as workbooks (comments and articles) and as CSV, with the
// configured settings: the models must be the same bytes. It then exports new comments with it
// to a workbook and to CSV: the workbook's rows, as Excel shows them, must be the CSV's.
func TestXLSX(t *testing.T) {
	dir := t.TempDir()
	comments, articles := filepath.Join(dir, "comments.xlsx"), filepath.Join(dir, "articles.xlsx")
	csvToXLSX(t, sampleComments, comments)
	csvToXLSX(t, sampleArticles, articles)
	fromXLSX, fromCSV := filepath.Join(dir, "x.stance"), filepath.Join(dir, "c.stance")
	mustStance(t, "", "train", "-q", "--no-tune", "--data", comments, "--articles", articles, "--model", fromXLSX)
	mustStance(t, "", "train", "-q", "--no-tune", "--data", sampleComments, "--articles", sampleArticles, "--model", fromCSV)
	if !bytes.Equal(readFile(t, fromXLSX), readFile(t, fromCSV)) {
		t.Fatalf("the model trained on the workbooks differs from the one trained on the CSV files")
	}

	scoresCSV, scoresXLSX := filepath.Join(dir, "scores.csv"), filepath.Join(dir, "scores.xlsx")
	mustStance(t, "", "export", "--model", fromXLSX, "--data", sampleNew, "--articles", articles, "--out", scoresCSV)
	r := mustStance(t, "", "export", "--model", fromXLSX, "--data", sampleNew, "--articles", articles, "--out", scoresXLSX)
	if !strings.Contains(r.stderr, "scores written to "+scoresXLSX) {
		t.Errorf("stderr: %s", r.stderr)
	}
	want := readCSV(t, string(readFile(t, scoresCSV)))
	got := xlsxRows(t, scoresXLSX)
	if len(got) != nNew+1 || len(got) != len(want) {
		t.Fatalf("%d rows in the workbook, %d in the CSV, want %d", len(got), len(want), nNew+1)
	}
	if !slices.Equal(got[0], exportHeader) {
		t.Errorf("header %q", got[0])
	}
	for i := range want {
		w := slices.Clone(want[i])
		for j, v := range w {
			if v == "-0.0000" { // a sheet has no negative zero
				w[j] = "0.0000"
			}
		}
		if !slices.Equal(got[i], w) {
			t.Errorf("row %d: %q,\nthe CSV's %q", i+1, got[i], w)
		}
	}
	checkNoTempFiles(t, dir)
}

// TestXLSXErrors checks that errors in a workbook name the sheet, row and column.
func TestXLSXErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.xlsx")
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"id", "text", "stance"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"a", "fine", "FAVOR"})
	f.SetSheetRow("Sheet1", "A3", &[]any{"b", "no label"})
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	r := stance(t, "", "train", "--no-tune", "--strict", "--data", p, "--model", filepath.Join(dir, "m.stance"))
	if want := p + `: sheet "Sheet1", row 3, column C (stance): empty label for head "stance"`; r.code == exitOK || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to say\n%s", r.code, r.stderr, want)
	}
	r = stance(t, "", "train", "--no-tune", "--sheet", "Comments", "--data", p, "--model", filepath.Join(dir, "m.stance"))
	if want := `no sheet "Comments": the sheets are "Sheet1"`; r.code == exitOK || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to say\n%s", r.code, r.stderr, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "m.stance")); err == nil {
		t.Errorf("a model was written")
	}
}
