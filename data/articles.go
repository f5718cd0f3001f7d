package data

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/text/encoding"
)

type articleEntry struct {
	text string
	line int
}

// loadArticles reads the whole article file into a map from key to text. It is read whole
// because comments refer to articles in any order; it is small next to the comments (FNC-1:
// 1,683 training bodies for 49,972 headlines). Any bad record is an error: a skipped article
// would turn into a missing-article error for every comment on it.
func loadArticles(a ArticleSource, enc encoding.Encoding, o sourceOptions, maxBytes int64) (map[string]articleEntry, error) {
	if a.Path == "" || a.Path == "-" {
		return nil, fmt.Errorf("article file %q: want the path of a file (standard input is for the comments)", a.Path)
	}
	format, err := checkFormat(a.Path, a.Format)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(a.Path)
	if err != nil {
		return nil, fmt.Errorf("article file: %w", err)
	}
	defer f.Close()
	if format == XLSX {
		// The workbook is bounded by its own checks (openXLSX), by the same limit.
		o.sheet, o.xlsxLimit, o.xlsxField = a.Sheet, maxBytes, "Limits.ArticleFileBytes"
		return readArticles(f, a.Path, format, orDefault(a.Key, "id"), orDefault(a.Text, "text"), o)
	}
	in := &boundedReader{r: f, max: maxBytes, err: &SettingError{Setting: "Limits.ArticleFileBytes",
		Err: fmt.Errorf("the article file is %w: longer than %s", ErrTooLong, sizeString(maxBytes)), remedy: raise}}
	return readArticles(decoded(in, enc), a.Path, format, orDefault(a.Key, "id"), orDefault(a.Text, "text"), o)
}

func readArticles(in io.Reader, name, format, keyCol, textCol string, o sourceOptions) (_ map[string]articleEntry, err error) {
	src, pre, err := newSource(format, in, name, o)
	if err != nil {
		return nil, err
	}
	defer closeSource(src)
	defer func() { inSheet(err, name, sheetOf(src)) }()
	if len(pre) > 0 {
		return nil, pre[0]
	}
	cols := src.columns()
	if err := checkHeader(name, src.headerLine(), cols, format); err != nil {
		return nil, err
	}
	key, text := -1, -1
	for i, c := range cols {
		switch c {
		case keyCol:
			key = i
		case textCol:
			text = i
		}
	}
	for _, m := range []struct {
		i        int
		col, use string
	}{{key, keyCol, "ArticleSource.Key"}, {text, textCol, "ArticleSource.Text"}} {
		if m.i < 0 && !(format == JSONL && src.headerLine() == 0) {
			return nil, &ParseError{File: name, Line: src.headerLine(), Err: &SettingError{Setting: m.use,
				Err: fmt.Errorf("%w %q in the article file: the columns are %s; want a column named %q",
					ErrMissingColumn, m.col, quotedList(cols), m.col),
				remedy: ", or set %s to one of them"}}
		}
	}
	get := func(i int, numeric bool) (string, error) {
		v, line, col, bad := src.value(i, numeric)
		if bad != nil {
			return "", bad
		}
		if err := checkText(v); err != nil {
			return "", &ParseError{File: name, Line: line, Column: col, Field: cols[i], Value: shorten(v, badByte(v)), Err: err}
		}
		return v, nil
	}
	m := make(map[string]articleEntry)
	for {
		bad, err := src.next()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		if bad != nil {
			return nil, bad
		}
		k, err := get(key, true)
		if err != nil {
			return nil, err
		}
		t, err := get(text, false)
		if err != nil {
			return nil, err
		}
		k = strings.TrimSpace(k)
		line := src.line()
		if prev, dup := m[k]; dup {
			if prev.text != t {
				return nil, &ParseError{File: name, Line: line, Field: keyCol, Value: shorten(k, 0),
					Err: fmt.Errorf("%w: lines %d and %d; want each id once, or the same text for both", ErrDuplicateArticle, prev.line, line)}
			}
			continue
		}
		m[k] = articleEntry{text: t, line: line}
	}
}
