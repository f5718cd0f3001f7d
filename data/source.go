package data

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// source yields the records of one file in one format. Values are addressed by the index of
// their column in columns(), so that the Reader resolves column names once and handles CSV, TSV
// and JSONL alike.
type source interface {
	// columns is the header of a CSV or TSV file, or the keys of the first object of a JSONL file.
	columns() []string
	// headerLine is the line columns() came from.
	headerLine() int
	// next advances to the next record and returns io.EOF after the last. A record that is bad
	// as a whole but leaves the file readable is reported as bad; err means reading cannot go on.
	next() (bad *ParseError, err error)
	// line is the physical line where the current record starts.
	line() int
	// value is column i of the current record and where it starts. numeric lets a JSON number
	// stand for a string (ids); it is ignored by the text formats.
	value(i int, numeric bool) (v string, line, col int, bad *ParseError)
}

// readBufSize is the bufio size for all formats. Longer lines and fields work (they are
// accumulated); this only sets how much is read per system call.
const readBufSize = 64 << 10

var bom = []byte("\xef\xbb\xbf")

// newBuffered wraps r and drops a leading UTF-8 byte-order mark (Mawqif's CSV files have one;
// left in, it would become part of the first column's name).
func newBuffered(r io.Reader) *bufio.Reader {
	br := bufio.NewReaderSize(r, readBufSize)
	if b, _ := br.Peek(len(bom)); bytes.Equal(b, bom) {
		br.Discard(len(bom))
	}
	return br
}

// sourceOptions are what the sources take from the Schema.
type sourceOptions struct {
	comma     rune  // CSV delimiter; 0 is ','
	maxRecord int64 // Limits.record()
	sheet     string
	xlsxLimit int64  // Limits.xlsx(), or the article file's bound
	xlsxField string // the field of Limits that sets xlsxLimit, for messages
}

func newSource(format string, r io.Reader, name string, o sourceOptions) (source, []*ParseError, error) {
	if o.maxRecord <= 0 {
		o.maxRecord = DefaultRecordBytes
	}
	switch format {
	case CSV:
		s, err := newCSVSource(r, name, o)
		return s, nil, err
	case TSV:
		s, err := newTSVSource(r, name, o)
		return s, nil, err
	case JSONL:
		return newJSONLSource(r, name, o)
	case XLSX:
		if o.xlsxLimit <= 0 {
			o.xlsxLimit, o.xlsxField = DefaultXLSXBytes, "Limits.XLSXBytes"
		}
		s, err := openXLSX(r, name, xlsxOptions{sheet: o.sheet, limit: o.xlsxLimit, limitField: o.xlsxField, maxRecord: o.maxRecord})
		if err != nil {
			return nil, nil, err // a nil *xlsxSource must not become a non-nil source
		}
		return s, nil, nil
	}
	return nil, nil, fmt.Errorf("%s: %w %q", name, ErrFormat, format)
}

// checkHeader rejects column names that cannot be matched reliably. A sheet's header may leave
// cells empty (columns of notes, spacing), which no setting can name; a text file's may not.
func checkHeader(name string, line int, cols []string, format string) error {
	seen := make(map[string]int, len(cols))
	for i, c := range cols {
		if c == "" && format == XLSX {
			continue
		}
		if bad := checkText(c); bad != nil {
			return &ParseError{File: name, Line: line, Column: i + 1, Value: shorten(c, 0),
				Err: fmt.Errorf("header column %d: %w", i+1, bad)}
		}
		if strings.ContainsAny(c, "\r\n") {
			return &ParseError{File: name, Line: line, Value: shorten(c, strings.IndexAny(c, "\r\n")),
				Err: fmt.Errorf("%w in the header: the file seems to end its lines with a bare CR (classic Mac); want LF or CRLF line ends", ErrLineEnd)}
		}
		if j, dup := seen[c]; dup {
			return &ParseError{File: name, Line: line, Value: fmt.Sprintf("%q", c),
				Err: fmt.Errorf("%w %q: header columns %d and %d; want each column name once", ErrDuplicateColumn, c, j+1, i+1)}
		}
		seen[c] = i
	}
	return nil
}

