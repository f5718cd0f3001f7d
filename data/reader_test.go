package data

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// drain reads everything r yields: the comments before the first error, and that error
// (nil at a clean io.EOF).
func drain(r *Reader) ([]Comment, error) {
	var cs []Comment
	for {
		c, err := r.Read()
		if err == io.EOF {
			return cs, nil
		}
		if err != nil {
			return cs, err
		}
		cs = append(cs, c)
	}
}

type skipWant struct {
	line int
	err  error
}

type readTest struct {
	name   string
	file   string // name given to NewReader; its extension picks the format
	in     string
	schema Schema
	// articles, if set, is written to a temporary file named articlesName and becomes
	// schema.Articles.Path.
	articles, articlesName string

	heads   []string
	want    []Comment // File is filled in from file
	skips   []skipWant
	err     error  // from NewReader or from Read after want
	errText string // err's whole message (an articles file named without its directory)
}

var stanceHead = map[string]string{"stance": "stance"}

var readTests = []readTest{
	// CSV
	{
		name:  "csv default schema",
		file:  "c.csv",
		in:    "id,text,article_id,article,group,stance,sentiment\n1,hello world,a1,the article,g1,FAVOR,POSITIVE\n",
		heads: []string{"sentiment", "stance"},
		want: []Comment{{Line: 2, ID: "1", Text: "hello world", ArticleID: "a1", Article: "the article", Group: "g1",
			Labels: map[string]string{"stance": "FAVOR", "sentiment": "POSITIVE"}}},
	},
	{
		name: "csv only text column",
		file: "c.csv",
		in:   "text\nfirst\nsecond\n",
		want: []Comment{{Line: 2, Text: "first"}, {Line: 3, Text: "second"}},
	},
	{
		name:  "csv default labels restricted to the header",
		file:  "c.csv",
		in:    "text,stance\nx,AGAINST\n",
		heads: []string{"stance"},
		want:  []Comment{{Line: 2, Text: "x", Labels: map[string]string{"stance": "AGAINST"}}},
	},
	{
		name: "csv explicit columns, label column missing from file",
		file: "c.csv",
		in:   "tweet_id,body,Target,thread\n7,some text,Atheism,t9\n",
		schema: Schema{ID: "tweet_id", Text: "body", Article: "Target", Group: "thread",
			Labels: map[string]string{"stance": "Stance"}},
		want: []Comment{{Line: 2, ID: "7", Text: "some text", Article: "Atheism", Group: "t9"}},
	},
	{
		name:   "csv label column name defaults to head",
		file:   "c.csv",
		in:     "text,sarcasm\nx,Yes\n",
		schema: Schema{Labels: map[string]string{"sarcasm": ""}},
		heads:  []string{"sarcasm"},
		want:   []Comment{{Line: 2, Text: "x", Labels: map[string]string{"sarcasm": "Yes"}}},
	},
	{
		name: "csv CRLF",
		file: "c.csv",
		in:   "id,text\r\n1,a\r\n2,\"b\r\nc\"\r\n3,d\r\n",
		want: []Comment{{Line: 2, ID: "1", Text: "a"}, {Line: 3, ID: "2", Text: "b\nc"}, {Line: 5, ID: "3", Text: "d"}},
	},
	{
		name: "csv byte-order mark",
		file: "c.csv",
		in:   "\ufeffid,text\n1,a\n",
		want: []Comment{{Line: 2, ID: "1", Text: "a"}},
	},
	{
		name: "csv no final newline",
		file: "c.csv",
		in:   "id,text\n1,a",
		want: []Comment{{Line: 2, ID: "1", Text: "a"}},
	},
	{
		name: "csv long quoted multi-line field",
		file: "c.csv",
		in:   "id,text\n1,\"" + strings.Repeat("word, \"\"quoted\"\"\n", 20000) + "\"\n2,after\n",
		want: []Comment{
			{Line: 2, ID: "1", Text: strings.TrimSpace(strings.Repeat("word, \"quoted\"\n", 20000))},
			{Line: 20003, ID: "2", Text: "after"},
		},
	},
	{
		name: "csv blank lines are ignored",
		file: "c.csv",
		in:   "id,text\n\n1,a\n\n\n2,b\n",
		want: []Comment{{Line: 3, ID: "1", Text: "a"}, {Line: 6, ID: "2", Text: "b"}},
	},
	{
		name:  "csv wrong field count is skipped",
		file:  "c.csv",
		in:    "id,text\n1,a\n2,b,extra\n3,c\n",
		want:  []Comment{{Line: 2, ID: "1", Text: "a"}, {Line: 4, ID: "3", Text: "c"}},
		skips: []skipWant{{3, ErrFieldCount}},
	},
	{
		name:    "csv wrong field count strict",
		file:    "c.csv",
		in:      "id,text\n1,a\n2\n",
		schema:  Schema{Strict: true},
		want:    []Comment{{Line: 2, ID: "1", Text: "a"}},
		err:     ErrFieldCount,
		errText: `c.csv:3: wrong number of fields: the record has 1, the header has 2 ("id", "text"); got "2"`,
	},
	{
		name:    "csv duplicate column",
		file:    "c.csv",
		in:      "id,text,stance,stance\n1,a,x,y\n",
		err:     ErrDuplicateColumn,
		errText: `c.csv:1: duplicate column "stance": header columns 3 and 4; want each column name once; got "stance"`,
	},
	{
		name:    "csv missing text column",
		file:    "c.csv",
		in:      "id,body\n1,a\n",
		err:     ErrMissingColumn,
		errText: `c.csv:1: missing column "text" for the comment text: the columns are "id", "body"; want a column named "text", or set Schema.Text to one of them`,
	},
	{
		name:   "csv header only",
		file:   "c.csv",
		in:     "id,text,stance\n",
		heads:  []string{"stance"},
		schema: Schema{RequireLabels: true, Strict: true},
	},
	{
		name:    "csv empty file",
		file:    "c.csv",
		in:      "",
		err:     ErrEmptyFile,
		errText: `c.csv: empty file, expected a header row naming the columns`,
	},
	{
		name:    "csv only a byte-order mark",
		file:    "c.csv",
		in:      "\ufeff",
		err:     ErrEmptyFile,
		errText: `c.csv: empty file, expected a header row naming the columns`,
	},
	{
		name:    "csv bare CR line ends",
		file:    "c.csv",
		in:      "id,text\r1,a\r2,b\r",
		err:     ErrLineEnd,
		errText: `c.csv:1: bare carriage return in the header: the file seems to end its lines with a bare CR (classic Mac); want LF or CRLF line ends; got "text\r1"`,
	},
	{
		name:    "csv unbalanced quote is fatal even when not strict",
		file:    "c.csv",
		in:      "id,text\n1,\"open\n2,b\n",
		err:     ErrSyntax,
		errText: `c.csv:3:5: syntax error: extraneous or missing " in quoted-field (the record starts on line 2); want RFC 4180 quoting: a field holding a quote, comma or line break is enclosed in double quotes, and a quote inside it is doubled`,
	},
	{
		name:    "csv bare quote",
		file:    "c.csv",
		in:      "id,text\n1,a \"quote\" b\n",
		err:     csv.ErrBareQuote,
		errText: `c.csv:2:5: syntax error: bare " in non-quoted-field; want RFC 4180 quoting: a field holding a quote, comma or line break is enclosed in double quotes, and a quote inside it is doubled`,
	},
	{
		name:  "csv invalid UTF-8 is skipped",
		file:  "c.csv",
		in:    "id,text\n1,ab\xffcd\n2,ok\n",
		want:  []Comment{{Line: 3, ID: "2", Text: "ok"}},
		skips: []skipWant{{2, ErrInvalidUTF8}},
	},
	{
		name:    "csv invalid UTF-8 strict",
		file:    "comments.csv",
		in:      "id,text\n1,ab\xffcd\n",
		schema:  Schema{Strict: true},
		err:     ErrInvalidUTF8,
		errText: `comments.csv:2: field "text": invalid UTF-8 at byte 2; want UTF-8 text (convert the file with iconv); got "ab\xffcd"`,
	},
	{
		name:    "csv invalid UTF-8 in an id",
		file:    "c.csv",
		in:      "id,text\n\xc3,a\n",
		schema:  Schema{Strict: true},
		err:     ErrInvalidUTF8,
		errText: `c.csv:2: field "id": invalid UTF-8 at byte 0; want UTF-8 text (convert the file with iconv); got "\xc3"`,
	},
	{
		name:    "csv NUL",
		file:    "c.csv",
		in:      "id,text\n1,a\x00b\n",
		schema:  Schema{Strict: true},
		err:     ErrNUL,
		errText: `c.csv:2: field "text": NUL byte at byte 1; want text (is the file UTF-16 or binary?); got "a\x00b"`,
	},
	{
		name:    "csv NUL in header",
		file:    "c.csv",
		in:      "i\x00d,text\n1,a\n",
		err:     ErrNUL,
		errText: `c.csv:1:1: header column 1: NUL byte at byte 1; want text (is the file UTF-16 or binary?); got "i\x00d"`,
	},
	{
		name:   "csv strip then trim, empty text skipped",
		file:   "c.csv",
		in:     "id,text\n1,  so true #SemST \n2, #SemST\n3,\"  \"\n",
		schema: Schema{Strip: []string{"#SemST"}},
		want:   []Comment{{Line: 2, ID: "1", Text: "so true"}},
		skips:  []skipWant{{3, ErrEmptyText}, {4, ErrEmptyText}},
	},
	{
		name:    "csv empty text strict",
		file:    "c.csv",
		in:      "id,text\n1,\n",
		schema:  Schema{Strict: true},
		err:     ErrEmptyText,
		errText: `c.csv:2: field "text": empty text; want some text after removing (none) and spaces; got ""`,
	},
	{
		name:   "csv empty label allowed without RequireLabels",
		file:   "c.csv",
		in:     "text,stance\na,\nb, FAVOR \n",
		schema: Schema{Labels: stanceHead},
		heads:  []string{"stance"},
		want: []Comment{
			{Line: 2, Text: "a", Labels: map[string]string{"stance": ""}},
			{Line: 3, Text: "b", Labels: map[string]string{"stance": "FAVOR"}},
		},
	},
	{
		name:   "csv empty label skipped with RequireLabels",
		file:   "c.csv",
		in:     "text,stance\na,\nb,FAVOR\n",
		schema: Schema{Labels: stanceHead, RequireLabels: true},
		heads:  []string{"stance"},
		want:   []Comment{{Line: 3, Text: "b", Labels: map[string]string{"stance": "FAVOR"}}},
		skips:  []skipWant{{2, ErrEmptyLabel}},
	},
	{
		name:    "csv empty label strict",
		file:    "c.csv",
		in:      "text,Stance\na,\n",
		schema:  Schema{Labels: map[string]string{"stance": "Stance"}, RequireLabels: true, Strict: true},
		heads:   []string{"stance"},
		err:     ErrEmptyLabel,
		errText: `c.csv:2: field "Stance": empty label for head "stance"; want a label (training needs every label)`,
	},
	{
		name:    "csv RequireLabels without any label column",
		file:    "c.csv",
		in:      "text\na\n",
		schema:  Schema{RequireLabels: true},
		err:     ErrMissingColumn,
		errText: `c.csv:1: missing column: labels are required but the columns are "text"; want at least one of "sentiment", "stance", or map them with Schema.Labels`,
	},
	{
		name:    "unknown extension",
		file:    "c.xls",
		in:      "text\na\n",
		err:     ErrFormat,
		errText: `c.xls: unknown format: ".xls" workbooks are not read; save it as .xlsx (Excel Workbook) or .csv (CSV UTF-8)`,
	},
	{
		name:    "unknown format",
		file:    "c.csv",
		schema:  Schema{Format: "xml"},
		err:     ErrFormat,
		errText: `c.csv: unknown format "xml"; want csv, tsv, jsonl or xlsx`,
	},
	{
		name: "stdin is csv",
		file: "-",
		in:   "text\na\n",
		want: []Comment{{Line: 2, Text: "a"}},
	},
	{
		name:   "format overrides extension",
		file:   "c.csv",
		schema: Schema{Format: TSV},
		in:     "id\ttext\n1\ta,b\n",
		want:   []Comment{{Line: 2, ID: "1", Text: "a,b"}},
	},

	// TSV
	{
		name: "tsv SemEval-2016 layout",
		file: "semeval.txt",
		in: "ID\tTarget\tTweet\tStance\tOpinion towards\tSentiment\r\n" +
			"10001\tAtheism\tHe who exalts himself shall      be humbled; and he who humbles himself shall be exalted.Matt 23:12.     #SemST\tAGAINST\t1.  The tweet explicitly expresses opinion about the target, a part of the target, or an aspect of the target.\tPOSITIVE\r\n" +
			"10002\tAtheism\t\"RT @prayerbullets: Remove the stronghold of \"bitterness\" #SemST\tAGAINST\tx\tNEGATIVE\r\n",
		schema: Schema{ID: "ID", Text: "Tweet", Article: "Target", Strip: []string{"#SemST"},
			Labels: map[string]string{"stance": "Stance", "sentiment": "Sentiment"}},
		heads: []string{"sentiment", "stance"},
		want: []Comment{
			{Line: 2, ID: "10001", Article: "Atheism",
				Text:   "He who exalts himself shall      be humbled; and he who humbles himself shall be exalted.Matt 23:12.",
				Labels: map[string]string{"stance": "AGAINST", "sentiment": "POSITIVE"}},
			{Line: 3, ID: "10002", Article: "Atheism",
				Text:   `"RT @prayerbullets: Remove the stronghold of "bitterness"`,
				Labels: map[string]string{"stance": "AGAINST", "sentiment": "NEGATIVE"}},
		},
	},
	{
		name: "tsv BOM, LF, blank lines, no final newline",
		file: "t.tsv",
		in:   "\ufeffid\ttext\n\n1\ta\n\n2\tb",
		want: []Comment{{Line: 3, ID: "1", Text: "a"}, {Line: 5, ID: "2", Text: "b"}},
	},
	{
		name: "tsv very long line",
		file: "t.tsv",
		in:   "id\ttext\n1\t" + strings.Repeat("x", 300000) + "\n2\ty\n",
		want: []Comment{{Line: 2, ID: "1", Text: strings.Repeat("x", 300000)}, {Line: 3, ID: "2", Text: "y"}},
	},
	{
		name:  "tsv wrong field count skipped",
		file:  "t.tsv",
		in:    "id\ttext\n1\ta\tb\n2\tc\n3\n",
		want:  []Comment{{Line: 3, ID: "2", Text: "c"}},
		skips: []skipWant{{2, ErrFieldCount}, {4, ErrFieldCount}},
	},
	{
		name:    "tsv wrong field count strict",
		file:    "t.tsv",
		in:      "id\ttext\n1\ta\tb\n",
		schema:  Schema{Strict: true},
		err:     ErrFieldCount,
		errText: `t.tsv:2: wrong number of fields: the line has 3 tab-separated fields, the header has 2 ("id", "text"); got "1\ta\tb"`,
	},
	{
		name:    "tsv invalid UTF-8",
		file:    "t.tsv",
		in:      "id\ttext\n1\tcaf\xe9\n",
		schema:  Schema{Strict: true},
		err:     ErrInvalidUTF8,
		errText: `t.tsv:2: field "text": invalid UTF-8 at byte 3; want UTF-8 text (convert the file with iconv); got "caf\xe9"`,
	},
	{
		name:    "tsv empty",
		file:    "t.tsv",
		err:     ErrEmptyFile,
		errText: `t.tsv: empty file, expected a header line naming the columns, separated by tabs`,
	},
	{
		name:    "tsv bare CR line ends",
		file:    "t.tsv",
		in:      "id\ttext\r1\ta\r",
		err:     ErrLineEnd,
		errText: `t.tsv:1: bare carriage return in the header: the file seems to end its lines with a bare CR (classic Mac); want LF or CRLF line ends; got "text\r1"`,
	},
	{
		name: "tsv CRLF",
		file: "t.tsv",
		in:   "id\ttext\r\n1\ta\r\n2\tb\r\n",
		want: []Comment{{Line: 2, ID: "1", Text: "a"}, {Line: 3, ID: "2", Text: "b"}},
	},
	{
		name:   "tsv header only",
		file:   "t.tsv",
		in:     "id\ttext\tstance\n",
		heads:  []string{"stance"},
		schema: Schema{RequireLabels: true, Strict: true},
	},
	{
		name:    "tsv duplicate column",
		file:    "t.tsv",
		in:      "id\ttext\tid\n1\ta\t2\n",
		err:     ErrDuplicateColumn,
		errText: `t.tsv:1: duplicate column "id": header columns 1 and 3; want each column name once; got "id"`,
	},
	{
		name:    "tsv missing text column",
		file:    "t.tsv",
		in:      "id,text\n1,a\n",
		err:     ErrMissingColumn,
		errText: `t.tsv:1: missing column "text" for the comment text: the columns are "id,text"; want a column named "text", or set Schema.Text to one of them`,
	},

	// JSONL
	{
		name: "jsonl strings and numeric ids",
		file: "c.jsonl",
		in: `{"id": 12, "text": "hi \"there\" \u00e9", "article_id": "a", "group": -1.5e3, "stance": "FAVOR", "extra": [1, {"x": 2}]}` + "\n" +
			`{"id": "x7", "text": "second", "article": null, "group": null, "stance": "NONE"}`,
		heads: []string{"stance"},
		want: []Comment{
			{Line: 1, ID: "12", Text: `hi "there" é`, ArticleID: "a", Group: "-1.5e3", Labels: map[string]string{"stance": "FAVOR"}},
			{Line: 2, ID: "x7", Text: "second", Labels: map[string]string{"stance": "NONE"}},
		},
	},
	{
		name: "jsonl blank lines, CRLF, .json extension",
		file: "c.json",
		in:   "\r\n{\"text\": \"a\"}\r\n   \r\n\t{\"text\": \"b\"}  \r\n",
		want: []Comment{{Line: 2, Text: "a"}, {Line: 4, Text: "b"}},
	},
	{
		name: "jsonl byte-order mark",
		file: "c.jsonl",
		in:   "\ufeff{\"text\": \"a\"}\n",
		want: []Comment{{Line: 1, Text: "a"}},
	},
	{
		name:    "jsonl final line cut off without newline strict",
		file:    "c.jsonl",
		in:      "{\"text\": \"a\"}\n{\"text\": \"b",
		schema:  Schema{Strict: true},
		want:    []Comment{{Line: 1, Text: "a"}},
		err:     ErrSyntax,
		errText: `c.jsonl:2:9: syntax error: the line ends inside the object; want one JSON object per line; got "{\"text\": \"b"`,
	},
	{
		name:    "jsonl duplicate key in the first object",
		file:    "c.jsonl",
		in:      "{\"text\": \"a\", \"text\": \"b\"}\n",
		schema:  Schema{Strict: true},
		err:     ErrDuplicateColumn,
		errText: `c.jsonl:1:25: duplicate column: key "text" appears twice in the object; want each key once; got "{\"text\": \"a\", \"text\": \"b\"}"`,
	},
	{
		name:  "jsonl bad lines are skipped",
		file:  "c.jsonl",
		in:    "{\"text\": \"a\"}\nnot json\n{\"text\": 5}\n{\"text\": \"b\"} x\n[1]\n{\"text\": \"c\", \"text\": \"d\"}\n{\"text\": \"e\"}\n{\"text\": [\"f\"]}\n{\"text\": \"g\"\n",
		want:  []Comment{{Line: 1, Text: "a"}, {Line: 7, Text: "e"}},
		skips: []skipWant{{2, ErrSyntax}, {3, ErrFieldType}, {4, ErrSyntax}, {5, ErrSyntax}, {6, ErrDuplicateColumn}, {8, ErrFieldType}, {9, ErrSyntax}},
	},
	{
		name:    "jsonl not json strict",
		file:    "c.jsonl",
		in:      "{\"text\": \"a\"}\nnot json\n",
		schema:  Schema{Strict: true},
		want:    []Comment{{Line: 1, Text: "a"}},
		err:     ErrSyntax,
		errText: `c.jsonl:2:2: syntax error: invalid character 'o' in literal null (expecting 'u'); want one JSON object per line; got "not json"`,
	},
	{
		name:    "jsonl trailing garbage strict",
		file:    "c.jsonl",
		in:      "{\"text\": \"a\"} {\"text\": \"b\"}\n",
		schema:  Schema{Strict: true},
		err:     ErrSyntax,
		errText: `c.jsonl:1:15: syntax error: text after the JSON object; want one JSON object per line; got "{\"text\": \"a\"} {\"text\": \"b\"}"`,
	},
	{
		name:    "jsonl wrong type strict",
		file:    "c.jsonl",
		in:      "{\"text\": \"a\", \"stance\": 1}\n",
		schema:  Schema{Strict: true},
		heads:   []string{"stance"},
		err:     ErrFieldType,
		errText: `c.jsonl:1: field "stance": wrong JSON type: want a string; got "1"`,
	},
	{
		name:    "jsonl object for an id",
		file:    "c.jsonl",
		in:      "{\"text\": \"a\", \"id\": {}}\n",
		schema:  Schema{Strict: true},
		err:     ErrFieldType,
		errText: `c.jsonl:1: field "id": wrong JSON type: want a string or a number; got "{}"`,
	},
	{
		name:    "jsonl invalid UTF-8 in a string",
		file:    "c.jsonl",
		in:      "{\"text\": \"caf\xe9\"}\n",
		schema:  Schema{Strict: true},
		err:     ErrInvalidUTF8,
		errText: `c.jsonl:1: field "text": invalid UTF-8 at byte 4 of the JSON string; want UTF-8 text; got "\"caf\xe9\""`,
	},
	{
		name:    "jsonl escaped NUL",
		file:    "c.jsonl",
		in:      "{\"text\": \"a\\u0000b\"}\n",
		schema:  Schema{Strict: true},
		err:     ErrNUL,
		errText: `c.jsonl:1: field "text": NUL byte at byte 1; want text (is the file UTF-16 or binary?); got "a\x00b"`,
	},
	{
		name:  "jsonl first line bad, columns from the first good object",
		file:  "c.jsonl",
		in:    "oops\n{\"text\": \"a\", \"stance\": \"x\"}\n",
		heads: []string{"stance"},
		want:  []Comment{{Line: 2, Text: "a", Labels: map[string]string{"stance": "x"}}},
		skips: []skipWant{{1, ErrSyntax}},
	},
	{
		name:    "jsonl first line bad strict",
		file:    "c.jsonl",
		in:      "oops\n{\"text\": \"a\"}\n",
		schema:  Schema{Strict: true},
		err:     ErrSyntax,
		errText: `c.jsonl:1:1: syntax error: invalid character 'o' looking for beginning of value; want one JSON object per line; got "oops"`,
	},
	{
		name:    "jsonl missing text key",
		file:    "c.jsonl",
		in:      "\n{\"body\": \"a\", \"id\": 1}\n",
		err:     ErrMissingColumn,
		errText: `c.jsonl:2: missing column "text" for the comment text: the columns are "body", "id"; want a column named "text", or set Schema.Text to one of them`,
	},
	{
		name:    "jsonl empty first object",
		file:    "c.jsonl",
		in:      "{}\n{\"text\": \"a\"}\n",
		err:     ErrMissingColumn,
		errText: `c.jsonl:1: missing column "text" for the comment text: the columns are (none); want a column named "text", or set Schema.Text to one of them`,
	},
	{
		name: "jsonl empty input is an empty stream",
		file: "c.jsonl",
		in:   "\n\n",
	},
	{
		name:   "jsonl later object lacks a label",
		file:   "c.jsonl",
		in:     "{\"text\": \"a\", \"stance\": \"x\"}\n{\"text\": \"b\"}\n{\"stance\": \"y\"}\n",
		schema: Schema{RequireLabels: true},
		heads:  []string{"stance"},
		want:   []Comment{{Line: 1, Text: "a", Labels: map[string]string{"stance": "x"}}},
		skips:  []skipWant{{2, ErrEmptyLabel}, {3, ErrEmptyText}},
	},

	// Article join
	{
		name:         "join fills the article; join column defaults to the key",
		file:         "stances.csv",
		in:           "Headline,Body ID,Stance\nh1,7,agree\nh2,0,unrelated\nh3,7,discuss\n",
		articles:     "Body ID,articleBody\n0,\"body zero\nsecond line\"\n7,body seven\n7,body seven\n",
		articlesName: "bodies.csv",
		schema: Schema{Text: "Headline", Group: "Body ID", Labels: map[string]string{"stance": "Stance"},
			Articles: &ArticleSource{Key: "Body ID", Text: "articleBody"}},
		heads: []string{"stance"},
		want: []Comment{
			{Line: 2, Text: "h1", ArticleID: "7", Article: "body seven", Group: "7", Labels: map[string]string{"stance": "agree"}},
			{Line: 3, Text: "h2", ArticleID: "0", Article: "body zero\nsecond line", Group: "0", Labels: map[string]string{"stance": "unrelated"}},
			{Line: 4, Text: "h3", ArticleID: "7", Article: "body seven", Group: "7", Labels: map[string]string{"stance": "discuss"}},
		},
	},
	{
		name:         "join unknown id is fatal even when not strict",
		file:         "stances.csv",
		in:           "text,article_id\nh1,1\nh2,2\n",
		articles:     "id,text\n1,one\n",
		articlesName: "bodies.csv",
		schema:       Schema{Articles: &ArticleSource{}},
		want:         []Comment{{Line: 2, Text: "h1", ArticleID: "1", Article: "one"}},
		err:          ErrNoArticle,
		errText:      `stances.csv:3: field "article_id": no article with this id in bodies.csv; want an id of that file (is it the article file of the same split?); got "2"`,
	},
	{
		name:         "join duplicate key with different text",
		file:         "stances.csv",
		in:           "text,article_id\nh1,1\n",
		articles:     "id,text\n1,one\n2,two\n1,uno\n",
		articlesName: "bodies.csv",
		schema:       Schema{Articles: &ArticleSource{}},
		err:          ErrDuplicateArticle,
		errText:      `bodies.csv:4: field "id": duplicate article id with a different text: lines 2 and 4; want each id once, or the same text for both; got "1"`,
	},
	{
		name:         "join key column missing from the article file",
		file:         "stances.csv",
		in:           "text,article_id\nh1,1\n",
		articles:     "ID,text\n1,one\n",
		articlesName: "bodies.csv",
		schema:       Schema{Articles: &ArticleSource{}},
		err:          ErrMissingColumn,
		errText:      `bodies.csv:1: missing column "id" in the article file: the columns are "ID", "text"; want a column named "id", or set ArticleSource.Key to one of them`,
	},
	{
		name:         "join column missing from the comments",
		file:         "stances.csv",
		in:           "text\nh1\n",
		articles:     "id,text\n1,one\n",
		articlesName: "bodies.csv",
		schema:       Schema{ArticleID: "art", Articles: &ArticleSource{}},
		err:          ErrMissingColumn,
		errText:      `stances.csv:1: missing column "art" for the article id to join on: the columns are "text"; want a column named "art", or set Schema.ArticleID to one of them`,
	},
	{
		name:         "join keeps the comment file's own article column",
		file:         "c.csv",
		in:           "text,article_id,article\nh1,1,own\n",
		articles:     "{\"id\": 1, \"text\": \"joined\"}\n",
		articlesName: "bodies.jsonl",
		schema:       Schema{Articles: &ArticleSource{}},
		want:         []Comment{{Line: 2, Text: "h1", ArticleID: "1", Article: "own"}},
	},
	{
		name:         "join article file with invalid UTF-8",
		file:         "c.csv",
		in:           "text,article_id\nh1,1\n",
		articles:     "id\ttext\n1\tbad \xff\n",
		articlesName: "bodies.tsv",
		schema:       Schema{Articles: &ArticleSource{}},
		err:          ErrInvalidUTF8,
		errText:      `bodies.tsv:2: field "text": invalid UTF-8 at byte 4; want UTF-8 text (convert the file with iconv); got "bad \xff"`,
	},
}

