// Package data reads reader comments, labelled or not, from CSV, TSV and JSONL files and .xlsx
// workbooks (xlsx.go).
//
// Data enters as a file (Open) or an io.Reader (NewReader) together with a Schema that names
// the columns; it leaves one Comment at a time from Reader.Read, so a file of any size is
// scored in constant memory. The only input read whole is the optional article file of
// Schema.Articles, which comments are joined to by id (FNC-1 keeps its article bodies apart
// from the headlines).
//
// Every value that the Schema maps onto a Comment is checked to be UTF-8 without NUL bytes
// (other columns are not looked at), and no field of a CSV or TSV record may hold a bare
// carriage return (which means rows were merged). A bad record is skipped and recorded
// (Reader.Skipped, the first KeptSkips of them, and Reader.SkipCount), or with Schema.Strict
// returned as a *ParseError that names the file, line, field and value, and wraps a sentinel
// error such as ErrInvalidUTF8. A file whose every record is bad is an error (ErrAllSkipped).
//
// Files in another encoding are decoded (Schema.Encoding); a record, and the article file, is
// bounded in size (Schema.Limits), so that no input makes a Reader hold more than that in
// memory. Messages name settings by their Go fields (Schema.Text, Limits.RecordBytes); those
// that a setting remedies are *SettingErrors, which a front end says in its own terms.
package data

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/encoding"

	"github.com/commentstance/stance/timestamp"
)

// Comment is one record of a comments file.
type Comment struct {
	File string // the name given to Open or NewReader
	Line int    // 1-based physical line where the record starts

	ID        string
	ArticleID string
	Article   string // the article, post, claim or target the stance is toward
	Text      string // after Schema.Strip and trimming spaces; never empty
	Group     string // e.g. a thread or claim id, for grouped cross-validation

	// Labels maps each head in Reader.Heads to its label; the value is "" when the file leaves
	// it empty (and RequireLabels is off). nil when the file has no label columns.
	Labels map[string]string

	// Time is when the comment was written, in UTC, from the column of Schema.Time; the zero
	// time without Schema.Time.
	Time time.Time

	// Kept holds the values of the columns Schema.Keep names, in its order, as the file has
	// them (a JSONL number as its literal); nil without Schema.Keep.
	Kept []string
}

// Reader reads Comments from one file. It is not safe for concurrent use.
type Reader struct {
	name   string
	src    source
	closer io.Closer

	strip                            []string
	requireLabels, strict            bool
	id, text, articleID, article, gr int // column indexes, -1 when absent
	heads                            []string
	labelCols                        []int
	labelNames                       []string
	keep                             []int // Schema.Keep's column indexes
	time                             int   // Schema.Time's column index, -1 without it

	sheet        string                  // of an .xlsx file, for messages
	articles     map[string]articleEntry // nil without Schema.Articles
	articlesPath string
	joinArticle  bool // Article comes from the article file

	skips    []Skip // the first KeptSkips
	nskips   int    // all skips
	nutf8    int    // skips for invalid UTF-8
	good     int    // comments returned
	decoding bool   // Schema.Encoding set
	err      error  // sticky: once Read failed it keeps failing the same way
}

// Open opens the file at path ("-" is standard input) and reads its header.
// Close closes the file.
func Open(path string, s Schema) (*Reader, error) {
	if path == "-" {
		return NewReader(os.Stdin, "-", s)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f, path, s)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads comments from in; name is used for errors and Comment.File, and for the
// format when s.Format is "". It reads the header, and the article file if s.Articles is set.
func NewReader(in io.Reader, name string, s Schema) (_ *Reader, err error) {
	format, enc, err := checkSchema(name, s)
	if err != nil {
		return nil, err
	}
	inEnc := enc // the comments file's; enc stays the article file's
	if format == XLSX {
		inEnc = nil // the workbook's XML declares its own encoding; excelize decodes it
	} else if enc == nil {
		br := bufio.NewReaderSize(in, readBufSize)
		start, _ := br.Peek(2)
		if err := utf16BOM(start); err != nil {
			return nil, &ParseError{File: name, Line: 1, Err: err}
		}
		in = br
	}
	src, pre, err := newSource(format, decoded(in, inEnc), name, sourceOptions{comma: s.Delimiter, maxRecord: s.Limits.record(),
		sheet: s.Sheet, xlsxLimit: s.Limits.xlsx(), xlsxField: "Limits.XLSXBytes"})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			closeSource(src)
			inSheet(err, name, sheetOf(src))
		}
	}()
	r := &Reader{name: name, src: src, sheet: sheetOf(src), strip: slices.Clone(s.Strip), requireLabels: s.RequireLabels, strict: s.Strict, decoding: inEnc != nil}
	for _, bad := range pre {
		if err := r.bad(bad, bad.Line); err != nil {
			return nil, err
		}
	}
	cols := src.columns()
	if err := checkHeader(name, src.headerLine(), cols, format); err != nil {
		return nil, err
	}
	ix := newColumnIndex(name, src.headerLine(), cols)
	// A JSONL input without any object has no columns to check: it is an empty stream.
	ix.empty = format == JSONL && src.headerLine() == 0
	aidCol, err := r.findColumns(ix, s)
	if err != nil {
		return nil, err
	}
	if err := r.findLabels(ix, s); err != nil {
		return nil, err
	}
	if s.Articles != nil {
		if r.articleID < 0 && !ix.empty {
			return nil, ix.missing("article id to join on", aidCol, "Schema.ArticleID")
		}
		r.articles, err = loadArticles(*s.Articles, enc, sourceOptions{comma: s.Delimiter, maxRecord: s.Limits.record()}, s.Limits.articleFile())
		if err != nil {
			return nil, err
		}
		r.joinArticle = r.article < 0
		r.articlesPath = s.Articles.Path
	}
	return r, nil
}

