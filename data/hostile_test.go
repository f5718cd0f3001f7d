package data

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Hostile and messy inputs (issue 17), as table tests of the readers: unbounded records, bare
// carriage returns inside rows, files in another encoding or with another delimiter, and files
// whose every row is bad.

// in encodes s, which is UTF-8, into e.
func in(e encoding.Encoding, s string) string {
	out, err := e.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return out
}

var (
	utf16LEBOM = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM)
	utf16BEBOM = unicode.UTF16(unicode.BigEndian, unicode.UseBOM)
)

var hostileTests = []readTest{
	// Size limits.
	{
		name:   "csv record at the limit is read",
		file:   "c.csv",
		in:     "text\n" + strings.Repeat("a", 10000) + "\nb\n",
		schema: Schema{Limits: Limits{RecordBytes: 10000}},
		want:   []Comment{{Line: 2, Text: strings.Repeat("a", 10000)}, {Line: 3, Text: "b"}},
	},
	{
		// The bound is exact to within encoding/csv's 4 KiB read-ahead, twice.
		name:    "csv record over the limit is an error naming the key",
		file:    "c.csv",
		in:      "text\nfirst\n" + strings.Repeat("a", 30000) + "\nb\n",
		schema:  Schema{Limits: Limits{RecordBytes: 10000}},
		want:    []Comment{{Line: 2, Text: "first"}},
		err:     ErrTooLong,
		errText: "c.csv:3: over the size limit: longer than 10000 bytes; raise Limits.RecordBytes if it is real data",
	},
	{
		name:    "csv quoted multi-line field over the limit",
		file:    "c.csv",
		in:      "id,text\n1,\"" + strings.Repeat("line\n", 6000) + "\"\n",
		schema:  Schema{Limits: Limits{RecordBytes: 10000}},
		err:     ErrTooLong,
		errText: `c.csv:2: over the size limit: longer than 10000 bytes; raise Limits.RecordBytes if it is real data`,
	},
	{
		name:    "csv header over the limit",
		file:    "c.csv",
		in:      strings.Repeat("h", 30000) + ",text\n",
		schema:  Schema{Limits: Limits{RecordBytes: 10000}},
		err:     ErrTooLong,
		errText: `c.csv:1: over the size limit: longer than 10000 bytes; raise Limits.RecordBytes if it is real data`,
	},
	{
		name:   "tsv line at the limit is read",
		file:   "c.tsv",
		in:     "text\n" + strings.Repeat("a", 100) + "\r\n",
		schema: Schema{Limits: Limits{RecordBytes: 100}},
		want:   []Comment{{Line: 2, Text: strings.Repeat("a", 100)}},
	},
	{
		name:    "tsv line over the limit",
		file:    "c.tsv",
		in:      "text\nfirst\n" + strings.Repeat("a", 101) + "\nlast\n",
		schema:  Schema{Limits: Limits{RecordBytes: 100}},
		want:    []Comment{{Line: 2, Text: "first"}},
		err:     ErrTooLong,
		errText: `c.tsv:3: over the size limit: longer than 100 bytes; raise Limits.RecordBytes if it is real data`,
	},
	{
		name:    "jsonl line over the limit, even when not strict",
		file:    "c.jsonl",
		in:      `{"text": "first"}` + "\n" + `{"text": "` + strings.Repeat("a", 200) + `"}` + "\n",
		schema:  Schema{Limits: Limits{RecordBytes: 100}},
		want:    []Comment{{Line: 1, Text: "first"}},
		err:     ErrTooLong,
		errText: `c.jsonl:2: over the size limit: longer than 100 bytes; raise Limits.RecordBytes if it is real data`,
	},
	{
		name:    "jsonl first line over the limit",
		file:    "c.jsonl",
		in:      strings.Repeat(" ", 200) + `{"text": "a"}`,
		schema:  Schema{Limits: Limits{RecordBytes: 100}},
		err:     ErrTooLong,
		errText: `c.jsonl:1: over the size limit: longer than 100 bytes; raise Limits.RecordBytes if it is real data`,
	},
	{
		name:         "article file over its limit",
		file:         "c.csv",
		in:           "article_id,text\na1,x\n",
		schema:       Schema{Articles: &ArticleSource{}, Limits: Limits{ArticleFileBytes: 1000}},
		articles:     "id,text\na1," + strings.Repeat("body ", 1000) + "\n",
		articlesName: "a.csv",
		err:          ErrTooLong,
		errText:      `a.csv:2: the article file is over the size limit: longer than 1000 bytes; raise Limits.ArticleFileBytes if it is real data`,
	},
	{
		name:         "article file at its limit",
		file:         "c.csv",
		in:           "article_id,text\na1,x\n",
		schema:       Schema{Articles: &ArticleSource{}, Limits: Limits{ArticleFileBytes: 20}},
		articles:     "id,text\na1,the body\n", // 20 bytes
		articlesName: "a.csv",
		want:         []Comment{{Line: 2, ArticleID: "a1", Article: "the body", Text: "x"}},
	},

	// Bare carriage returns inside rows: the file's lines end in LF, but some in a bare CR,
	// which would merge rows.
	{
		name:  "csv bare CR inside a row is a skip",
		file:  "c.csv",
		in:    "text\nfirst\rsecond\rthird\nfourth\n",
		want:  []Comment{{Line: 3, Text: "fourth"}},
		skips: []skipWant{{2, ErrLineEnd}},
	},
	{
		name:    "csv bare CR inside a row, strict",
		file:    "c.csv",
		in:      "id,text\n1,first\r2\n",
		schema:  Schema{Strict: true},
		err:     ErrLineEnd,
		errText: `c.csv:2: field "text": bare carriage return inside the record: the file seems to end some lines with a bare CR, which would merge those rows into one; want LF or CRLF line ends; got "first\r2"`,
	},
	{
		name:  "csv bare CRs that merge rows: the CR is named, not the field count",
		file:  "c.csv",
		in:    "id,text\n1,first\r2,second\r3,third\n4,fourth\n",
		want:  []Comment{{Line: 3, ID: "4", Text: "fourth"}},
		skips: []skipWant{{2, ErrLineEnd}},
	},
	{
		name:  "csv bare CR in an unmapped column is a skip too",
		file:  "c.csv",
		in:    "note,text\na\rb,x\nc,y\n",
		want:  []Comment{{Line: 3, Text: "y"}},
		skips: []skipWant{{2, ErrLineEnd}},
	},
	{
		name:  "csv CRLF inside quotes is a line break, not a bare CR",
		file:  "c.csv",
		in:    "text\r\n\"a\r\nb\"\r\n",
		want:  []Comment{{Line: 2, Text: "a\nb"}},
		skips: nil,
	},
	{
		name:  "tsv bare CR inside a row is a skip",
		file:  "c.tsv",
		in:    "id\ttext\n1\tfirst\r2\tsecond\n3\tthird\r\n",
		want:  []Comment{{Line: 3, ID: "3", Text: "third"}},
		skips: []skipWant{{2, ErrLineEnd}}, // the cause, rather than the field count it makes
	},
	{
		name:  "tsv bare CR in the only column",
		file:  "c.tsv",
		in:    "text\nfirst\rsecond\nthird\n",
		want:  []Comment{{Line: 3, Text: "third"}},
		skips: []skipWant{{2, ErrLineEnd}},
	},

	// Every row skipped: an error in place of io.EOF, with a hint when the rows are not UTF-8.
	{
		name:    "every row bad is an error",
		file:    "c.csv",
		in:      "id,text\n1,\n2, \n",
		skips:   []skipWant{{2, ErrEmptyText}, {3, ErrEmptyText}},
		err:     ErrAllSkipped,
		errText: `c.csv: every record was skipped as bad: all 2 records; the first: c.csv:2: field "text": empty text; want some text after removing (none) and spaces; got ""`,
	},
	{
		name: "a header only is no error",
		file: "c.csv",
		in:   "id,text\n",
	},
	{
		name:    "windows-1256 read as UTF-8: every row skipped, with the hint",
		file:    "c.csv",
		in:      "id,text\n" + in(charmap.Windows1256, "1,مرحبا بالعالم\n2,شكرا\n"),
		skips:   []skipWant{{2, ErrInvalidUTF8}, {3, ErrInvalidUTF8}},
		err:     ErrAllSkipped,
		errText: `c.csv: every record was skipped as bad: all 2 records; the first: c.csv:2: field "text": invalid UTF-8 at byte 0; want UTF-8 text (convert the file with iconv); got "\xe3\xd1\xcd\xc8\xc7 \xc8\xc7\xe1\xda\xc7\xe1\xe3"; 2 of 2 records are not valid UTF-8: the file may be in another encoding; set encoding, e.g. to windows-1256 (Arabic, Excel), windows-1252 (Western European) or utf-16`,
	},

	// Encodings.
	{
		name:   "windows-1256 (Excel's Arabic CSV)",
		file:   "c.csv",
		in:     in(charmap.Windows1256, "id,text\n1,مرحبا بالعالم\n2,شكرا، جزيلا؟\n"),
		schema: Schema{Encoding: "windows-1256"},
		want:   []Comment{{Line: 2, ID: "1", Text: "مرحبا بالعالم"}, {Line: 3, ID: "2", Text: "شكرا، جزيلا؟"}},
	},
	{
		name:   "iso-8859-6, and the label in capitals",
		file:   "c.tsv",
		in:     in(charmap.ISO8859_6, "id\ttext\n1\tمرحبا\n"),
		schema: Schema{Encoding: "ISO-8859-6"},
		want:   []Comment{{Line: 2, ID: "1", Text: "مرحبا"}},
	},
	{
		name:         "windows-1256 article file",
		file:         "c.csv",
		in:           in(charmap.Windows1256, "article_id,text\na1,نعم\n"),
		schema:       Schema{Encoding: "windows-1256", Articles: &ArticleSource{}},
		articles:     in(charmap.Windows1256, "id,text\na1,المقال\n"),
		articlesName: "a.csv",
		want:         []Comment{{Line: 2, ArticleID: "a1", Article: "المقال", Text: "نعم"}},
	},
	{
		name:   "utf-16 little-endian with a byte-order mark",
		file:   "c.csv",
		in:     in(utf16LEBOM, "id,text\r\n1,café مرحبا\r\n"),
		schema: Schema{Encoding: "utf-16"},
		want:   []Comment{{Line: 2, ID: "1", Text: "café مرحبا"}},
	},
	{
		name:   "utf-16 big-endian with a byte-order mark",
		file:   "c.jsonl",
		in:     in(utf16BEBOM, `{"text": "naïve"}`+"\n"),
		schema: Schema{Encoding: "utf-16"},
		want:   []Comment{{Line: 1, Text: "naïve"}},
	},
	{
		name:    "utf-16 without setting the encoding: refused with the hint",
		file:    "c.csv",
		in:      in(utf16LEBOM, "id,text\n1,a\n"),
		err:     ErrInvalidUTF8,
		errText: "c.csv:1: invalid UTF-8: the file starts with a UTF-16 byte-order mark; set Schema.Encoding: utf-16",
	},
	{
		name:   "utf-8 named explicitly",
		file:   "c.csv",
		in:     "\ufefftext\ncafé\n",
		schema: Schema{Encoding: "UTF-8"},
		want:   []Comment{{Line: 2, Text: "café"}},
	},
	{
		name:    "unknown encoding",
		file:    "c.csv",
		in:      "text\na\n",
		schema:  Schema{Encoding: "windows-1265"},
		err:     ErrEncoding,
		errText: `c.csv: unknown encoding "windows-1265": want utf-8, utf-16 or a WHATWG encoding label such as windows-1256, iso-8859-6 or windows-1252 (set Schema.Encoding)`,
	},

	// Delimiters.
	{
		name:   "semicolon-separated CSV (Excel in many locales)",
		file:   "c.csv",
		in:     "id;text;stance\n1;\"a; b, c\";FAVOR\n",
		schema: Schema{Delimiter: ';'},
		heads:  []string{"stance"},
		want:   []Comment{{Line: 2, ID: "1", Text: "a; b, c", Labels: map[string]string{"stance": "FAVOR"}}},
	},
	{
		name:    "a quote cannot be the delimiter",
		file:    "c.csv",
		in:      "text\na\n",
		schema:  Schema{Delimiter: '"'},
		err:     ErrDelimiter,
		errText: `c.csv: invalid delimiter '"': want one character other than a quote or a line break, such as ',' ';' or '|' (set Schema.Delimiter)`,
	},
}