func TestRead(t *testing.T) {
	for _, tt := range readTests {
		t.Run(tt.name, func(t *testing.T) { runReadTest(t, tt) })
	}
}

// runReadTest reads tt.in with tt.schema and checks the comments, skips and error.
func runReadTest(t *testing.T, tt readTest) {
	t.Helper()
	s := tt.schema
	dir := ""
	if tt.articles != "" {
		dir = t.TempDir()
		p := filepath.Join(dir, tt.articlesName)
		if err := os.WriteFile(p, []byte(tt.articles), 0o644); err != nil {
			t.Fatal(err)
		}
		a := *s.Articles
		a.Path = p
		s.Articles = &a
	}
	var got []Comment
	r, err := NewReader(strings.NewReader(tt.in), tt.file, s)
	if err == nil {
		if h := r.Heads(); !reflect.DeepEqual(h, tt.heads) {
			t.Errorf("Heads() = %q, want %q", h, tt.heads)
		}
		got, err = drain(r)
		var gotSkips []skipWant
		for _, sk := range r.Skipped() {
			if sk.File != tt.file {
				t.Errorf("skip file %q, want %q", sk.File, tt.file)
			}
			gotSkips = append(gotSkips, skipWant{sk.Line, sk.Reason})
		}
		if len(gotSkips) != len(tt.skips) {
			t.Errorf("skipped %v, want %v", r.Skipped(), tt.skips)
		} else {
			for i, w := range tt.skips {
				if gotSkips[i].line != w.line || !errors.Is(gotSkips[i].err, w.err) {
					t.Errorf("skip %d: line %d %v, want line %d %v", i, gotSkips[i].line, gotSkips[i].err, w.line, w.err)
				}
			}
		}
		// The error is sticky.
		if _, again := r.Read(); err != nil && again != err {
			t.Errorf("second Read after error: %v, want %v", again, err)
		}
	}
	// The whole error is compared, as encoding/csv's tests compare theirs; an articles file is
	// named without the test's temporary directory.
	msg := ""
	if err != nil {
		msg = err.Error()
		if dir != "" {
			msg = strings.ReplaceAll(msg, dir+string(filepath.Separator), "")
		}
	}
	switch {
	case tt.err == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case tt.err != nil && !errors.Is(err, tt.err):
		t.Fatalf("error %v, want %v", err, tt.err)
	case tt.errText != "" && msg != tt.errText:
		t.Errorf("error\n%q\nwant\n%q", msg, tt.errText)
	}
	if tt.err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) && !errors.Is(err, ErrFormat) && !errors.Is(err, ErrEncoding) && !errors.Is(err, ErrDelimiter) {
			t.Errorf("error %v is not a *ParseError", err)
		}
	}
	want := make([]Comment, len(tt.want))
	for i, c := range tt.want {
		c.File = tt.file
		want[i] = c
	}
	if len(got) != len(want) {
		t.Fatalf("got %d comments, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("comment %d:\ngot  %+v\nwant %+v", i, shortComment(got[i]), shortComment(want[i]))
		}
	}
}

