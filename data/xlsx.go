package data

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/xuri/excelize/v2"
)

// Reading .xlsx workbooks (Office Open XML, ECMA-376) through excelize, the de-facto Go library
// for them. A workbook is a zip archive, so it cannot be read front to back as the text formats
// are: a file given by path is opened in place (random access, nothing read whole), and one given
// as a stream (standard input) is read whole within Limits.XLSXBytes first. Its rows are then
// read one at a time with excelize's streaming iterator (File.Rows), never the whole sheet.
//
// Bounds, so that a zip bomb or a hostile workbook ends in an error naming the limit:
//   - the file itself, and the sum of the unzipped sizes its zip directory declares for its parts,
//     are at most Limits.XLSXBytes (for the article file, Limits.ArticleFileBytes). archive/zip
//     fails a part that unzips to more than it declares, so the declared sizes bound what is
//     unzipped; excelize's UnzipSizeLimit is set to the same value as a second guard.
//   - parts larger than xlsxMemoryPart (the worksheet, the shared strings) are unzipped to
//     temporary files, removed by Close, and read from there as a stream (excelize's
//     UnzipXMLSizeLimit); the other parts are held in memory, within the bound above.
//   - a row whose cells hold more than Limits.RecordBytes in all is an error (ErrTooLong), as a
//     CSV record is, before any of it is returned.

// xlsxMemoryPart is excelize's UnzipXMLSizeLimit: parts larger than this are unzipped to a
// temporary file instead of memory. 16 MiB is excelize's own default (StreamChunkSize).
const xlsxMemoryPart = 16 << 20

// isoDate is how the built-in date formats that Excel shows in the reader's regional settings
// (number formats 14, m/d/yy, and 22, m/d/yy h:mm) read: as ISO 8601 (2026-03-04, 2026-03-04
// 13:05), the same on every machine and unambiguous between day-first and month-first locales.
// Dates in a custom format read as that format writes them.
const isoDate = "yyyy-mm-dd"

// ErrNotXLSX: a file read as .xlsx is not a zip archive of a workbook (an old .xls, a
// password-protected workbook, a CSV file named .xlsx, a truncated download).
var ErrNotXLSX = errors.New("not an .xlsx workbook")

// xlsxSource reads one sheet of a workbook: the first non-empty row is the header, and each
// later non-empty row a record. Every cell is read as the text Excel shows for it (excelize
// applies the cell's number format: an id 0001 stored as the number 1 with the format 0000 reads
// "0001", 0.1+0.2 reads "0.3", TRUE reads "TRUE"; dates: isoDate); a formula reads as the value
// Excel last computed and saved.
// Cells right of the header's last column are ignored; a row shorter than the header reads
// empty for the rest.
type xlsxSource struct {
	name, sheet string
	f           *excelize.File
	rows        *excelize.Rows
	maxRecord   int64
	header      []string
	hrow        int
	rec         []string
	row         int // the row number of the current record (1-based, as Excel numbers rows)
	n           int // rows.Next calls so far: the row number rows is on
}

// xlsxOptions are what an xlsxSource takes from the Schema.
type xlsxOptions struct {
	sheet      string // "" for the first
	limit      int64  // the file and its unzipped parts
	limitField string // the field of Limits that sets limit, for messages
	maxRecord  int64  // Limits.record()
}

// openXLSX opens the workbook in and its sheet: an *os.File of a regular file is read in place,
// anything else (standard input, a pipe) whole, within o.limit.
func openXLSX(in io.Reader, name string, o xlsxOptions) (s *xlsxSource, err error) {
	defer func() {
		// excelize parses untrusted zip and XML structures; a panic in it on a hostile file
		// must be an error about the file, not a crash of the command.
		if p := recover(); p != nil {
			s, err = nil, &ParseError{File: name, Err: fmt.Errorf("%w: excelize failed on it (%v)", ErrNotXLSX, p)}
		}
	}()
	var (
		ra   io.ReaderAt
		size int64
		path string
	)
	if f, ok := in.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			ra, size, path = f, st.Size(), f.Name()
		}
	}
	if ra == nil {
		b, err := io.ReadAll(&boundedReader{r: in, max: o.limit, err: errTooLong})
		if errors.Is(err, errTooLong) {
			return nil, o.tooBig(name, "the file")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		ra, size = bytes.NewReader(b), int64(len(b))
	}
	if size > o.limit {
		return nil, o.tooBig(name, "the file")
	}
	// The zip directory's declared sizes, summed before excelize unzips anything: archive/zip
	// fails a part that unzips to more than it declares, so this bounds what is unzipped.
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return nil, notXLSX(name, err)
	}
	var total uint64
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		if total > uint64(o.limit) {
			return nil, o.tooBig(name, "the sum of its unzipped parts")
		}
	}
	opts := excelize.Options{UnzipSizeLimit: o.limit, UnzipXMLSizeLimit: min(xlsxMemoryPart, o.limit),
		ShortDatePattern: isoDate}
	var f *excelize.File
	if path != "" {
		f, err = excelize.OpenFile(path, opts)
	} else {
		f, err = excelize.OpenReader(io.NewSectionReader(ra, 0, size), opts)
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, notXLSX(name, err)
	}
	return newXLSXSource(f, name, o)
}