// checkSchema checks the settings of s that need no input, before any is read, and returns
// the format and the encoding they give (nil for UTF-8).
func checkSchema(name string, s Schema) (string, encoding.Encoding, error) {
	format, err := checkFormat(name, s.Format)
	if err != nil {
		return "", nil, err
	}
	for i, x := range s.Strip {
		if x == "" {
			return "", nil, fmt.Errorf("%s: strip[%d] is empty; want the literal text to remove, such as \"#SemST\"", name, i)
		}
	}
	if err := checkDelimiter(s.Delimiter); err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	enc, err := lookupEncoding(s.Encoding)
	if err != nil {
		return "", nil, fmt.Errorf("%s: %w", name, err)
	}
	return format, enc, nil
}

// columnIndex is an input's columns as read from its header, where the Schema's columns are
// looked up; a column it lacks is an error that names the header's line and lists what it has.
type columnIndex struct {
	file  string
	line  int
	cols  []string
	index map[string]int
	empty bool // an input without any record to take columns from: nothing is missing
}

func newColumnIndex(file string, line int, cols []string) *columnIndex {
	index := make(map[string]int, len(cols))
	for i, c := range cols {
		index[c] = i
	}
	return &columnIndex{file: file, line: line, cols: cols, index: index}
}

// find returns column c's index, or -1 when there is none.
func (ix *columnIndex) find(c string) int {
	if i, ok := ix.index[c]; ok {
		return i
	}
	return -1
}

// missing is the error for a column col, wanted for what, which setting (a field of Schema)
// names.
func (ix *columnIndex) missing(what, col, setting string) error {
	return &ParseError{File: ix.file, Line: ix.line, Err: &SettingError{Setting: setting,
		Err: fmt.Errorf("%w %q for the %s: the columns are %s; want a column named %q",
			ErrMissingColumn, col, what, quotedList(ix.cols), col),
		remedy: ", or set %s to one of them"}}
}

// findColumns finds the Schema's columns other than the labels, and returns the name of the
// article id column it looked for, which the article join needs for its message.
func (r *Reader) findColumns(ix *columnIndex, s Schema) (aidCol string, err error) {
	textCol := orDefault(s.Text, "text")
	r.text = ix.find(textCol)
	if r.text < 0 && !ix.empty {
		return "", ix.missing("comment text", textCol, "Schema.Text")
	}
	r.id = ix.find(orDefault(s.ID, "id"))
	r.article = ix.find(orDefault(s.Article, "article"))
	r.gr = ix.find(orDefault(s.Group, "group"))
	aidCol = orDefault(s.ArticleID, "article_id")
	r.articleID = ix.find(aidCol)
	if s.Articles != nil && s.ArticleID == "" && r.articleID < 0 {
		aidCol = orDefault(s.Articles.Key, "id")
		r.articleID = ix.find(aidCol)
	}

	for _, k := range s.Keep {
		i := ix.find(k)
		if i < 0 && !ix.empty {
			return "", &ParseError{File: ix.file, Line: ix.line,
				Err: fmt.Errorf("%w %q to keep: the columns are %s; want one of them", ErrMissingColumn, k, quotedList(ix.cols))}
		}
		r.keep = append(r.keep, i)
	}

	r.time = -1
	if s.Time != "" {
		r.time = ix.find(s.Time)
		if r.time < 0 && !ix.empty {
			return "", ix.missing("comment's time", s.Time, "Schema.Time")
		}
	}
	return aidCol, nil
}