func shortComment(c Comment) Comment {
	if len(c.Text) > 80 {
		c.Text = c.Text[:80] + "..."
	}
	return c
}

func TestOpenAndReadAll(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "c.tsv")
	if err := os.WriteFile(p, []byte("text\tstance\na\tFAVOR\n\tNONE\nb\t\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cs, skips, err := ReadAll(p, Schema{RequireLabels: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].Text != "a" || cs[0].File != p {
		t.Errorf("comments %+v", cs)
	}
	if len(skips) != 2 || !errors.Is(skips[0].Reason, ErrEmptyText) || !errors.Is(skips[1].Reason, ErrEmptyLabel) {
		t.Errorf("skips %v", skips)
	}
	want := p + `:4: field "stance": empty label for head "stance"; want a label (training needs every label)`
	if got := skips[1].String(); got != want {
		t.Errorf("skip message\n%s\nwant\n%s", got, want)
	}

	if _, _, err := ReadAll(filepath.Join(dir, "absent.csv"), Schema{}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}
	if _, err := Open(p, Schema{ArticleID: "stance", Articles: &ArticleSource{Path: filepath.Join(dir, "absent.csv")}}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent article file: %v", err)
	}
	if _, err := Open(p, Schema{Strip: []string{""}}); err == nil {
		t.Error("empty Strip entry accepted")
	}

	r, err := Open(p, Schema{})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestDetectFormat(t *testing.T) {
	for name, want := range map[string]string{
		"a.csv": CSV, "A.CSV": CSV, "-": CSV, "x/a.tsv": TSV, "a.txt": TSV, "a.jsonl": JSONL, "a.json": JSONL,
	} {
		got, err := DetectFormat(name)
		if err != nil || got != want {
			t.Errorf("DetectFormat(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	for _, name := range []string{"a", "a.xls", "a.ods", "a.csv.gz", ""} {
		if _, err := DetectFormat(name); !errors.Is(err, ErrFormat) {
			t.Errorf("DetectFormat(%q): %v, want ErrFormat", name, err)
		}
	}
}

func TestShorten(t *testing.T) {
	long := strings.Repeat("a", 100) + "\xff" + strings.Repeat("b", 100)
	for _, tt := range []struct {
		v    string
		at   int
		want string
	}{
		{"short", 0, `"short"`},
		{strings.Repeat("x", 50), 0, `"` + strings.Repeat("x", 40) + `"...`},
		{long, 100, `..."` + strings.Repeat("a", 20) + `\xff` + strings.Repeat("b", 19) + `"...`},
		{long, 195, `..."` + strings.Repeat("b", 40) + `"`},
		// A cut never splits a rune: é is two bytes.
		{strings.Repeat("é", 30), 0, `"` + strings.Repeat("é", 20) + `"...`},
	} {
		if got := shorten(tt.v, tt.at); got != tt.want {
			t.Errorf("shorten(%.20q..., %d) = %s, want %s", tt.v, tt.at, got, tt.want)
		}
	}
}

func TestParseErrorFormat(t *testing.T) {
	for _, tt := range []struct {
		e    ParseError
		want string
	}{
		{ParseError{File: "f.csv", Err: ErrEmptyFile}, "f.csv: empty file, expected a header"},
		{ParseError{File: "f.csv", Line: 3, Column: 7, Err: ErrSyntax}, "f.csv:3:7: syntax error"},
		{ParseError{File: "f.csv", Line: 3, Column: 7, Field: "text", Value: `"x"`, Err: ErrNUL}, `f.csv:3: field "text": NUL byte; got "x"`},
	} {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%q, want %q", got, tt.want)
		}
	}
}

// benchCSV builds a comments file like rumoureval2017's: short texts with a source post.
func benchCSV(rows int) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"id", "text", "article", "group", "stance"})
	for i := range rows {
		w.Write([]string{fmt.Sprint(i), fmt.Sprintf("@user%d this is reply number %d, \"really\" it is #tag", i, i),
			"BREAKING: source post that all the replies in the thread share", fmt.Sprint(i / 20), "comment"})
	}
	w.Flush()
	return []byte(b.String())
}

// BenchmarkReadCSV measures reading with a label head: "synthetic" is short comments,
// "baly2018" is the public file of multi-KB quoted Arabic articles (skipped when absent).
func BenchmarkReadCSV(b *testing.B) {
	b.Run("synthetic", func(b *testing.B) {
		in := benchCSV(10000)
		benchRead(b, func() io.Reader { return bytes.NewReader(in) }, int64(len(in)), Schema{Labels: stanceHead}, 10000)
	})
	b.Run("baly2018", func(b *testing.B) {
		needSharedData(b)
		in, err := os.ReadFile(filepath.Join(sharedData, "baly2018/baly2018_claim_article_stance.csv"))
		if err != nil {
			b.Fatal(err)
		}
		benchRead(b, func() io.Reader { return bytes.NewReader(in) }, int64(len(in)), realSplits()[8].schema, 3042)
	})
}

func benchRead(b *testing.B, in func() io.Reader, size int64, s Schema, rows int) {
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		r, err := NewReader(in(), "bench.csv", s)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("%d rows, want %d", n, rows)
		}
	}
}
