package data

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// sheet is a sheet to build in a test workbook: cells by reference ("A1"), and number formats
// by reference (excelize.Style.NumFmt built-in ids, or a custom code).
type sheet struct {
	name    string
	cells   map[string]any
	numFmt  map[string]int
	custom  map[string]string
	formula map[string]string
}

// workbook builds an .xlsx file of sheets in memory, with excelize itself.
func workbook(t testing.TB, sheets ...sheet) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		name := s.name
		if name == "" {
			name = "Sheet1"
		}
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for ref, v := range s.cells {
			if err := f.SetCellValue(name, ref, v); err != nil {
				t.Fatal(err)
			}
		}
		for ref, id := range s.numFmt {
			st, err := f.NewStyle(&excelize.Style{NumFmt: id})
			if err != nil {
				t.Fatal(err)
			}
			f.SetCellStyle(name, ref, ref, st)
		}
		for ref, code := range s.custom {
			st, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
			if err != nil {
				t.Fatal(err)
			}
			f.SetCellStyle(name, ref, ref, st)
		}
		for ref, fm := range s.formula {
			f.SetCellFormula(name, ref, fm)
		}
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// row makes the cells of a row from its values, A, B, C...
func row(n int, vals ...any) map[string]any {
	m := map[string]any{}
	for i, v := range vals {
		if v == nil {
			continue
		}
		ref, _ := excelize.CoordinatesToCellName(i+1, n)
		m[ref] = v
	}
	return m
}

func cells(rows ...map[string]any) map[string]any {
	m := map[string]any{}
	for _, r := range rows {
		for k, v := range r {
			m[k] = v
		}
	}
	return m
}

