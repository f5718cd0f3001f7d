package data

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Formats understood by the readers.
const (
	CSV   = "csv"   // RFC 4180 as read by encoding/csv: header row, quoted fields may span lines
	TSV   = "tsv"   // one record per line, fields split on tabs, no quoting at all
	JSONL = "jsonl" // one JSON object per line
	XLSX  = "xlsx"  // an Excel workbook: one sheet, its first non-empty row the header (xlsx.go)
)

// Schema says how a file's columns map onto a Comment. The zero Schema reads a file with columns
// text, id, article_id, article, group, and labels from the columns stance and sentiment if the
// file has them.
//
// An error that a field remedies (a column the file lacks, an input over a limit) is a
// *SettingError that names the field, so that a front end that sets the fields by other names
// (the CLI's configuration keys) can say it in its own terms.
type Schema struct {
	// Format is CSV, TSV, JSONL or XLSX. "" means from the file name's extension: .csv; .tsv and
	// .txt (the SemEval-2016 files are tab-separated .txt); .jsonl and .json; .xlsx. The name "-"
	// (stdin) means CSV.
	Format string

	// Sheet is the sheet of an .xlsx file to read (set by sheet); "" means the first. The text
	// formats ignore it.
	Sheet string

	// Column names. Defaults: "id", "text", "article_id", "article", "group". A column that the
	// file lacks is read as empty, except Text, which is required. When Articles is set and
	// ArticleID is "", the join column is "article_id" if the file has it and Articles.Key
	// otherwise (FNC-1 names it "Body ID" in both files).
	ID, Text, ArticleID, Article, Group string

	// Labels maps a classification head to its column, e.g. {"stance": "Stance"}; a column name
	// "" means the head's own name. Heads whose column the file lacks are left out (a file to be
	// scored has no labels). nil means {"stance": "stance", "sentiment": "sentiment"}.
	Labels map[string]string

	// Strip lists literal substrings removed from the text before it is trimmed of spaces,
	// e.g. "#SemST", the hashtag SemEval-2016 Task 6 appended to every tweet.
	Strip []string

	// Articles, if set, names a second file holding the articles; a comment's article id is
	// looked up in it. It is read whole when the Reader is made.
	Articles *ArticleSource

	// RequireLabels makes an empty value in a present label column a bad row (for training).
	// It also makes a file with none of the label columns an error.
	RequireLabels bool

	// Strict makes Read return an error for a bad row instead of skipping it and recording it in
	// Skipped. Errors that leave the rest of the file unreadable (CSV quoting, I/O) and missing
	// articles are returned either way.
	Strict bool

	// Encoding is the character encoding of the file and of the article file (not of an .xlsx
	// workbook, whose XML says its own). "" means UTF-8
	// (with or without a byte-order mark). Otherwise "utf-16" (a byte-order mark says the byte
	// order; little-endian without one) or a label of the WHATWG Encoding Standard, such as
	// "windows-1256" (Excel's Arabic CSV export), "iso-8859-6" or "windows-1252".
	Encoding string

	// Delimiter separates the fields of a CSV file and of a CSV article file; 0 means ','. The
	// other formats ignore it.
	// Excel writes ';' in locales whose decimal separator is the comma.
	Delimiter rune

	// Limits bound a record and the article file; the zero value means the defaults.
	Limits Limits

	// Time names the column of each comment's time (for stance summarize --by-time),
	// read into Comment.Time by timestamp.Parse; "" reads no time. A file without the column is
	// an error, and a row whose time is empty or not one of timestamp.Forms is a bad row
	// (ErrTime): skipped and counted like any other, or an error under Strict.
	Time string

	// Keep names input columns to carry through to Comment.Kept, in this order (stance export
	// --keep), so that an output row can be read without joining it back to its input. A
	// column the file lacks is an error.
	Keep []string
}

// checkDelimiter refuses what encoding/csv cannot split on, saying why.
func checkDelimiter(d rune) error {
	switch {
	case d == 0:
		return nil
	case d == '"' || d == '\r' || d == '\n' || d == utf8.RuneError || !utf8.ValidRune(d):
		return &SettingError{Setting: "Schema.Delimiter",
			Err:    fmt.Errorf("%w %q: want one character other than a quote or a line break, such as ',' ';' or '|'", ErrDelimiter, d),
			remedy: " (set %s)"}
	}
	return nil
}

// ArticleSource is a file of articles that comments are joined to, e.g. FNC-1's bodies:
// {Path: "train_bodies.csv", Key: "Body ID", Text: "articleBody"}.
type ArticleSource struct {
	Path   string
	Format string // as Schema.Format
	Sheet  string // as Schema.Sheet, for an .xlsx article file
	Key    string // column holding the article id; default "id"
	Text   string // column holding the article text; default "text"
}

// DetectFormat tells the format of a file from its name, as Schema.Format "" does.
func DetectFormat(name string) (string, error) {
	if name == "-" {
		return CSV, nil
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV, nil
	case ".tsv", ".txt":
		return TSV, nil
	case ".jsonl", ".json":
		return JSONL, nil
	case ".xlsx":
		return XLSX, nil
	case ".xls", ".ods", ".numbers":
		return "", fmt.Errorf("%s: %w: %q workbooks are not read; save it as .xlsx (Excel Workbook) or .csv (CSV UTF-8)",
			name, ErrFormat, filepath.Ext(name))
	}
	return "", fmt.Errorf("%s: %w: cannot tell it from the extension %q; name the file .csv, .tsv, .txt, .jsonl, .json or .xlsx, or set the format to csv, tsv, jsonl or xlsx",
		name, ErrFormat, filepath.Ext(name))
}

func checkFormat(name, format string) (string, error) {
	switch format {
	case "":
		return DetectFormat(name)
	case CSV, TSV, JSONL, XLSX:
		return format, nil
	}
	return "", fmt.Errorf("%s: %w %q; want csv, tsv, jsonl or xlsx", name, ErrFormat, format)
}

// labelColumns resolves s.Labels into head -> column, applying the defaults.
func (s *Schema) labelColumns() map[string]string {
	if s.Labels == nil {
		return map[string]string{"stance": "stance", "sentiment": "sentiment"}
	}
	m := make(map[string]string, len(s.Labels))
	for h, c := range s.Labels {
		if c == "" {
			c = h
		}
		m[h] = c
	}
	return m
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// quotedList formats names for an error message: "a", "b", "c".
func quotedList(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

func sortedKeys(m map[string]string) []string {
	k := make([]string, 0, len(m))
	for h := range m {
		k = append(k, h)
	}
	sort.Strings(k)
	return k
}