// checkText reports the first byte of v that no text field may hold: invalid UTF-8 or NUL.
func checkText(v string) error {
	if i := strings.IndexByte(v, 0); i >= 0 {
		if !utf8.ValidString(v[:i]) {
			return badUTF8(v)
		}
		return fmt.Errorf("%w at byte %d; want text (is the file UTF-16 or binary?)", ErrNUL, i)
	}
	if !utf8.ValidString(v) {
		return badUTF8(v)
	}
	return nil
}

func badUTF8(v string) error {
	return fmt.Errorf("%w at byte %d; want UTF-8 text (convert the file with iconv)", ErrInvalidUTF8, badByte(v))
}

// badByte is the offset of the first byte of v that is NUL or not valid UTF-8, or -1.
func badByte(v string) int {
	for i := 0; i < len(v); {
		r, n := utf8.DecodeRuneInString(v[i:])
		if r == 0 || (r == utf8.RuneError && n == 1) {
			return i
		}
		i += n
	}
	return -1
}

// csvSource reads RFC 4180 CSV through encoding/csv.
type csvSource struct {
	name   string
	r      *csv.Reader
	bound  *csvBound
	header []string
	hline  int
	rec    []string
	start  int
	end    int // the line the last record ended on
}

func newCSVSource(r io.Reader, name string, o sourceOptions) (*csvSource, error) {
	bound := &csvBound{r: newBuffered(r), max: o.maxRecord}
	cr := csv.NewReader(bound)
	if o.comma != 0 {
		cr.Comma = o.comma
	}
	// Records are copied into Comments field by field, so the slice can be reused.
	cr.ReuseRecord = true
	s := &csvSource{name: name, r: cr, bound: bound}
	rec, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w row naming the columns", ErrEmptyFile)}
	}
	if err != nil {
		return nil, s.syntax(err)
	}
	s.header = slices.Clone(rec)
	s.hline, _ = cr.FieldPos(0)
	s.ended(rec)
	// Set explicitly rather than relying on 0 meaning "as the first record", to make the check
	// visible here: every record must have as many fields as the header.
	cr.FieldsPerRecord = len(s.header)
	return s, nil
}

func (s *csvSource) columns() []string { return s.header }
func (s *csvSource) headerLine() int   { return s.hline }
func (s *csvSource) line() int         { return s.start }

// ended notes the end of the record just read: where the next one's size starts counting, and
// its last line, for the message should the next one be too long.
func (s *csvSource) ended(rec []string) {
	s.bound.mark = s.r.InputOffset()
	if len(rec) > 0 {
		line, _ := s.r.FieldPos(len(rec) - 1)
		s.end = line + strings.Count(rec[len(rec)-1], "\n")
	}
}

func (s *csvSource) next() (*ParseError, error) {
	rec, err := s.r.Read()
	if err == nil {
		s.rec = rec
		s.start, _ = s.r.FieldPos(0)
		s.ended(rec)
		for i, f := range rec {
			// encoding/csv turns CRLF into LF, inside quotes too: any CR left is a bare one.
			if j := strings.IndexByte(f, '\r'); j >= 0 {
				line, col := s.r.FieldPos(i)
				return bareCR(s.name, line, col, s.header[i], f, j), nil
			}
		}
		return nil, nil
	}
	if err == io.EOF {
		return nil, io.EOF
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
		// encoding/csv has consumed the whole record, so reading can go on.
		s.bound.mark = s.r.InputOffset()
		s.end = pe.Line
		s.start = pe.StartLine
		for i, f := range rec {
			// Bare CRs are the likelier cause of the count: rows merged into one.
			if j := strings.IndexByte(f, '\r'); j >= 0 {
				field := ""
				if i < len(s.header) {
					field = s.header[i]
				}
				return bareCR(s.name, s.start, 0, field, f, j), nil
			}
		}
		return &ParseError{File: s.name, Line: pe.StartLine, Value: shorten(strings.Join(rec, ","), 0),
			Err: fmt.Errorf("%w: the record has %d, the header has %d (%s)",
				ErrFieldCount, len(rec), len(s.header), quotedList(s.header))}, nil
	}
	return nil, s.syntax(err)
}