func TestHostile(t *testing.T) {
	for _, tt := range hostileTests {
		t.Run(tt.name, func(t *testing.T) { runReadTest(t, tt) })
	}
}

// zeros is an endless input of NUL bytes: /dev/zero.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	clear(p)
	z.n += int64(len(p))
	return len(p), nil
}

// TestEndlessInput reads /dev/zero's stand-in in each format: the record limit ends it, after
// reading about the limit and no more.
func TestEndlessInput(t *testing.T) {
	for _, tt := range []struct {
		name, file, prefix string
	}{
		{"csv", "-", ""},
		{"csv after a header", "z.csv", "id,text\n1,"},
		{"csv in quotes", "z.csv", "id,text\n1,\""},
		{"tsv", "z.tsv", ""},
		{"jsonl", "z.jsonl", ""},
		{"jsonl in a string", "z.jsonl", `{"text": "`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			const limit = 1 << 20
			z := &zeros{}
			src := io.MultiReader(strings.NewReader(tt.prefix), z)
			done := make(chan error, 1)
			go func() {
				r, err := NewReader(src, tt.file, Schema{Limits: Limits{RecordBytes: limit}})
				if err == nil {
					_, err = drain(r)
				}
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, ErrTooLong) {
					t.Fatalf("error %v, want ErrTooLong", err)
				}
				if !strings.Contains(err.Error(), "Limits.RecordBytes") {
					t.Errorf("error %q does not name Limits.RecordBytes", err)
				}
				if z.n > limit+2*readBufSize {
					t.Errorf("read %d bytes for a limit of %d", z.n, limit)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("reading endless zeros did not stop")
			}
		})
	}
}