// findLabels finds the label columns the header has, in head order; with s.RequireLabels,
// at least one of them must be there.
func (r *Reader) findLabels(ix *columnIndex, s Schema) error {
	labels := s.labelColumns()
	for _, h := range sortedKeys(labels) {
		if i := ix.find(labels[h]); i >= 0 {
			r.heads = append(r.heads, h)
			r.labelCols = append(r.labelCols, i)
			r.labelNames = append(r.labelNames, labels[h])
		}
	}
	if s.RequireLabels && len(r.heads) == 0 && !ix.empty {
		want := make([]string, 0, len(labels))
		for _, h := range sortedKeys(labels) {
			want = append(want, labels[h])
		}
		return &ParseError{File: ix.file, Line: ix.line, Err: &SettingError{Setting: "Schema.Labels",
			Err: fmt.Errorf("%w: labels are required but the columns are %s; want at least one of %s",
				ErrMissingColumn, quotedList(ix.cols), quotedList(want)),
			remedy: ", or map them with %s"}}
	}
	return nil
}

// Heads lists the label heads the file has a column for, sorted.
func (r *Reader) Heads() []string { return slices.Clone(r.heads) }

// Skipped lists the first KeptSkips records skipped so far as bad (only without Schema.Strict);
// SkipCount counts them all. The slice is the Reader's own and grows as Read goes on.
func (r *Reader) Skipped() []Skip { return r.skips }

// SkipCount is how many records have been skipped so far as bad.
func (r *Reader) SkipCount() int { return r.nskips }

// EncodingHint is a sentence for the user when more than half of the records read so far were
// skipped as invalid UTF-8, which is what a file in another encoding looks like; "" otherwise.
func (r *Reader) EncodingHint() string {
	if r.decoding || r.nutf8 == 0 || 2*r.nutf8 <= r.good+r.nskips {
		return ""
	}
	return fmt.Sprintf("%d of %d records are not valid UTF-8: the file may be in another encoding; set encoding, e.g. to windows-1256 (Arabic, Excel), windows-1252 (Western European) or utf-16",
		r.nutf8, r.good+r.nskips)
}

// Close closes the file opened by Open, and removes the temporary files of an .xlsx workbook's
// large parts. It does not close standard input or the io.Reader given to NewReader.
func (r *Reader) Close() error {
	err := closeSource(r.src)
	if r.closer == nil {
		return err
	}
	c := r.closer
	r.closer = nil
	if cerr := c.Close(); err == nil {
		err = cerr
	}
	return err
}

// bad records a skippable error, or returns it under Strict.
func (r *Reader) bad(e *ParseError, line int) error {
	inSheet(e, r.name, r.sheet)
	if r.strict {
		return e
	}
	r.nskips++
	if errors.Is(e, ErrInvalidUTF8) {
		r.nutf8++
	}
	if len(r.skips) < KeptSkips {
		r.skips = append(r.skips, Skip{File: e.File, Line: line, Reason: e})
	}
	return nil
}

// allSkipped is Read's error at the end of a file that had records but no good one.
func (r *Reader) allSkipped() error {
	msg := fmt.Sprintf("all %d records; the first: %v", r.nskips, r.skips[0].Reason)
	if hint := r.EncodingHint(); hint != "" {
		msg += "; " + hint
	}
	return &ParseError{File: r.name, Sheet: r.sheet, Err: fmt.Errorf("%w: %s", ErrAllSkipped, msg)}
}

// Read returns the next good comment, skipping (or, with Strict, failing on) bad ones. It
// returns io.EOF after the last. After an error other than io.EOF it keeps returning that error.
func (r *Reader) Read() (Comment, error) {
	if r.err != nil {
		return Comment{}, r.err
	}
	for {
		bad, err := r.src.next()
		if err == io.EOF && r.good == 0 && r.nskips > 0 {
			err = r.allSkipped()
		}
		if err != nil {
			r.err = err
			return Comment{}, err
		}
		var c Comment
		if bad == nil {
			c, bad, err = r.build()
			if err != nil {
				inSheet(err, r.name, r.sheet)
				r.err = err
				return Comment{}, err
			}
		}
		if bad != nil {
			if err := r.bad(bad, r.src.line()); err != nil {
				r.err = err
				return Comment{}, err
			}
			continue
		}
		r.good++
		return c, nil
	}
}