func TestReadXLSX(t *testing.T) {
	date := time.Date(2026, 3, 4, 13, 5, 0, 0, time.UTC)
	for _, tt := range []struct {
		name     string
		sheets   []sheet
		schema   Schema
		articles []byte // an .xlsx article file, if set
		want     []Comment
		skips    []string // messages of the skipped rows
		err      error
		errText  string
	}{
		{
			name: "text, numbers and empty cells",
			sheets: []sheet{{cells: cells(
				row(1, "id", "text", "article_id", "stance", "sentiment"),
				row(2, 1, "أحسنت يا وزير", "a1", "FAVOR", "POSITIVE"),
				row(3, 2.5, "no article", nil, "NONE", nil),
				row(5, 3, "after an empty row", "a2", "AGAINST", "NEGATIVE"),
			), custom: map[string]string{"A2": "0000"}}},
			want: []Comment{
				{Line: 2, ID: "0001", ArticleID: "a1", Text: "أحسنت يا وزير", Labels: map[string]string{"stance": "FAVOR", "sentiment": "POSITIVE"}},
				{Line: 3, ID: "2.5", Text: "no article", Labels: map[string]string{"stance": "NONE", "sentiment": ""}},
				{Line: 5, ID: "3", ArticleID: "a2", Text: "after an empty row", Labels: map[string]string{"stance": "AGAINST", "sentiment": "NEGATIVE"}},
			},
		},
		{
			name: "dates, booleans, header below empty rows, columns right of the header",
			sheets: []sheet{{cells: cells(
				row(3, "text", nil, "when", "custom"),
				row(4, "one", "unnamed", date, date, "beyond the header"),
				row(5, true, nil, 46000.5),
			), numFmt: map[string]int{"C5": 14}, custom: map[string]string{"D4": "dd/mm/yyyy"}}},
			schema: Schema{Keep: []string{"when", "custom"}},
			want: []Comment{
				{Line: 4, Text: "one", Kept: []string{"2026-03-04 13:05", "04/03/2026"}},
				{Line: 5, Text: "TRUE", Kept: []string{"2025-12-09", ""}},
			},
		},
		{
			name: "the sheet named by Schema.Sheet",
			sheets: []sheet{
				{name: "Notes", cells: row(1, "not the data")},
				{name: "تعليقات", cells: cells(row(1, "Tweet", "Target"), row(2, "hi", "x"))},
			},
			schema: Schema{Sheet: "تعليقات", Text: "Tweet", Article: "Target"},
			want:   []Comment{{Line: 2, Text: "hi", Article: "x"}},
		},
		{
			name:   "no such sheet",
			sheets: []sheet{{name: "Data", cells: row(1, "text")}},
			schema: Schema{Sheet: "data"},
			err:    ErrNoSheet, errText: `c.xlsx: no sheet "data": the sheets are "Data"; want one of them (set sheet)`,
		},
		{
			name:   "missing text column",
			sheets: []sheet{{cells: cells(row(2, "id", "comment"), row(3, 1, "x"))}},
			err:    ErrMissingColumn, errText: `c.xlsx: sheet "Sheet1", row 2: missing column "text" for the comment text: the columns are "id", "comment"`,
		},
		{
			name:   "empty sheet",
			sheets: []sheet{{}},
			err:    ErrEmptyFile, errText: `c.xlsx: sheet "Sheet1": empty file`,
		},
		{
			name: "bad rows skipped, with their places",
			sheets: []sheet{{cells: cells(
				row(1, "id", "text", "stance"),
				row(2, "a", "   ", "FAVOR"),
				row(3, "b", "fine", nil),
				row(4, "c", "kept", "AGAINST"),
			)}},
			schema: Schema{RequireLabels: true},
			want:   []Comment{{Line: 4, ID: "c", Text: "kept", Labels: map[string]string{"stance": "AGAINST"}}},
			skips: []string{
				`c.xlsx: sheet "Sheet1", row 2, column B (text): empty text`,
				`c.xlsx: sheet "Sheet1", row 3, column C (stance): empty label for head "stance"`,
			},
		},
		{
			name: "a bad row under Strict",
			sheets: []sheet{{cells: cells(
				row(1, "id", "text", "stance"),
				row(2, "a", "ok", "FAVOR"),
				row(3, "b", "no label", nil),
			)}},
			schema: Schema{RequireLabels: true, Strict: true},
			want:   []Comment{{Line: 2, ID: "a", Text: "ok", Labels: map[string]string{"stance": "FAVOR"}}},
			err:    ErrEmptyLabel, errText: `c.xlsx: sheet "Sheet1", row 3, column C (stance): empty label for head "stance"`,
		},
		{
			name:   "duplicate header",
			sheets: []sheet{{cells: cells(row(1, "text", "id", "text"))}},
			err:    ErrDuplicateColumn, errText: `c.xlsx: sheet "Sheet1", row 1: duplicate column "text"`,
		},
		{
			name: "a record over Limits.RecordBytes",
			sheets: []sheet{{cells: cells(
				row(1, "text"), row(2, "short"), row(3, strings.Repeat("x", 2000)),
			)}},
			schema: Schema{Limits: Limits{RecordBytes: 1024}},
			want:   []Comment{{Line: 2, Text: "short"}},
			err:    ErrTooLong, errText: `c.xlsx: sheet "Sheet1", row 3: over the size limit: longer than 1 KiB (1024 bytes); raise Limits.RecordBytes`,
		},
		{
			name: "articles from a workbook",
			sheets: []sheet{{cells: cells(
				row(1, "text", "article_id"), row(2, "yes", 7), row(3, "no", "missing"),
			)}},
			articles: workbook(t, sheet{cells: cells(row(1, "id", "text"), row(2, 7, "the article"))}),
			want:     []Comment{{Line: 2, ArticleID: "7", Text: "yes", Article: "the article"}},
			err:      ErrNoArticle, errText: `c.xlsx: sheet "Sheet1", row 3, column "article_id": no article with this id`,
		},
		{
			name:     "a bad article workbook",
			sheets:   []sheet{{cells: cells(row(1, "text", "article_id"), row(2, "yes", 7))}},
			articles: workbook(t, sheet{name: "A", cells: cells(row(1, "id", "body"), row(2, 7, "the article"))}),
			err:      ErrMissingColumn, errText: `a.xlsx: sheet "A", row 1: missing column "text" in the article file`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, tmp := t.TempDir(), t.TempDir()
			t.Setenv("TMPDIR", tmp) // excelize's temporary files, which Close must remove
			path := filepath.Join(dir, "c.xlsx")
			if err := os.WriteFile(path, workbook(t, tt.sheets...), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.articles != nil {
				ap := filepath.Join(dir, "a.xlsx")
				if err := os.WriteFile(ap, tt.articles, 0o644); err != nil {
					t.Fatal(err)
				}
				tt.schema.Articles = &ArticleSource{Path: ap}
			}
			// Both ways in: by path (read in place) and as a stream (read whole).
			for _, via := range []string{"path", "stream"} {
				var r *Reader
				var err error
				if via == "path" {
					r, err = Open(path, tt.schema)
				} else {
					b, _ := os.ReadFile(path)
					r, err = NewReader(bytes.NewReader(b), path, tt.schema)
				}
				var got []Comment
				if err == nil {
					got, err = drain(r)
					var skips []string
					for _, s := range r.Skipped() {
						skips = append(skips, s.String())
					}
					if len(skips) != len(tt.skips) {
						t.Errorf("%s: skipped %q, want %q", via, skips, tt.skips)
					}
					for i := range min(len(skips), len(tt.skips)) {
						if !strings.HasPrefix(strings.ReplaceAll(skips[i], dir+"/", ""), tt.skips[i]) {
							t.Errorf("%s: skip %d:\n%s\nwant it to start\n%s", via, i, skips[i], tt.skips[i])
						}
					}
					r.Close()
				}
				if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
					t.Fatalf("%s: err %v, want %v", via, err, tt.err)
				}
				if err != nil && !strings.HasPrefix(strings.ReplaceAll(err.Error(), dir+"/", ""), tt.errText) {
					t.Errorf("%s: error\n%s\nwant it to start\n%s", via, err, tt.errText)
				}
				for i := range got {
					got[i].File = ""
				}
				if len(got) != 0 || len(tt.want) != 0 {
					if !reflect.DeepEqual(got, tt.want) {
						t.Errorf("%s: got\n%#v\nwant\n%#v", via, got, tt.want)
					}
				}
			}
			checkNoExcelizeTemp(t, tmp)
		})
	}
}

