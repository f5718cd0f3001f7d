package data

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Sentinel errors, for errors.Is. A *ParseError wraps one of them together with the details
// (which line, which field, what was found and what is accepted).
var (
	// ErrEmptyFile: a CSV or TSV file without even a header line.
	ErrEmptyFile = errors.New("empty file, expected a header")
	// ErrMissingColumn: a required column (the text, a join key) is not in the header.
	ErrMissingColumn = errors.New("missing column")
	// ErrDuplicateColumn: two header columns (or two keys of a JSON object) share a name.
	ErrDuplicateColumn = errors.New("duplicate column")
	// ErrLineEnd: a carriage return not followed by a line feed, in the header or in any field
	// of a CSV or TSV record: the file ends some or all of its lines with a bare CR, which
	// would merge rows into one.
	ErrLineEnd = errors.New("bare carriage return")
	// ErrFormat: the format is not one of csv, tsv, jsonl, or cannot be told from the file name.
	ErrFormat = errors.New("unknown format")
	// ErrSyntax: the CSV quoting or the JSON of a line is malformed.
	ErrSyntax = errors.New("syntax error")
	// ErrFieldCount: a CSV or TSV record has a different number of fields than the header.
	ErrFieldCount = errors.New("wrong number of fields")
	// ErrFieldType: a JSONL field has a JSON type other than string (or number, for ids).
	ErrFieldType = errors.New("wrong JSON type")
	// ErrInvalidUTF8: a field is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	// ErrNUL: a field holds a NUL byte, which no text format here allows and which usually means
	// the file is UTF-16 or binary.
	ErrNUL = errors.New("NUL byte")
	// ErrEmptyText: the text is empty after Schema.Strip and trimming spaces.
	ErrEmptyText = errors.New("empty text")
	// ErrEmptyLabel: a label column is present but the value is empty, and Schema.RequireLabels is set.
	ErrEmptyLabel = errors.New("empty label")
	// ErrTime: the time column of Schema.Time is empty or holds no time timestamp.Parse reads.
	ErrTime = errors.New("bad time")
	// ErrNoArticle: a comment's article id is not in the article file of Schema.Articles.
	ErrNoArticle = errors.New("no article with this id")
	// ErrDuplicateArticle: the article file has one key twice with different texts.
	ErrDuplicateArticle = errors.New("duplicate article id with a different text")
	// ErrTooLong: a record, or the article file, is larger than its limit (Schema.Limits).
	ErrTooLong = errors.New("over the size limit")
	// ErrEncoding: Schema.Encoding names no known character encoding.
	ErrEncoding = errors.New("unknown encoding")
	// ErrDelimiter: Schema.Delimiter cannot separate CSV fields.
	ErrDelimiter = errors.New("invalid delimiter")
	// ErrAllSkipped: the file has records but every one was skipped as bad, so reading it
	// gave nothing; Read returns it in place of io.EOF.
	ErrAllSkipped = errors.New("every record was skipped as bad")
)

// SettingError is an error that a setting remedies: an input over one of Schema.Limits, a
// column the Schema names that the file lacks, an encoding or delimiter that cannot be used.
// Setting names the Go field, qualified by its type ("Limits.RecordBytes", "Schema.Text",
// "ArticleSource.Key"); Err says what is wrong and wraps a sentinel (ErrTooLong,
// ErrMissingColumn, ErrEncoding, ErrInvalidUTF8, ErrDelimiter). A front end that sets these fields by other
// names (the CLI: config.yaml's limits.record_bytes) says the message with Say.
type SettingError struct {
	Setting string
	Err     error
	remedy  string // what to do with the setting, as a format of one %s for its name
}

func (e *SettingError) Error() string { return e.Say(e.Setting) }

// Say is the message with the setting named name.
func (e *SettingError) Say(name string) string {
	return e.Err.Error() + fmt.Sprintf(e.remedy, name)
}

func (e *SettingError) Unwrap() error { return e.Err }

// raise is the remedy of an input over a limit.
const raise = "; raise %s if it is real data"

// ParseError is an error at a place in an input file. Line and Column are 1-based; 0 means
// unknown (Column is a byte offset within the line, as in encoding/csv). In an .xlsx workbook
// Sheet names the sheet, Line is the row number and Column the column's number (A is 1), and the
// message says them as Excel does: `f.xlsx: sheet "Sheet1", row 12, column C (text): ...`.
type ParseError struct {
	File   string // the name given to Open or NewReader
	Sheet  string // the sheet of an .xlsx workbook; "" for the text formats
	Line   int    // physical line (row) of the field, or of the record when Field is empty
	Column int
	Field  string // column name in the file, "" when the error is about the whole record
	Value  string // the offending value, shortened to about 40 bytes; "" when there is none
	Err    error  // wraps one of the Err* sentinels
}

func (e *ParseError) Error() string {
	if e.Sheet != "" {
		return e.sheetError()
	}
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
		// A named field already says where; a column only helps for record-level errors
		// such as CSV quoting.
		if e.Column > 0 && e.Field == "" {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString("field ")
		b.WriteString(strconv.Quote(e.Field))
		b.WriteString(": ")
	}
	return e.what(&b)
}

// sheetError is Error for a place in a workbook, which spreadsheet users know by sheet, row
// number and column letter.
func (e *ParseError) sheetError() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteString(": sheet ")
	b.WriteString(strconv.Quote(e.Sheet))
	if e.Line > 0 {
		b.WriteString(", row ")
		b.WriteString(strconv.Itoa(e.Line))
	}
	switch {
	case e.Column > 0:
		b.WriteString(", column ")
		b.WriteString(columnName(e.Column))
		if e.Field != "" {
			b.WriteString(" (")
			b.WriteString(e.Field)
			b.WriteByte(')')
		}
	case e.Field != "":
		b.WriteString(", column ")
		b.WriteString(strconv.Quote(e.Field))
	}
	b.WriteString(": ")
	return e.what(&b)
}

// what ends both forms of the message: what is wrong, and the value that was found.
func (e *ParseError) what(b *strings.Builder) string {
	b.WriteString(e.Err.Error())
	if e.Value != "" {
		b.WriteString("; got ")
		b.WriteString(e.Value)
	}
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// Skip is a record that Read passed over because it was bad and Schema.Strict was not set.
type Skip struct {
	File   string
	Line   int   // where the record starts
	Reason error // the *ParseError that Read would have returned under Schema.Strict
}

func (s Skip) String() string { return s.Reason.Error() }

// maxShown bounds how much of a bad value goes into an error message: enough to find the
// record by eye, short enough that a many-KB article body does not flood the terminal.
const maxShown = 40

// shorten quotes about maxShown bytes of v around byte at (the place of the problem), marking
// cut ends with "...". The cut never splits a valid UTF-8 sequence.
func shorten(v string, at int) string {
	if len(v) <= maxShown {
		return strconv.Quote(v)
	}
	lo := max(0, at-maxShown/2)
	hi := min(len(v), lo+maxShown)
	lo = max(0, hi-maxShown)
	for lo > 0 && lo < len(v) && !utf8.RuneStart(v[lo]) && lo > at-maxShown {
		lo--
	}
	for hi < len(v) && !utf8.RuneStart(v[hi]) && hi < lo+maxShown+utf8.UTFMax {
		hi++
	}
	s := strconv.Quote(v[lo:hi])
	if lo > 0 {
		s = "..." + s
	}
	if hi < len(v) {
		s += "..."
	}
	return s
}