// syntax turns an encoding/csv error into a ParseError. Quoting errors are not skippable: after
// a stray quote, encoding/csv may have swallowed any number of lines into one field.
func (s *csvSource) syntax(err error) error {
	switch {
	case errors.Is(err, errTooLong):
		return &ParseError{File: s.name, Line: s.end + 1, Err: tooLong(s.bound.max, "Limits.RecordBytes")}
	case errors.Is(err, ErrTooLong): // the whole input's bound, as the article file's
		return &ParseError{File: s.name, Line: s.end + 1, Err: err}
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", s.name, err)
	}
	where := ""
	if pe.StartLine != pe.Line {
		where = fmt.Sprintf(" (the record starts on line %d)", pe.StartLine)
	}
	return &ParseError{File: s.name, Line: pe.Line, Column: pe.Column,
		Err: fmt.Errorf("%w: %w%s; want RFC 4180 quoting: a field holding a quote, comma or line break is enclosed in double quotes, and a quote inside it is doubled",
			ErrSyntax, pe.Err, where)}
}

func (s *csvSource) value(i int, _ bool) (string, int, int, *ParseError) {
	line, col := s.r.FieldPos(i)
	return s.rec[i], line, col, nil
}

// bareCR is the skip for a field holding a carriage return that ends no line.
func bareCR(name string, line, col int, field, v string, at int) *ParseError {
	return &ParseError{File: name, Line: line, Column: col, Field: field, Value: shorten(v, at),
		Err: fmt.Errorf("%w inside the record: the file seems to end some lines with a bare CR, which would merge those rows into one; want LF or CRLF line ends", ErrLineEnd)}
}

// lineReader yields physical lines of up to max bytes without their line end (LF or CRLF).
type lineReader struct {
	br   *bufio.Reader
	buf  []byte
	n    int // lines read so far
	name string
	max  int64
}

func (lr *lineReader) next() ([]byte, error) {
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		if n := int64(len(lr.buf)) + int64(len(chunk)); n > lr.max {
			if err == nil { // the line end is not part of the record
				n--
				if len(chunk) >= 2 && chunk[len(chunk)-2] == '\r' || len(chunk) == 1 && len(lr.buf) > 0 && lr.buf[len(lr.buf)-1] == '\r' {
					n--
				}
			}
			if n > lr.max {
				return nil, &ParseError{File: lr.name, Line: lr.n + 1, Err: tooLong(lr.max, "Limits.RecordBytes")}
			}
		}
		if err == bufio.ErrBufferFull {
			lr.buf = append(lr.buf, chunk...)
			continue
		}
		if len(lr.buf) > 0 {
			lr.buf = append(lr.buf, chunk...)
			chunk = lr.buf
		}
		switch {
		case err == io.EOF && len(chunk) == 0:
			return nil, io.EOF
		case err != nil && err != io.EOF:
			if errors.Is(err, ErrTooLong) { // the whole input's bound, as the article file's
				return nil, &ParseError{File: lr.name, Line: lr.n + 1, Err: err}
			}
			return nil, fmt.Errorf("%s:%d: %w", lr.name, lr.n+1, err)
		}
		lr.n++
		chunk = bytes.TrimSuffix(chunk, []byte{'\n'})
		chunk = bytes.TrimSuffix(chunk, []byte{'\r'})
		return chunk, nil
	}
}