// checkNoExcelizeTemp fails if excelize left temporary files in dir (the test's TMPDIR).
func checkNoExcelizeTemp(t *testing.T, dir string) {
	t.Helper()
	if left, _ := filepath.Glob(filepath.Join(dir, "excelize-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestXLSXBounds checks that a workbook past Limits.XLSXBytes is refused before anything is
// unzipped: by its own size, and by the sizes its zip directory declares (a zip bomb), and that
// a large sheet, unzipped to a temporary file, is read and its file removed by Close.
func TestXLSXBounds(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	// A zip bomb: one part of 64 MiB of zeros, a few hundred KB zipped.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	w.Write(make([]byte, 64<<20))
	zw.Close()
	for _, tt := range []struct {
		name   string
		in     []byte
		limits Limits
		want   string
	}{
		{"zip bomb", bomb.Bytes(), Limits{XLSXBytes: 32 << 20}, "over the size limit: the sum of its unzipped parts is larger than 32 MiB (33554432 bytes); raise Limits.XLSXBytes"},
		{"file too large", bomb.Bytes(), Limits{XLSXBytes: 8 << 10}, "over the size limit: the file is larger than 8 KiB (8192 bytes); raise Limits.XLSXBytes"},
		{"not a zip", []byte("id,text\n1,hello\n"), Limits{}, "not an .xlsx workbook (zip: not a valid zip file)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "in.xlsx")
			os.WriteFile(p, tt.in, 0o644)
			_, err := Open(p, Schema{Limits: tt.limits})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v,\nwant %q", err, tt.want)
			}
			_, err = NewReader(bytes.NewReader(tt.in), "-", Schema{Format: XLSX, Limits: tt.limits})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("stream: err %v,\nwant %q", err, tt.want)
			}
		})
	}

	t.Run("large sheet through a temporary file", func(t *testing.T) {
		n := 3000
		c := map[string]any{"A1": "text", "B1": "id"}
		long := strings.Repeat("كلام ", 1200) // 6 KB a row: the sheet is some 18 MB, past xlsxMemoryPart
		for i := 2; i <= n+1; i++ {
			ref, _ := excelize.CoordinatesToCellName(1, i)
			c[ref] = long + strconv.Itoa(i) // distinct: shared strings of some 18 MB
			ref, _ = excelize.CoordinatesToCellName(2, i)
			c[ref] = i
		}
		b := workbook(t, sheet{cells: c})
		p := filepath.Join(dir, "big.xlsx")
		os.WriteFile(p, b, 0o644)
		r, err := Open(p, Schema{})
		if err != nil {
			t.Fatal(err)
		}
		if temps, _ := filepath.Glob(filepath.Join(dir, "excelize-*")); len(temps) == 0 {
			t.Errorf("the large sheet was not unzipped to a temporary file")
		}
		got, err := drain(r)
		if err != nil || len(got) != n || got[n-1].ID != "3001" || got[n-1].Line != n+1 {
			t.Fatalf("%d rows, err %v", len(got), err)
		}
		r.Close()
		if temps, _ := filepath.Glob(filepath.Join(dir, "excelize-*")); len(temps) > 0 {
			t.Errorf("Close left %v", temps)
		}
	})
}

