package scorecsv

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/commentstance/stance/abstain"
	"github.com/commentstance/stance/classifier"
)

// XLSXWriter writes the rows Writer writes as an .xlsx workbook of one sheet, "scores", through
// excelize's StreamWriter: the same columns, the lead and the labels as text, the probabilities
// and signed scores as numbers, rounded to the 4 decimals the CSV shows and formatted 0.0000, so
// that Excel shows what the CSV holds (a -0.0000 of the CSV is 0 here). The header row is
// frozen. Rows are kept by excelize (in memory, and past 16 MiB in a temporary file) until
// Close writes the workbook to w: a workbook is a zip archive, written whole at the end.
type XLSXWriter struct {
	w      io.Writer
	f      *excelize.File
	sw     *excelize.StreamWriter
	heads  []Head
	signed [][2]int
	style  int // the number format of the probabilities
	row    int // the last row written
	vals   []any
	cells  []excelize.Cell
	policy *abstain.Policy
}

// ErrTooManyRows: more rows than an .xlsx sheet holds.
var ErrTooManyRows = errors.New("too many rows for a workbook")

// xlsxSheet is the sheet's name.
const xlsxSheet = "scores"

// NewXLSXWriter writes rows of heads' scores to w, as a workbook, when Close is called.
func NewXLSXWriter(w io.Writer, heads []Head) (*XLSXWriter, error) {
	f := excelize.NewFile()
	fail := func(err error) (*XLSXWriter, error) {
		f.Close()
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetSheetName("Sheet1", xlsxSheet); err != nil {
		return fail(err)
	}
	four := "0.0000"
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &four})
	if err != nil {
		return fail(err)
	}
	sw, err := f.NewStreamWriter(xlsxSheet)
	if err != nil {
		return fail(err)
	}
	c := &XLSXWriter{w: w, f: f, sw: sw, heads: heads, style: style}
	for _, hd := range heads {
		pn := [2]int{-1, -1}
		if pos, neg, ok := (classifier.Head{Classes: hd.Classes}).Signed(); ok {
			pn = [2]int{pos, neg}
		}
		c.signed = append(c.signed, pn)
	}
	return c, nil
}

// Columns are Writer.Columns.
func (c *XLSXWriter) Columns(lead ...string) []string {
	return (&Writer{heads: c.heads, signed: c.signed}).Columns(lead...)
}

// WriteHeader writes the header row, Columns(lead...), and freezes it.
func (c *XLSXWriter) WriteHeader(lead ...string) error {
	if err := c.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	c.vals = c.vals[:0]
	for _, h := range c.Columns(lead...) {
		c.vals = append(c.vals, h)
	}
	return c.next()
}

// Write writes a row: the fields of lead as text, then the score columns of s.
func (c *XLSXWriter) Write(lead []string, s *classifier.Scores) error {
	c.vals = c.vals[:0]
	for _, f := range lead {
		c.vals = append(c.vals, f)
	}
	for hi, hd := range c.heads {
		p := s.Probs[hi]
		if best := s.Best[hi]; c.policy.Withholds(hi, best, p[best]) {
			c.vals = append(c.vals, c.policy.Label())
		} else {
			c.vals = append(c.vals, hd.Classes[best])
		}
		for k := range hd.Classes {
			c.vals = append(c.vals, c.number(p[k]))
		}
		if pn := c.signed[hi]; pn[0] >= 0 {
			c.vals = append(c.vals, c.number(p[pn[0]]-p[pn[1]]))
		}
	}
	return c.next()
}

// Abstain makes the writer withhold the labels that p withholds, as Writer.Abstain does.
func (c *XLSXWriter) Abstain(p *abstain.Policy) { c.policy = p }

// number is v as the CSV shows it (fixed4), as a cell of the probabilities' number format.
func (c *XLSXWriter) number(v float64) excelize.Cell {
	x, err := strconv.ParseFloat(fixed4(v), 64)
	if err != nil { // NaN or Inf: fixed4 wrote what FormatFloat writes, kept as text
		return excelize.Cell{Value: fixed4(v)}
	}
	if x == 0 {
		x = 0 // not -0
	}
	return excelize.Cell{StyleID: c.style, Value: x}
}

func (c *XLSXWriter) next() error {
	c.row++
	if c.row > excelize.TotalRows {
		return fmt.Errorf("%w: a sheet holds at most %d rows, header included; write a .csv", ErrTooManyRows, excelize.TotalRows)
	}
	cell, err := excelize.CoordinatesToCellName(1, c.row)
	if err != nil {
		return err
	}
	return c.sw.SetRow(cell, c.vals)
}

// Flush does nothing: a workbook is written whole by Close. It is there so that XLSXWriter
// serves where Writer does.
func (c *XLSXWriter) Flush() error { return nil }

// Close writes the workbook to w and removes excelize's temporary files. It must be called once,
// also after an error (it then writes nothing: call Abort instead).
func (c *XLSXWriter) Close() error {
	defer c.f.Close()
	if err := c.sw.Flush(); err != nil {
		return err
	}
	_, err := c.f.WriteTo(c.w)
	return err
}

// Abort removes excelize's temporary files without writing anything.
func (c *XLSXWriter) Abort() { c.f.Close() }