// tsvSource reads tab-separated lines with no quoting, the way the SemEval-2016 Task 6 files
// must be read (Python's csv.QUOTE_NONE): tweets hold bare double quotes that a CSV reader
// would take for field delimiters.
type tsvSource struct {
	lr     lineReader
	header []string
	hline  int
	fields []string
	cols   []int // byte offset + 1 of each field
	start  int
}

func newTSVSource(r io.Reader, name string, o sourceOptions) (*tsvSource, error) {
	s := &tsvSource{lr: lineReader{br: newBuffered(r), name: name, max: o.maxRecord}}
	for {
		line, err := s.lr.next()
		if err == io.EOF {
			return nil, &ParseError{File: name, Err: fmt.Errorf("%w line naming the columns, separated by tabs", ErrEmptyFile)}
		}
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			continue
		}
		s.split(string(line))
		s.header = slices.Clone(s.fields)
		s.hline = s.lr.n
		return s, nil
	}
}

func (s *tsvSource) split(line string) {
	s.fields, s.cols = s.fields[:0], s.cols[:0]
	off := 0
	for {
		s.cols = append(s.cols, off+1)
		i := strings.IndexByte(line[off:], '\t')
		if i < 0 {
			s.fields = append(s.fields, line[off:])
			return
		}
		s.fields = append(s.fields, line[off:off+i])
		off += i + 1
	}
}

func (s *tsvSource) columns() []string { return s.header }
func (s *tsvSource) headerLine() int   { return s.hline }
func (s *tsvSource) line() int         { return s.start }

func (s *tsvSource) next() (*ParseError, error) {
	for {
		line, err := s.lr.next()
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			continue // as encoding/csv does with empty lines
		}
		s.start = s.lr.n
		// One string per line; the fields are substrings of it.
		s.split(string(line))
		if bytes.IndexByte(line, '\r') >= 0 { // lineReader has removed the CR of a CRLF
			for i, f := range s.fields {
				if j := strings.IndexByte(f, '\r'); j >= 0 {
					field := ""
					if i < len(s.header) {
						field = s.header[i]
					}
					return bareCR(s.lr.name, s.start, s.cols[i], field, f, j), nil
				}
			}
		}
		if len(s.fields) != len(s.header) {
			return &ParseError{File: s.lr.name, Line: s.start, Value: shorten(strings.Join(s.fields, "\t"), 0),
				Err: fmt.Errorf("%w: the line has %d tab-separated fields, the header has %d (%s)",
					ErrFieldCount, len(s.fields), len(s.header), quotedList(s.header))}, nil
		}
		return nil, nil
	}
}

func (s *tsvSource) value(i int, _ bool) (string, int, int, *ParseError) {
	return s.fields[i], s.start, s.cols[i], nil
}

// jsonlSource reads one JSON object per line (JSON Lines, https://jsonlines.org). Its columns are
// the keys of the first object; a later object may lack some (they read as empty).
type jsonlSource struct {
	lr      lineReader
	keys    []string // of the first object, in order
	hline   int
	row     map[string]json.RawMessage
	start   int
	pending bool // the first object has been parsed but not yet returned by next
}

func newJSONLSource(r io.Reader, name string, o sourceOptions) (*jsonlSource, []*ParseError, error) {
	s := &jsonlSource{lr: lineReader{br: newBuffered(r), name: name, max: o.maxRecord}, row: map[string]json.RawMessage{}}
	// Read up to the first good object to learn the columns. Bad lines before it are returned
	// so that the Reader can skip them or fail, as for any bad line.
	var pre []*ParseError
	for {
		bad, err := s.read(true)
		if err == io.EOF {
			return s, pre, nil // no objects at all: an empty stream of comments
		}
		if err != nil {
			return nil, pre, err
		}
		if bad != nil {
			pre = append(pre, bad)
			continue
		}
		s.hline, s.pending = s.start, true
		return s, pre, nil
	}
}