// replacePart rewrites the zip archive b with part name's content replaced by content.
func replacePart(t testing.TB, b []byte, name string, content []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		w, _ := zw.Create(f.Name)
		if f.Name == name {
			w.Write(content)
			continue
		}
		rc, _ := f.Open()
		var part bytes.Buffer
		part.ReadFrom(rc)
		rc.Close()
		w.Write(part.Bytes())
	}
	zw.Close()
	return out.Bytes()
}

// FuzzXLSX reads arbitrary bytes as a workbook, and arbitrary XML as the sheet or the shared
// strings of a valid workbook (mutated zip bytes mostly fail the archive's checksums, so the
// second reaches excelize's XML parsing): reading must end in rows or a *ParseError naming
// the file, never a panic, within the limits (small here, so that memory stays bounded).
// Each run unzips a workbook, so minimizing a new input takes minutes under the default
// -fuzzminimizetime: run it with -fuzzminimizetime 2s.
func FuzzXLSX(f *testing.F) {
	base := workbook(f, sheet{cells: cells(
		row(1, "id", "text", "stance"), row(2, 1, "أحسنت", "FAVOR"), row(4, 2.5, "ok", "AGAINST"),
	), custom: map[string]string{"A2": "0000"}, numFmt: map[string]int{"A4": 14}})
	f.Add(byte(0), base)
	f.Add(byte(0), []byte("PK\x03\x04"))
	f.Add(byte(1), []byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>text</t></is></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row><row r="1048577"><c r="XFD1048577"><v>1</v></c></row></sheetData></worksheet>`))
	f.Add(byte(1), []byte(`<worksheet><sheetData><row><c t="s"><v>-1</v></c><c t="d"><v>2026-13-45</v></c><c s="99"><v>1e400</v></c></row></sheetData></worksheet>`))
	f.Add(byte(2), []byte(`<sst><si><t>text</t></si><si><r><t>rich</t></r></si></sst>`))
	zr, _ := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" || zf.Name == "xl/sharedStrings.xml" {
			rc, _ := zf.Open()
			var b bytes.Buffer
			b.ReadFrom(rc)
			rc.Close()
			mode := byte(1)
			if zf.Name == "xl/sharedStrings.xml" {
				mode = 2
			}
			f.Add(mode, b.Bytes())
		}
	}
	f.Fuzz(func(t *testing.T, mode byte, in []byte) {
		switch mode % 3 {
		case 1:
			in = replacePart(t, base, "xl/worksheets/sheet1.xml", in)
		case 2:
			in = replacePart(t, base, "xl/sharedStrings.xml", in)
		}
		// No temporary files: under a limit of 1 MiB no part is larger than UnzipXMLSizeLimit.
		for _, s := range []Schema{
			{Format: XLSX, Limits: Limits{XLSXBytes: 1 << 20, RecordBytes: fuzzRecordLimit}},
			{Format: XLSX, Strict: true, RequireLabels: true, Limits: Limits{XLSXBytes: 1 << 20}},
		} {
			readFuzz(t, in, "f.xlsx", s)
		}
	})
}