func (o xlsxOptions) tooBig(name, what string) error {
	return &ParseError{File: name, Err: &SettingError{Setting: o.limitField,
		Err: fmt.Errorf("%w: %s is larger than %s", ErrTooLong, what, sizeString(o.limit)), remedy: raise}}
}

func notXLSX(name string, err error) error {
	return &ParseError{File: name, Err: fmt.Errorf("%w (%v); want a workbook saved as .xlsx by Excel, LibreOffice or Google Sheets (an old .xls, or a password-protected workbook, must be saved again as .xlsx)", ErrNotXLSX, err)}
}

// newXLSXSource starts reading sheet of f (the first when ""), up to its header row.
func newXLSXSource(f *excelize.File, name string, o xlsxOptions) (*xlsxSource, error) {
	s := &xlsxSource{name: name, f: f, maxRecord: o.maxRecord}
	sheet := o.sheet
	sheets := f.GetSheetList()
	if sheet == "" {
		if len(sheets) == 0 {
			f.Close()
			return nil, &ParseError{File: name, Err: fmt.Errorf("%w: the workbook has no sheets", ErrNotXLSX)}
		}
		sheet = sheets[0]
	} else if !containsString(sheets, sheet) {
		f.Close()
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w %q: the sheets are %s; want one of them (set sheet)", ErrNoSheet, sheet, quotedList(sheets))}
	}
	s.sheet = sheet
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, &ParseError{File: name, Sheet: sheet, Err: fmt.Errorf("%w: %v", ErrNotXLSX, err)}
	}
	s.rows = rows
	for {
		ok, err := s.advance()
		if err != nil {
			s.close()
			return nil, err
		}
		if !ok {
			s.close()
			return nil, &ParseError{File: name, Sheet: sheet, Err: fmt.Errorf("%w row naming the columns: the sheet is empty", ErrEmptyFile)}
		}
		if len(s.rec) > 0 {
			s.header = append([]string(nil), s.rec...)
			s.hrow = s.row
			return s, nil
		}
	}
}

// ErrNoSheet: Schema.Sheet names a sheet the workbook does not have.
var ErrNoSheet = errors.New("no sheet")

func containsString(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// advance reads the next row, empty or not, into s.rec (trailing empty cells dropped). It
// returns false at the end of the sheet.
func (s *xlsxSource) advance() (ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			ok, err = false, &ParseError{File: s.name, Sheet: s.sheet, Line: s.n, Err: fmt.Errorf("%w: excelize failed on the row (%v)", ErrSyntax, p)}
		}
	}()
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return false, &ParseError{File: s.name, Sheet: s.sheet, Line: s.n + 1, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
		}
		return false, nil
	}
	// Next is called once per row number, empty rows (absent from the sheet's XML) included.
	s.n++
	s.row = s.n
	cells, err := s.rows.Columns()
	if err != nil {
		return false, &ParseError{File: s.name, Sheet: s.sheet, Line: s.row, Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	var size int64
	for _, c := range cells {
		size += int64(len(c))
	}
	if size > s.maxRecord {
		return false, &ParseError{File: s.name, Sheet: s.sheet, Line: s.row, Err: tooLong(s.maxRecord, "Limits.RecordBytes")}
	}
	for len(cells) > 0 && cells[len(cells)-1] == "" {
		cells = cells[:len(cells)-1]
	}
	s.rec = cells
	return true, nil
}

func (s *xlsxSource) columns() []string { return s.header }
func (s *xlsxSource) headerLine() int   { return s.hrow }
func (s *xlsxSource) line() int         { return s.row }

func (s *xlsxSource) next() (*ParseError, error) {
	for {
		ok, err := s.advance()
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
		if len(s.rec) > 0 { // empty rows are passed over, as encoding/csv passes over empty lines
			return nil, nil
		}
	}
}

func (s *xlsxSource) value(i int, _ bool) (string, int, int, *ParseError) {
	if i < len(s.rec) {
		return s.rec[i], s.row, i + 1, nil
	}
	return "", s.row, i + 1, nil
}

// close removes excelize's temporary files.
func (s *xlsxSource) close() error {
	var err error
	if s.rows != nil {
		s.rows.Close()
	}
	if s.f != nil {
		err = s.f.Close()
		s.f = nil
	}
	return err
}

// Close closes the workbook and removes the temporary files of its large parts.
func (s *xlsxSource) Close() error { return s.close() }

// columnName is Excel's name of the 1-based column n: A, B, ..., Z, AA, ...
func columnName(n int) string {
	if name, err := excelize.ColumnNumberToName(n); err == nil {
		return name
	}
	return fmt.Sprint(n)
}

// sheetOf names the sheet in a message.
func sheetOf(s source) string {
	if x, ok := s.(*xlsxSource); ok {
		return x.sheet
	}
	return ""
}

// closeSource closes a source that holds resources (an xlsxSource's temporary files).
func closeSource(s source) error {
	if c, ok := s.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// inSheet puts sheet into err, if it is a *ParseError about file that does not name one yet:
// the Reader's own checks make their errors without knowing the format.
func inSheet(err error, file, sheet string) {
	var pe *ParseError
	if sheet != "" && errors.As(err, &pe) && pe.File == file && pe.Sheet == "" {
		pe.Sheet = sheet
	}
}