// badRows yields a header and then n malformed CSV rows (a wrong field count), then one good.
type badRows struct {
	n, done int
	pending []byte
}

func (b *badRows) Read(p []byte) (int, error) {
	for len(b.pending) < len(p) && b.done <= b.n {
		switch {
		case b.done == 0:
			b.pending = append(b.pending, "id,text\n"...)
		case b.done == b.n:
			b.pending = append(b.pending, "good,one\n"...)
		default:
			b.pending = append(b.pending, "1,two,three,four\n"...)
		}
		b.done++
	}
	if len(b.pending) == 0 {
		return 0, io.EOF
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	return n, nil
}

// TestSkipsKeptBounded: a Reader keeps the first KeptSkips skips and counts the rest, so that
// millions of bad rows take no more memory than a few.
func TestSkipsKeptBounded(t *testing.T) {
	n := 300_000
	if testing.Short() {
		n = 50_000
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r, err := NewReader(&badRows{n: n}, "bad.csv", Schema{})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := drain(r)
	if err != nil || len(cs) != 1 || cs[0].Text != "one" {
		t.Fatalf("read %v, %v; want the one good row", cs, err)
	}
	if got := r.SkipCount(); got != n-1 {
		t.Errorf("SkipCount() = %d, want %d", got, n-1)
	}
	if got := len(r.Skipped()); got != KeptSkips {
		t.Errorf("kept %d skips, want %d", got, KeptSkips)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	// Keeping every skip took some 400 bytes a row (1.25 GB for 3,000,000 in the attack).
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 8<<20 {
		t.Errorf("the heap grew by %d bytes over %d bad rows", grew, n)
	}
	runtime.KeepAlive(r)
}

func TestEncodingHint(t *testing.T) {
	// Two rows of three are not UTF-8: most, so the hint is given; one of three is not.
	for _, tt := range []struct {
		in   string
		hint bool
	}{
		{"text\n" + in(charmap.Windows1256, "مرحبا\nشكرا\n") + "ok\n", true},
		{"text\n" + in(charmap.Windows1256, "مرحبا\n") + "ok\nfine\n", false},
	} {
		r, err := NewReader(strings.NewReader(tt.in), "h.csv", Schema{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := drain(r); err != nil {
			t.Fatal(err)
		}
		if got := r.EncodingHint() != ""; got != tt.hint {
			t.Errorf("%q: hint %q, want one: %v", tt.in, r.EncodingHint(), tt.hint)
		}
	}
}