// field returns column i of the current record, checked; "" when the column is absent.
func (r *Reader) field(i int, numeric bool) (string, *ParseError) {
	if i < 0 {
		return "", nil
	}
	v, line, col, bad := r.src.value(i, numeric)
	if bad != nil {
		return "", bad
	}
	if err := checkText(v); err != nil {
		return "", &ParseError{File: r.name, Line: line, Column: col, Field: r.src.columns()[i],
			Value: shorten(v, badByte(v)), Err: err}
	}
	return v, nil
}

// build turns the current record into a Comment. bad is a skippable problem with the record;
// err (a missing article) is not.
func (r *Reader) build() (c Comment, bad *ParseError, err error) {
	c.File, c.Line = r.name, r.src.line()
	var raw string
	if raw, bad = r.field(r.text, false); bad != nil {
		return c, bad, nil
	}
	if c.ID, bad = r.field(r.id, true); bad != nil {
		return c, bad, nil
	}
	if c.ArticleID, bad = r.field(r.articleID, true); bad != nil {
		return c, bad, nil
	}
	if c.Article, bad = r.field(r.article, false); bad != nil {
		return c, bad, nil
	}
	if c.Group, bad = r.field(r.gr, true); bad != nil {
		return c, bad, nil
	}
	c.ID = strings.TrimSpace(c.ID)
	c.ArticleID = strings.TrimSpace(c.ArticleID)
	c.Group = strings.TrimSpace(c.Group)

	text := raw
	for _, s := range r.strip {
		text = strings.ReplaceAll(text, s, "")
	}
	c.Text = strings.TrimSpace(text)
	if c.Text == "" {
		_, line, col, _ := r.src.value(r.text, false)
		return c, &ParseError{File: r.name, Line: line, Column: col, Field: r.src.columns()[r.text],
			Value: shorten(raw, 0), Err: fmt.Errorf("%w; want some text after removing %s and spaces", ErrEmptyText, quotedList(r.strip))}, nil
	}

	if len(r.heads) > 0 {
		c.Labels = make(map[string]string, len(r.heads))
		for k, h := range r.heads {
			v, bad := r.field(r.labelCols[k], false)
			if bad != nil {
				return c, bad, nil
			}
			v = strings.TrimSpace(v)
			if v == "" && r.requireLabels {
				_, line, col, _ := r.src.value(r.labelCols[k], false)
				return c, &ParseError{File: r.name, Line: line, Column: col, Field: r.labelNames[k],
					Err: fmt.Errorf("%w for head %q; want a label (training needs every label)", ErrEmptyLabel, h)}, nil
			}
			c.Labels[h] = v
		}
	}

	if r.time >= 0 {
		if c.Time, bad = r.timeOf(); bad != nil {
			return c, bad, nil
		}
	}

	if len(r.keep) > 0 {
		c.Kept = make([]string, len(r.keep))
		for k, i := range r.keep {
			if c.Kept[k], bad = r.field(i, true); bad != nil {
				return c, bad, nil
			}
		}
	}

	if r.articles != nil {
		a, ok := r.articles[c.ArticleID]
		if !ok {
			return c, nil, &ParseError{File: r.name, Line: c.Line, Field: r.src.columns()[r.articleID],
				Value: shorten(c.ArticleID, 0), Err: fmt.Errorf("%w in %s; want an id of that file (is it the article file of the same split?)",
					ErrNoArticle, r.articlesPath)}
		}
		if r.joinArticle {
			c.Article = a.text
		}
	}
	return c, nil, nil
}

// timeOf reads the time column of the current record.
func (r *Reader) timeOf() (time.Time, *ParseError) {
	v, bad := r.field(r.time, true)
	if bad != nil {
		return time.Time{}, bad
	}
	t, err := timestamp.Parse(v)
	if err != nil {
		_, line, col, _ := r.src.value(r.time, true)
		return time.Time{}, &ParseError{File: r.name, Line: line, Column: col, Field: r.src.columns()[r.time],
			Value: shorten(v, 0), Err: fmt.Errorf("%w: %w", ErrTime, err)}
	}
	return t, nil
}

// ReadAll reads every comment of the file at path, for training. It returns the comments, the
// records skipped as bad, and the first error that stopped reading.
func ReadAll(path string, s Schema) ([]Comment, []Skip, error) {
	r, err := Open(path, s)
	if err != nil {
		return nil, nil, err
	}
	var cs []Comment
	for {
		c, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			r.Close()
			return cs, r.Skipped(), err
		}
		cs = append(cs, c)
	}
	return cs, r.Skipped(), r.Close()
}

// HasID reports whether the file has the Schema's id column, so that a writer can tell a file
// without ids (FNC-1's, whose rows are known by their order) from one whose ids are empty.
func (r *Reader) HasID() bool { return r.id >= 0 }