func (s *jsonlSource) columns() []string { return s.keys }
func (s *jsonlSource) headerLine() int   { return s.hline }
func (s *jsonlSource) line() int         { return s.start }

func (s *jsonlSource) next() (*ParseError, error) {
	if s.pending {
		s.pending = false
		return nil, nil
	}
	return s.read(false)
}

// read parses the next non-blank line into s.row; first records the keys in order.
func (s *jsonlSource) read(first bool) (*ParseError, error) {
	var line []byte
	for {
		l, err := s.lr.next()
		if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(l)) > 0 {
			line = l
			break
		}
	}
	s.start = s.lr.n
	clear(s.row)
	if first {
		s.keys = s.keys[:0]
	}
	bad := func(col int, err error) *ParseError {
		return &ParseError{File: s.lr.name, Line: s.start, Column: col, Value: shorten(string(line), col-1), Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	syntax := func(err error) *ParseError {
		col := int(dec.InputOffset()) + 1
		var se *json.SyntaxError
		if errors.As(err, &se) {
			col = int(se.Offset)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = errors.New("the line ends inside the object")
		}
		return bad(max(col, 1), fmt.Errorf("%w: %w; want one JSON object per line", ErrSyntax, err))
	}
	tok, err := dec.Token()
	if err != nil {
		return syntax(err), nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return bad(1, fmt.Errorf("%w: the line is not a JSON object; want one JSON object per line", ErrSyntax)), nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntax(err), nil
		}
		key := tok.(string) // inside an object the decoder yields only string keys
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return syntax(err), nil
		}
		if _, dup := s.row[key]; dup {
			return bad(int(dec.InputOffset()), fmt.Errorf("%w: key %q appears twice in the object; want each key once", ErrDuplicateColumn, key)), nil
		}
		s.row[key] = raw
		if first {
			s.keys = append(s.keys, key)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return syntax(err), nil
	}
	end := int(dec.InputOffset())
	if _, err := dec.Token(); err != io.EOF {
		rest := line[end:]
		col := end + 1 + len(rest) - len(bytes.TrimLeft(rest, " \t\r"))
		return bad(col, fmt.Errorf("%w: text after the JSON object; want one JSON object per line", ErrSyntax)), nil
	}
	if first {
		if err := checkHeader(s.lr.name, s.start, s.keys, JSONL); err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				return pe, nil
			}
			return nil, err
		}
	}
	return nil, nil
}

func (s *jsonlSource) value(i int, numeric bool) (string, int, int, *ParseError) {
	key := s.keys[i]
	raw, ok := s.row[key]
	if !ok || len(raw) == 0 {
		return "", s.start, 0, nil
	}
	bad := func(err error) *ParseError {
		return &ParseError{File: s.lr.name, Line: s.start, Field: key, Value: shorten(string(raw), 0), Err: err}
	}
	want := "a string"
	if numeric {
		want = "a string or a number"
	}
	switch c := raw[0]; {
	case c == '"':
		// encoding/json would silently replace invalid UTF-8 by U+FFFD; catch it first.
		if !utf8.Valid(raw) {
			b := badByte(string(raw))
			return "", s.start, 0, &ParseError{File: s.lr.name, Line: s.start, Field: key, Value: shorten(string(raw), b),
				Err: fmt.Errorf("%w at byte %d of the JSON string; want UTF-8 text", ErrInvalidUTF8, b)}
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return "", s.start, 0, bad(fmt.Errorf("%w: %w", ErrSyntax, err))
		}
		return v, s.start, 0, nil
	case c == 'n': // null: the decoder has checked it is exactly null
		return "", s.start, 0, nil
	case numeric && (c == '-' || '0' <= c && c <= '9'):
		// The literal as written: 0012 cannot occur (not JSON) and 1e3 stays "1e3", so the id
		// matches the same id written elsewhere as this literal.
		return string(raw), s.start, 0, nil
	}
	return "", s.start, 0, bad(fmt.Errorf("%w: want %s", ErrFieldType, want))
}
